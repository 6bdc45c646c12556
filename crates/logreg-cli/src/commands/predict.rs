//! `logreg predict`.

use std::io::Write;

use anyhow::Result;
use logreg::numerics::sigmoid;

use super::{binary_threshold, class_probabilities, csv_field, decisions};
use crate::args::PredictArgs;
use crate::data::load_features;
use crate::model_file::ModelFile;
use crate::output::write_atomic;

/// write `probability,label` (binary) or `p_<class>…,label` (multinomial) for every row, in input order.
pub fn run(a: PredictArgs) -> Result<()> {
    let model = ModelFile::load(&a.model)?;
    let threshold = binary_threshold(a.threshold, model.multinomial.is_some())?;
    let (columns, levels) = model.coding();
    let features = load_features(&a.input, &model.features, &columns, &levels)?;
    let (x, rows) = (features.design(), features.design().n_rows());
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        match (model.binary(), &model.multinomial) {
            (Some(b), _) => {
                writeln!(w, "probability,label")?;
                for zi in decisions(b, x) {
                    let p = sigmoid(zi);
                    let label = if p >= threshold { b.positive_class } else { b.negative_class };
                    writeln!(w, "{p},{}", csv_field(label))?;
                }
            }
            (None, Some(m)) => {
                let header: Vec<String> = m.classes.iter().map(|c| csv_field(&format!("p_{c}"))).collect();
                writeln!(w, "{},label", header.join(","))?;
                let k = m.classes.len();
                for p in class_probabilities(m, x).chunks_exact(k) {
                    let label = &m.classes[logreg::multinomial::argmax(p) as usize];
                    let values: Vec<String> = p.iter().map(|v| v.to_string()).collect();
                    writeln!(w, "{},{}", values.join(","), csv_field(label))?;
                }
            }
            (None, None) => unreachable!("a loaded model file is binary or multinomial"),
        }
        Ok(())
    };
    match &a.output {
        Some(path) => {
            write_atomic(path, write)?;
            eprintln!("{rows} predictions written to {}", path.display());
        }
        None => match write(&mut std::io::stdout().lock()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        },
    }
    Ok(())
}
