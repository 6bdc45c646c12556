//! `logreg predict`.

use std::io::Write;

use anyhow::Result;
use logreg::numerics::sigmoid;

use super::decisions;
use crate::args::PredictArgs;
use crate::data::load_features;
use crate::model_file::ModelFile;
use crate::output::write_atomic;

/// write `probability,label` for every row, in input order.
pub fn run(a: PredictArgs) -> Result<()> {
    let model = ModelFile::load(&a.model)?;
    let (x, rows) = load_features(&a.input, &model.features)?;
    let z = decisions(&model, &x, rows);
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        writeln!(w, "probability,label")?;
        for &zi in &z {
            let p = sigmoid(zi);
            let label = if p >= a.threshold { &model.positive_class } else { &model.negative_class };
            writeln!(w, "{p},{}", csv_field(label))?;
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

/// a csv field, quoted when it holds a delimiter, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}
