//! `logreg generate`.

use std::io::Write;

use anyhow::Result;
use logreg::synthetic::MakeClassification;

use crate::args::{Format, GenerateArgs};
use crate::output::write_atomic;

/// write synthetic data.
pub fn run(a: GenerateArgs) -> Result<()> {
    let d = a.features as usize;
    let informative = a.informative.map_or_else(|| (d / 5).max(2).min(d), |k| k as usize);
    let data = MakeClassification {
        n_samples: a.samples as usize,
        n_features: d,
        n_informative: informative,
        n_redundant: a.redundant as usize,
        n_classes: a.classes as usize,
        class_sep: a.class_sep,
        flip_y: a.flip_y,
        seed: a.seed,
        ..MakeClassification::default()
    }
    .generate()?;
    let x = data.features();
    write_atomic(&a.output, |w: &mut dyn Write| {
        match crate::data::format_of(&a.output, a.format) {
            Format::Npy => logreg::io::write_npy(&data, w)?,
            Format::Csv => {
                let header: Vec<String> = (0..d).map(|j| format!("x{j}")).chain(["y".to_string()]).collect();
                writeln!(w, "{}", header.join(","))?;
                let mut row = vec![0.0; d];
                for (i, &y) in data.labels().iter().enumerate() {
                    x.row_into(i, &mut row);
                    for v in &row {
                        write!(w, "{v},")?;
                    }
                    writeln!(w, "{y}")?;
                }
            }
            Format::Libsvm => {
                let mut row = vec![0.0; d];
                for (i, &y) in data.labels().iter().enumerate() {
                    x.row_into(i, &mut row);
                    match data.n_classes() {
                        2 => write!(w, "{}", if y == 1.0 { "+1" } else { "-1" })?,
                        _ => write!(w, "{y}")?,
                    }
                    for (j, v) in row.iter().enumerate().filter(|(_, v)| **v != 0.0) {
                        write!(w, " {}:{v}", j + 1)?;
                    }
                    writeln!(w)?;
                }
            }
        }
        Ok(())
    })?;
    eprintln!("{} rows × {d} features ({informative} informative) written to {}", data.n_rows(), a.output.display());
    Ok(())
}
