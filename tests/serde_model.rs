//! with the `serde` feature, fitted models round-trip through a serde format unchanged and
//! predict the same (json here, parsed with serde_json's `float_roundtrip`: without it a float
//! may come back one ulp off).
#![cfg(feature = "serde")]

use logreg::synthetic::MakeClassification;
use logreg::{FitParams, Model, MultinomialModel, ReferenceBackend, Silent};

#[test]
fn models_round_trip_through_serde() {
    let data = MakeClassification {
        n_samples: 400,
        n_features: 5,
        n_informative: 3,
        n_redundant: 0,
        class_sep: 0.3,
        flip_y: 0.2,
        seed: 3,
        ..Default::default()
    }
    .generate()
    .unwrap();
    let params = FitParams { l2: 0.0, standardize: true, ..FitParams::default() }.check().unwrap();
    let model = params.fit(&ReferenceBackend, &data, &mut Silent).unwrap();
    assert!(model.inference.is_some(), "an unpenalised fit carries its inference table");
    let text = serde_json::to_string(&model).unwrap();
    let back: Model = serde_json::from_str(&text).unwrap();
    assert_eq!(back, model);
    assert_eq!(back.decision_function(data.features()).unwrap(), model.decision_function(data.features()).unwrap());

    let three = MakeClassification { n_samples: 600, n_classes: 3, n_informative: 3, seed: 4, ..Default::default() }
        .generate()
        .unwrap();
    let params = FitParams { l2: 1e-3, ..FitParams::default() }.check().unwrap();
    let model = params.fit_multinomial(&ReferenceBackend, &three, &mut Silent).unwrap();
    let back: MultinomialModel = serde_json::from_str(&serde_json::to_string(&model).unwrap()).unwrap();
    assert_eq!(back, model);
}
