//! `logreg evaluate`.

use anyhow::{Result, bail};

use super::decisions;
use crate::args::EvaluateArgs;
use crate::data::{Labelled, load_labelled};
use crate::model_file::ModelFile;
use crate::output::emit;
use crate::report::Metrics;

/// the report's metrics on labelled data.
pub fn run(a: EvaluateArgs) -> Result<()> {
    let model = ModelFile::load(&a.model)?;
    let spec = Labelled {
        target: Some(a.target.clone().unwrap_or_else(|| model.target.clone())),
        features: Some(model.features.clone()),
        positive: Some(&model.positive_class),
        width: Some(model.features.len()),
    };
    let (loaded, source) = load_labelled(&a.input, spec, false)?;
    if loaded.classes.negative() != model.negative_class {
        bail!(
            "{source}: the classes are `{}` and `{}`, the model's are `{}` and `{}`",
            loaded.classes.negative(),
            loaded.classes.positive(),
            model.negative_class,
            model.positive_class
        );
    }
    let d = &loaded.dataset;
    let z = decisions(&model, d.features().data(), d.n_rows());
    emit(&Metrics::new(d.labels(), &z, a.threshold).render(&format!("evaluate {source}"), &loaded.classes))?;
    Ok(())
}
