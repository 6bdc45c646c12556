//! `logreg generate`.

use std::io::Write;

use anyhow::{Result, bail};
use logreg::synthetic::MakeClassification;
use logreg::synthetic_text::SparseText;
use logreg::{Dataset, Design};

use crate::args::{Format, GenerateArgs};
use crate::output::write_atomic;

/// write synthetic data.
pub fn run(a: GenerateArgs) -> Result<()> {
    let d = a.features as usize;
    let format = crate::data::format_of(&a.output, a.format);
    if format == Format::Npz {
        bail!("generate writes csv, npy, parquet or libsvm, not npz");
    }
    let (data, informative) = if a.sparse {
        if format != Format::Libsvm {
            bail!("--sparse data is written as libsvm: name the output .svm or pass --format libsvm");
        }
        let informative = a.informative.map_or_else(|| (d / 20).max(1), |k| k as usize);
        let params = SparseText {
            n_rows: a.samples as usize,
            n_cols: d,
            nnz_per_row: a.nnz_per_row as usize,
            n_informative: informative,
            strength: 10.0 * a.class_sep,
            n_classes: a.classes as usize,
            flip_y: a.flip_y,
            seed: a.seed,
            ..SparseText::default()
        };
        (params.generate()?, informative)
    } else {
        let informative = a.informative.map_or_else(|| (d / 5).max(2).min(d), |k| k as usize);
        let params = MakeClassification {
            n_samples: a.samples as usize,
            n_features: d,
            n_informative: informative,
            n_redundant: a.redundant as usize,
            n_classes: a.classes as usize,
            class_sep: a.class_sep,
            flip_y: a.flip_y,
            seed: a.seed,
            ..MakeClassification::default()
        };
        (params.generate()?, informative)
    };
    write_atomic(&a.output, |w: &mut dyn Write| match format {
        Format::Npy => logreg::io::write_npy(&data, w),
        Format::Csv => write_csv(&data, w),
        Format::Libsvm => write_libsvm(&data, w),
        Format::Parquet => write_parquet(&data, w),
        Format::Npz => unreachable!("refused above"),
    })?;
    let nnz = match data.features() {
        Design::Sparse(x) => format!(", {} stored values", x.nnz()),
        Design::Dense(_) => String::new(),
    };
    eprintln!(
        "{} rows × {d} features ({informative} informative{nnz}) written to {}",
        data.n_rows(),
        a.output.display()
    );
    Ok(())
}

/// the data as parquet (built in memory, then written): float64 features, target `y` as text.
#[cfg(feature = "parquet")]
fn write_parquet(data: &Dataset, w: &mut dyn Write) -> std::io::Result<()> {
    let classes: Vec<String> = (0..data.n_classes()).map(|c| c.to_string()).collect();
    let mut bytes = Vec::new();
    logreg::io::parquet::write_parquet(data, &classes, &mut bytes).map_err(std::io::Error::other)?;
    w.write_all(&bytes)
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(_: &Dataset, _: &mut dyn Write) -> std::io::Result<()> {
    Err(std::io::Error::other("this logreg was built without parquet (cargo feature `parquet`)"))
}

/// a header `x0,…,y` and one line per row.
fn write_csv(data: &Dataset, w: &mut dyn Write) -> std::io::Result<()> {
    let d = data.n_cols();
    let header: Vec<String> = (0..d).map(|j| format!("x{j}")).chain(["y".to_string()]).collect();
    writeln!(w, "{}", header.join(","))?;
    let mut row = vec![0.0; d];
    for (i, &y) in data.labels().iter().enumerate() {
        data.features().row_into(i, &mut row);
        for v in &row {
            write!(w, "{v},")?;
        }
        writeln!(w, "{y}")?;
    }
    Ok(())
}

/// `label index:value …` per row, 1-based indices, zeros omitted; binary labels as ±1.
fn write_libsvm(data: &Dataset, w: &mut dyn Write) -> std::io::Result<()> {
    let x = data.features();
    let mut row = vec![0.0; if x.as_sparse().is_some() { 0 } else { data.n_cols() }];
    for (i, &y) in data.labels().iter().enumerate() {
        match data.n_classes() {
            2 => write!(w, "{}", if y == 1.0 { "+1" } else { "-1" })?,
            _ => write!(w, "{y}")?,
        }
        match x {
            Design::Sparse(x) => {
                let (indices, values) = x.row(i);
                for (j, v) in indices.iter().zip(values) {
                    write!(w, " {}:{v}", j + 1)?;
                }
            }
            Design::Dense(_) => {
                x.row_into(i, &mut row);
                for (j, v) in row.iter().enumerate().filter(|(_, v)| **v != 0.0) {
                    write!(w, " {}:{v}", j + 1)?;
                }
            }
        }
        writeln!(w)?;
    }
    Ok(())
}
