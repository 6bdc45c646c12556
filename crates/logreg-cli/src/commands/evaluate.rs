//! `logreg evaluate`.

use anyhow::{Result, bail};
use logreg::metrics::MulticlassMetrics;

use super::{binary_threshold, class_probabilities, decisions};
use crate::args::EvaluateArgs;
use crate::data::{Labelled, load_labelled};
use crate::model_file::ModelFile;
use crate::output::emit;
use crate::report::{Metrics, render_multiclass};

/// the report's metrics on labelled data.
pub fn run(a: EvaluateArgs) -> Result<()> {
    let model = ModelFile::load(&a.model)?;
    let threshold = binary_threshold(a.threshold, model.multinomial.is_some())?;
    let (columns, levels) = model.coding();
    let spec = Labelled {
        target: Some(a.target.clone().unwrap_or_else(|| model.target.clone())),
        features: Some(columns),
        positive: model.binary().map(|b| b.positive_class),
        width: Some(model.features.len()),
        levels: Some(levels),
    };
    let (loaded, source) = load_labelled(&a.input, spec, false)?;
    let d = &loaded.dataset;
    let title = format!("evaluate {source}");
    match (model.binary(), &model.multinomial) {
        (Some(b), _) => {
            if loaded.classes.len() != 2 || loaded.classes.negative() != b.negative_class {
                bail!(
                    "{source}: the classes are {}, the model's are `{}` and `{}`",
                    list(&loaded.classes.values),
                    b.negative_class,
                    b.positive_class
                );
            }
            let z = decisions(b, d.features());
            emit(&Metrics::new(d.labels(), &z, threshold).render(&title, &loaded.classes))?;
        }
        (None, Some(m)) => {
            // the data's labels are numbered among its own classes: map them to the model's
            let mut labels = Vec::with_capacity(d.n_rows());
            let map: Vec<Option<usize>> =
                loaded.classes.values.iter().map(|v| m.classes.iter().position(|c| c == v)).collect();
            if let Some(c) = map.iter().position(Option::is_none) {
                bail!(
                    "{source}: class `{}` of the data is not among the model's classes {}",
                    loaded.classes.values[c],
                    list(&m.classes)
                );
            }
            labels.extend(d.labels().iter().map(|&y| map[y as usize].expect("checked above") as f64));
            let p = class_probabilities(m, d.features());
            let metrics = MulticlassMetrics::new(&labels, &p, m.classes.len());
            emit(&render_multiclass(&metrics, &title, &m.classes))?;
        }
        (None, None) => unreachable!("a loaded model file is binary or multinomial"),
    }
    Ok(())
}

/// `a`, `b`, `c` with backticks.
fn list(values: &[String]) -> String {
    values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
}
