//! parquet files (feature `parquet`): the used columns read by projection, the row groups on all
//! threads, each straight into its rows of the row-major matrix. target, features and categories
//! as for csv ([`CsvOptions`]; the delimiter and missing-value texts do not apply): text columns
//! are categories, a null or NaN is a missing value.

use std::borrow::Cow;
use std::fs::File;
use std::mem::MaybeUninit;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::DataType;
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;

use super::categories::{Levels, LocalLevels, NO_LEVEL, Source};
use super::csv::{CsvOptions, Missing, Parts, Table, assemble, labelled_data, parse_error, select_columns};
use super::{LabelCollector, LoadedData};
use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// bytes of a row group's column chunks held in memory by a thread at a time.
const SLICE_BYTES: usize = 16 << 20;

/// rows decoded at a time within a row group (small: the decoded batch is held besides the row
/// group's column chunks, on every thread).
const BATCH_ROWS: usize = 4 << 10;

/// read the parquet file at `path`.
pub fn read_parquet(path: &Path, options: &CsvOptions) -> Result<LoadedData> {
    let table = read_table(path, options, true, SLICE_BYTES)?;
    labelled_data(table, path, options)
}

/// feature columns of a parquet file without labels (for prediction): row-major values, row
/// count and feature names, as [`super::csv::read_csv_features`].
pub fn read_parquet_features(path: &Path, options: &CsvOptions) -> Result<(Vec<f64>, usize, Vec<String>)> {
    let options = CsvOptions { missing: Missing::Error, ..options.clone() };
    Ok(read_table(path, &options, false, SLICE_BYTES)?.into_features())
}

/// write `data` as parquet (snappy): the features as float64 columns named by the dataset, then
/// the target `y` as text (the class values `classes`, in label order).
pub fn write_parquet<W: std::io::Write + Send>(data: &Dataset, classes: &[String], writer: W) -> Result<()> {
    let err = |e: parquet::errors::ParquetError| Error::InvalidData(format!("cannot write parquet: {e}"));
    let (n, d) = (data.n_rows(), data.n_cols());
    let names = data.feature_names();
    let mut fields: Vec<arrow_schema::Field> =
        names.iter().map(|name| arrow_schema::Field::new(name, DataType::Float64, false)).collect();
    fields.push(arrow_schema::Field::new("y", DataType::Utf8, false));
    let schema = Arc::new(arrow_schema::Schema::new(fields));
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut w = ArrowWriter::try_new(writer, schema.clone(), Some(props)).map_err(err)?;
    let x = data.features();
    let mut row = vec![0.0; d];
    for start in (0..n).step_by(BATCH_ROWS * 8) {
        let end = (start + BATCH_ROWS * 8).min(n);
        let mut cols: Vec<Vec<f64>> = vec![Vec::with_capacity(end - start); d];
        for i in start..end {
            x.row_into(i, &mut row);
            cols.iter_mut().zip(&row).for_each(|(c, &v)| c.push(v));
        }
        let mut arrays: Vec<ArrayRef> = cols.into_iter().map(|c| Arc::new(Float64Array::from(c)) as ArrayRef).collect();
        let labels = data.labels()[start..end].iter().map(|&y| classes[y as usize].as_str());
        arrays.push(Arc::new(StringArray::from_iter_values(labels)));
        let batch = RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| Error::InvalidData(format!("cannot write parquet: {e}")))?;
        w.write(&batch).map_err(err)?;
    }
    w.close().map_err(err)?;
    Ok(())
}

/// whether arrow type `t` holds text.
fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

/// whether arrow type `t` holds numbers this reader converts ([`as_numbers`]).
fn is_number(t: &DataType) -> bool {
    use DataType::*;
    matches!(t, Float32 | Float64 | Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 | Boolean)
}

/// the values of a numeric column as f64 (a null as NaN; float64 without nulls as they are),
/// or `None` for another type.
fn as_numbers(array: &dyn Array) -> Option<Cow<'_, [f64]>> {
    macro_rules! cast {
        ($($t:ty),*) => {$(
            if let Some(a) = array.as_primitive_opt::<$t>() {
                return Some((0..a.len()).map(|i| if a.is_null(i) { f64::NAN } else { a.value(i) as f64 }).collect());
            }
        )*};
    }
    if let Some(a) = array.as_primitive_opt::<Float64Type>() {
        if a.null_count() == 0 {
            return Some(Cow::Borrowed(a.values()));
        }
        let mut v = a.values().to_vec();
        (0..a.len()).filter(|&i| a.is_null(i)).for_each(|i| v[i] = f64::NAN);
        return Some(Cow::Owned(v));
    }
    cast!(Float32Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type);
    array
        .as_boolean_opt()
        .map(|a| (0..a.len()).map(|i| if a.is_null(i) { f64::NAN } else { f64::from(u8::from(a.value(i))) }).collect())
}

/// the values of a column as text (`None` for a null, or a NaN); numbers in their shortest form.
fn as_texts(array: &dyn Array) -> Vec<Option<Cow<'_, str>>> {
    let n = array.len();
    if let Some(a) = array.as_string_opt::<i32>() {
        return (0..n).map(|i| (!a.is_null(i)).then(|| Cow::Borrowed(a.value(i)))).collect();
    }
    if let Some(a) = array.as_string_opt::<i64>() {
        return (0..n).map(|i| (!a.is_null(i)).then(|| Cow::Borrowed(a.value(i)))).collect();
    }
    if let Some(a) = array.as_string_view_opt() {
        return (0..n).map(|i| (!a.is_null(i)).then(|| Cow::Borrowed(a.value(i)))).collect();
    }
    if let Some(a) = array.as_any_dictionary_opt() {
        let values = as_texts(a.values().as_ref());
        let keys = a.normalized_keys();
        return (0..n)
            .map(
                |i| {
                    if a.keys().is_null(i) { None } else { values[keys[i]].as_ref().map(|v| Cow::Owned(v.to_string())) }
                },
            )
            .collect();
    }
    let values = as_numbers(array).unwrap_or_else(|| Cow::Owned(vec![f64::NAN; n]));
    // a label column holds runs of equal values: format a value only when it changes
    let mut last: Option<(f64, String)> = None;
    values
        .iter()
        .map(|&v| {
            if v.is_nan() {
                return None;
            }
            if last.as_ref().is_none_or(|(l, _)| *l != v) {
                last = Some((v, format!("{v}")));
            }
            last.as_ref().map(|(_, t)| Cow::Owned(t.clone()))
        })
        .collect()
}

/// `columns` (each the position in a row and the values of one column, one per row of `out`)
/// written into the rows of `out` (row-major, `width` values a row), a tile of rows at a time,
/// so that the rows being written stay in cache while every column fills its place.
fn scatter_columns(columns: &[(usize, Cow<'_, [f64]>)], out: &mut [MaybeUninit<f64>], width: usize) {
    const TILE_ROWS: usize = 64;
    if columns.is_empty() {
        return;
    }
    let rows = out.len() / width;
    for (t, tile) in out.chunks_mut(TILE_ROWS * width).enumerate() {
        let first = t * TILE_ROWS;
        for (s, values) in columns {
            let values = &values[first..(first + TILE_ROWS).min(rows)];
            for (row, &x) in tile.chunks_exact_mut(width).zip(values) {
                row[*s].write(x);
            }
        }
    }
}

/// what a used column is read as, and where it is in the projected batches.
#[derive(Clone, Copy)]
enum Use {
    Number(usize),
    Category(usize),
    Target,
}

/// a row group's categories (local codes, rows × categories), labels and kept rows.
struct Group {
    codes: Vec<u32>,
    levels: Vec<LocalLevels>,
    labels: LabelCollector,
    keep: Vec<bool>,
}

/// a problem in a row (0-based among all the file's rows) and column.
struct Problem {
    row: usize,
    column: String,
    message: String,
}

/// [`read_table_unguarded`], a panic of the parquet decoder on a malformed file (the arrow-rs
/// crates assert in places rather than return an error) turned into an error naming the file.
fn read_table(path: &Path, options: &CsvOptions, labelled: bool, slice_bytes: usize) -> Result<Table> {
    decoder_guard::guarded(path, || read_table_unguarded(path, options, labelled, slice_bytes))
}

/// a panic raised in the parquet and arrow crates' code during a read, caught as an error.
mod decoder_guard {
    use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
    use std::path::Path;
    use std::sync::Once;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::parse_error;
    use crate::error::Result;

    /// reads under way: while there are any, the decoder's panics are not reported by the hook.
    static GUARDED: AtomicUsize = AtomicUsize::new(0);
    /// the decoder's panics seen during guarded reads.
    static DECODER_PANICS: AtomicUsize = AtomicUsize::new(0);

    /// whether a panic at source file `file` is the parquet decoder's: a file of a registry
    /// crate of arrow-rs (a folder `parquet-<version>` or `arrow-<name>-<version>`).
    pub(super) fn decoder_source(file: &str) -> bool {
        file.split(['/', '\\']).any(|folder| {
            (folder.starts_with("parquet-") || folder.starts_with("arrow-"))
                && folder.rsplit('-').next().is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        })
    }

    /// `read()`, or an error naming `path` if the decoder panicked in it (any other panic goes
    /// on). the process's panic hook is wrapped, once, to count the decoder's panics during
    /// guarded reads instead of reporting them; every other panic is reported as before.
    pub(super) fn guarded<T>(path: &Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if GUARDED.load(Ordering::SeqCst) > 0 && info.location().is_some_and(|l| decoder_source(l.file())) {
                    DECODER_PANICS.fetch_add(1, Ordering::SeqCst);
                } else {
                    previous(info);
                }
            }));
        });
        GUARDED.fetch_add(1, Ordering::SeqCst);
        let seen = DECODER_PANICS.load(Ordering::SeqCst);
        let outcome = catch_unwind(AssertUnwindSafe(read));
        let decoder = DECODER_PANICS.load(Ordering::SeqCst) != seen;
        GUARDED.fetch_sub(1, Ordering::SeqCst);
        match outcome {
            Ok(result) => result,
            Err(panic) if decoder => {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".into());
                Err(parse_error(path, None, None, format!("not a valid parquet file: its decoder failed ({why})")))
            }
            Err(panic) => resume_unwind(panic),
        }
    }
}

fn read_table_unguarded(path: &Path, options: &CsvOptions, labelled: bool, slice_bytes: usize) -> Result<Table> {
    let io = |source| Error::Io { path: path.into(), source };
    let file = File::open(path).map_err(io)?;
    let meta = ArrowReaderMetadata::load(&file, Default::default())
        .map_err(|e| parse_error(path, None, None, format!("not a parquet file: {e}")))?;
    let schema = meta.schema().clone();
    let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let columns = select_columns(&header, path, options, labelled)?;
    // how each used column is read, in file order (the order of the projected batches)
    let mut uses: Vec<(usize, Use)> = Vec::new();
    let (mut sources, mut levels) = (Vec::new(), Vec::new());
    let mut n_numbers = 0;
    for &j in &columns.features {
        let field = schema.field(j);
        let known = options.levels.as_ref().and_then(|l| l.iter().find(|c| c.name == header[j]));
        let category = match &options.levels {
            Some(_) => known.is_some(),
            None => options.categorical.contains(&header[j]) || is_text(field.data_type()),
        };
        if category {
            uses.push((j, Use::Category(levels.len())));
            sources.push(Source::Category(levels.len()));
            levels.push(match known {
                Some(c) => Levels::known(c, options.unknown_level),
                None => Levels::open(&header[j]),
            });
        } else if is_number(field.data_type()) {
            uses.push((j, Use::Number(n_numbers)));
            sources.push(Source::Number(n_numbers));
            n_numbers += 1;
        } else {
            return Err(parse_error(
                path,
                None,
                Some(header[j].clone()),
                format!(
                    "column type {} is not read (numbers: float, integer, boolean; text: string)",
                    field.data_type()
                ),
            ));
        }
    }
    if let Some((t, name)) = &columns.target {
        let kind = schema.field(*t).data_type();
        if !(is_text(kind) || is_number(kind)) {
            let message =
                format!("target column type {kind} is not read (numbers: float, integer, boolean; text: string)");
            return Err(parse_error(path, None, Some(name.clone()), message));
        }
        uses.push((*t, Use::Target));
    }
    uses.sort_by_key(|u| u.0);
    let group_rows: Vec<usize> = meta.metadata().row_groups().iter().map(|g| g.num_rows() as usize).collect();
    let rows: usize = group_rows.iter().sum();
    let n_categories = levels.len();

    let mut numbers: Vec<f64> = Vec::new();
    let too_large = || Error::InvalidData(format!("{rows} rows × {n_numbers} numbers do not fit in memory"));
    numbers.try_reserve_exact(rows.checked_mul(n_numbers).ok_or_else(too_large)?).map_err(|_| too_large())?;
    // written in 4 KiB pages, not huge pages (advised before 2026-11-24): on the zen 3 vm, 1M ×
    // 100 snappy, `perf` of `train` had the kernel zeroing the huge pages at 25 % of the samples
    // (1.7 % for 4 KiB pages), and beyond the fit went 1.52 → 1.33 s (medians of eight,
    // interleaved) while the fit itself took 0.05 s longer
    // each row group's slice of the matrix
    let mut slices: Vec<&mut [MaybeUninit<f64>]> = Vec::with_capacity(group_rows.len());
    let mut rest = &mut numbers.spare_capacity_mut()[..rows * n_numbers];
    for &r in &group_rows {
        let (head, tail) = rest.split_at_mut(r * n_numbers);
        slices.push(head);
        rest = tail;
    }
    let starts: Vec<usize> = group_rows.iter().scan(0, |s, &r| Some(std::mem::replace(s, *s + r))).collect();
    // the used columns in passes over a row group, each holding about SLICE_BYTES of its column
    // chunks in memory: the numbers first, then every text column together (categories and labels
    // are collected for kept rows only, which the numbers' missing values help decide)
    let widest = group_rows.iter().copied().max().unwrap_or(1).max(1);
    let per_pass = (slice_bytes / (widest * 8)).max(1);
    let numeric: Vec<usize> = (0..uses.len()).filter(|&k| matches!(uses[k].1, Use::Number(_))).collect();
    let mut passes: Vec<Vec<usize>> = numeric.chunks(per_pass).map(<[usize]>::to_vec).collect();
    passes.push((0..uses.len()).filter(|&k| !matches!(uses[k].1, Use::Number(_))).collect());
    passes.retain(|p| !p.is_empty());
    let missing_message = "missing value (null or NaN); --missing drop drops the rows that have one (R's na.omit)";
    let read_group = |(g, out): (usize, &mut [MaybeUninit<f64>])| -> std::result::Result<Group, Problem> {
        let fail = |row: usize, column: &str, message: String| Problem { row, column: column.into(), message };
        let rows_here = group_rows[g];
        let mut group = Group {
            codes: vec![NO_LEVEL; rows_here * n_categories],
            levels: (0..n_categories).map(|_| LocalLevels::default()).collect(),
            labels: LabelCollector::default(),
            keep: vec![true; rows_here],
        };
        // the first missing value by row, then by column
        let mut first_missing: Option<(usize, usize)> = None;
        for pass in &passes {
            // its own descriptor: a cloned one would share the read position with the other threads
            let file = File::open(path).map_err(|e| fail(starts[g], "", format!("cannot read: {e}")))?;
            let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone())
                .with_projection(ProjectionMask::roots(meta.parquet_schema(), pass.iter().map(|&k| uses[k].0)))
                .with_row_groups(vec![g])
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| fail(starts[g], "", format!("cannot read row group {g}: {e}")))?;
            let mut done = 0;
            for batch in reader {
                let batch = batch.map_err(|e| fail(starts[g] + done, "", format!("cannot read row group {g}: {e}")))?;
                let len = batch.num_rows();
                if done + len > rows_here {
                    let message = format!("row group {g} holds more rows than its metadata says ({rows_here})");
                    return Err(fail(starts[g], "", message));
                }
                let keep = &mut group.keep[done..done + len];
                let mut missed = |i: usize, k: usize, keep: &mut [bool]| match options.missing {
                    Missing::Drop => keep[i] = false,
                    Missing::Error => {
                        if first_missing.is_none_or(|m| (done + i, k) < m) {
                            first_missing = Some((done + i, k));
                        }
                    }
                };
                let mut text: Vec<(usize, Vec<Option<Cow<'_, str>>>)> = Vec::new();
                let mut numbers: Vec<(usize, Cow<'_, [f64]>)> = Vec::new();
                let mut target: Option<Cow<'_, [f64]>> = None;
                for (b, &k) in pass.iter().enumerate() {
                    let (j, u) = uses[k];
                    let array = batch.column(b).as_ref();
                    match u {
                        Use::Number(s) => {
                            let mut v = as_numbers(array).expect("a numeric column");
                            if !crate::numerics::all_finite(&v) {
                                if let Some(i) = v.iter().position(|x| x.is_infinite()) {
                                    let message = format!("{} is not a finite number", v[i]);
                                    return Err(fail(starts[g] + done + i, &header[j], message));
                                }
                                for (i, x) in v.to_mut().iter_mut().enumerate().filter(|(_, x)| x.is_nan()) {
                                    missed(i, k, keep);
                                    *x = 0.0;
                                }
                            }
                            numbers.push((s, v));
                        }
                        Use::Target if is_number(array.data_type()) => {
                            let v = as_numbers(array).expect("a numeric column");
                            v.iter().enumerate().filter(|(_, x)| x.is_nan()).for_each(|(i, _)| missed(i, k, keep));
                            target = Some(v);
                        }
                        Use::Category(_) | Use::Target => {
                            let t = as_texts(array);
                            t.iter().enumerate().filter(|(_, v)| v.is_none()).for_each(|(i, _)| missed(i, k, keep));
                            text.push((k, t));
                        }
                    }
                }
                scatter_columns(&numbers, &mut out[done * n_numbers..(done + len) * n_numbers], n_numbers);
                if let Some(v) = target {
                    // a number's text made once per distinct value, not once per row
                    let kept: Vec<f64> =
                        v.iter().zip(keep.iter()).filter(|(x, k)| **k && !x.is_nan()).map(|(x, _)| *x).collect();
                    group.labels.push_numbers(&kept);
                }
                for (k, t) in &text {
                    for (i, value) in t.iter().enumerate().filter(|(i, _)| keep[*i]) {
                        // a missing value here is already an error (`first_missing`) when kept
                        let Some(value) = value.as_deref() else { continue };
                        match uses[*k].1 {
                            Use::Category(c) => {
                                let code = group.levels[c].code(value.trim().as_bytes(), done + i);
                                group.codes[(done + i) * n_categories + c] = code;
                            }
                            Use::Target => group.labels.push(value),
                            Use::Number(_) => {}
                        }
                    }
                }
                done += len;
            }
            // every row of the group must have come (its numbers are set in place, unchecked)
            if done != rows_here {
                let message = format!("row group {g} holds {done} rows, its metadata says {rows_here}");
                return Err(fail(starts[g], "", message));
            }
        }
        match first_missing {
            Some((row, k)) => Err(fail(starts[g] + row, &header[uses[k].0], missing_message.into())),
            None => Ok(group),
        }
    };
    let groups: Vec<std::result::Result<Group, Problem>> = slices.into_par_iter().enumerate().map(read_group).collect();
    let problem = |p: Problem| {
        let column = (!p.column.is_empty()).then_some(p.column);
        parse_error(path, None, column, format!("row {}: {}", p.row + 1, p.message))
    };
    let mut codes: Vec<u32> = Vec::with_capacity(rows * n_categories);
    let mut labels = LabelCollector::default();
    let mut keep: Vec<bool> = Vec::with_capacity(rows);
    for (g, group) in groups.into_iter().enumerate() {
        let group = group.map_err(problem)?;
        let mut maps = Vec::with_capacity(n_categories);
        for (global, local) in levels.iter_mut().zip(&group.levels) {
            let map = global.merge(local).map_err(|u| {
                let column = global.name().to_string();
                problem(Problem { row: starts[g] + u.line, column, message: u.message })
            })?;
            maps.push(map);
        }
        if n_categories > 0 {
            for row in group.codes.chunks_exact(n_categories) {
                codes.extend(
                    row.iter().zip(&maps).map(|(&c, map)| if c == NO_LEVEL { NO_LEVEL } else { map[c as usize] }),
                );
            }
        }
        labels.append(group.labels);
        keep.extend_from_slice(&group.keep);
    }
    // SAFETY: every row group succeeded, and each wrote every number of each of its rows
    unsafe { numbers.set_len(rows * n_numbers) };
    let kept = keep.iter().filter(|&&k| k).count();
    if kept < rows {
        compact(&mut numbers, n_numbers, &keep);
        compact(&mut codes, n_categories, &keep);
    }
    if kept == 0 {
        let why = if rows > 0 { format!(" (all {rows} had a missing value)") } else { String::new() };
        return Err(parse_error(path, None, None, format!("no data rows{why}")));
    }
    let parts = Parts { numbers, n_numbers, codes, sources, levels, labels, dropped: rows - kept };
    assemble(&header, columns, parts, path)
}

/// keeps the rows (of `width` values) of `values` whose `keep` is set, in order.
fn compact<T: Copy>(values: &mut Vec<T>, width: usize, keep: &[bool]) {
    let mut to = 0;
    for (i, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
        values.copy_within(i * width..(i + 1) * width, to * width);
        to += 1;
    }
    values.truncate(to * width);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_decoders_panics_are_told_by_their_source_folder() {
        use super::decoder_guard::decoder_source;
        let registry = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f";
        assert!(decoder_source(&format!("{registry}/arrow-buffer-60.1.0/src/util/bit_chunk_iterator.rs")));
        assert!(decoder_source(&format!("{registry}/parquet-60.1.0/src/arrow/record_reader/mod.rs")));
        assert!(decoder_source("C:\\cargo\\registry\\src\\x\\parquet-60.1.0\\src\\lib.rs"));
        assert!(!decoder_source("crates/logreg-core/src/io/parquet.rs"));
        assert!(!decoder_source("/home/me/parquet-tools/logreg/crates/logreg-core/src/io/parquet.rs"));
        assert!(!decoder_source(&format!("{registry}/rayon-core-1.13.0/src/registry.rs")));
    }

    use super::*;
    use crate::io::CategoricalColumn;

    fn write(path: &Path, columns: Vec<(&str, ArrayRef)>, group_rows: usize) {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let props = WriterProperties::builder().set_max_row_group_row_count(Some(group_rows)).build();
        let mut w = ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }

    #[test]
    fn reads_numbers_categories_and_labels_across_row_groups() {
        let dir = std::env::temp_dir().join(format!("logreg-parquet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.parquet");
        let n: usize = 1000;
        let x: Vec<Option<f64>> = (0..n).map(|i| (i % 97 != 5).then_some(i as f64 * 0.5)).collect();
        let k: Vec<i32> = (0..n).map(|i| (i % 7) as i32).collect();
        let g: Vec<&str> = (0..n).map(|i| ["b", "a", "c"][i % 3]).collect();
        let y: Vec<i64> = (0..n).map(|i| (i % 2) as i64).collect();
        write(
            &path,
            vec![
                ("x", Arc::new(Float64Array::from(x.clone())) as ArrayRef),
                ("k", Arc::new(arrow_array::Int32Array::from(k.clone()))),
                ("g", Arc::new(StringArray::from(g.clone()))),
                ("y", Arc::new(arrow_array::Int64Array::from(y.clone()))),
            ],
            128,
        );
        let e = read_parquet(&path, &CsvOptions::default()).unwrap_err().to_string();
        assert!(e.ends_with("column x: row 6: missing value (null or NaN); --missing drop drops the rows that have one (R's na.omit)"), "{e}");
        // a null among text values (target or category) is the same error
        let nulls = dir.join("nulls.parquet");
        let groups: Vec<Option<&str>> = vec![Some("a"), Some("b"), None, Some("a")];
        let targets: Vec<Option<&str>> = vec![Some("no"), None, Some("yes"), Some("yes")];
        write(
            &nulls,
            vec![
                ("x", Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0])) as ArrayRef),
                ("g", Arc::new(StringArray::from(groups))),
                ("y", Arc::new(StringArray::from(targets))),
            ],
            128,
        );
        let e = read_parquet(&nulls, &CsvOptions::default()).unwrap_err().to_string();
        assert!(e.contains("column y: row 2: missing value"), "{e}");
        let kept = read_parquet(&nulls, &CsvOptions { missing: Missing::Drop, ..Default::default() }).unwrap();
        assert_eq!((kept.dataset.n_rows(), kept.dropped_rows), (2, 2));
        let o = CsvOptions { missing: Missing::Drop, ..Default::default() };
        let d = read_parquet(&path, &o).unwrap();
        // one column per pass over a row group: the same table
        let sliced = labelled_data(read_table(&path, &o, true, 8).unwrap(), &path, &o).unwrap();
        assert_eq!(sliced, d);
        assert_eq!(d.dataset.feature_names(), ["x", "k", "g[T.b]", "g[T.c]"]);
        let kept: Vec<usize> = (0..n).filter(|i| x[*i].is_some()).collect();
        assert_eq!(d.dropped_rows, n - kept.len());
        let expected: Vec<f64> = kept
            .iter()
            .flat_map(|&i| {
                [x[i].unwrap(), f64::from(k[i]), f64::from(u8::from(g[i] == "b")), f64::from(u8::from(g[i] == "c"))]
            })
            .collect();
        assert_eq!(d.dataset.dense_features().unwrap().data(), &expected[..]);
        let labels: Vec<f64> = kept.iter().map(|&i| y[i] as f64).collect();
        assert_eq!(d.dataset.labels(), &labels[..]);
        // the same table as csv reads the same
        let mut text = String::from("x,k,g,y\n");
        for i in 0..n {
            let xv = x[i].map_or("NA".to_string(), |v| format!("{v}"));
            text.push_str(&format!("{xv},{},{},{}\n", k[i], g[i], y[i]));
        }
        let csv = super::super::csv::read_csv_from(text.as_bytes(), Path::new("t.csv"), &o).unwrap();
        assert_eq!(csv, LoadedData { columns: csv.columns.clone(), ..d.clone() });
        // numbers as categories, and a model's levels with an unseen one
        let forced = CsvOptions { categorical: vec!["k".into()], ..o.clone() };
        let f = read_parquet(&path, &forced).unwrap();
        assert_eq!(
            f.categories[0],
            CategoricalColumn { name: "k".into(), levels: (0..7).map(|v| v.to_string()).collect() }
        );
        let known = CsvOptions {
            levels: Some(vec![CategoricalColumn { name: "g".into(), levels: vec!["a".into(), "b".into()] }]),
            features: Some(vec!["g".into()]),
            ..Default::default()
        };
        let e = read_parquet_features(&path, &known).unwrap_err().to_string();
        assert!(e.contains("column g: row 3: level `c` was not seen in training"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn numeric_targets_and_non_finite_values() {
        let dir = std::env::temp_dir().join(format!("logreg-parquet-t-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.parquet");
        let x: Vec<f64> = (0..200).map(|i| f64::from(i) - 0.5).collect();
        // -0 is 0; a NaN or a null target is a missing value, wherever it falls in a tile
        let y: Vec<Option<f64>> = (0..200)
            .map(|i| match i {
                3 => Some(-0.0),
                70 => Some(f64::NAN),
                130 => None,
                _ => Some(f64::from(i % 3 == 0)),
            })
            .collect();
        let columns = |x: &[f64]| {
            vec![
                ("x", Arc::new(Float64Array::from(x.to_vec())) as ArrayRef),
                ("x2", Arc::new(Float64Array::from(x.iter().map(|v| 2.0 * v).collect::<Vec<_>>()))),
                ("y", Arc::new(Float64Array::from(y.clone()))),
            ]
        };
        write(&path, columns(&x), 150);
        let e = read_parquet(&path, &CsvOptions::default()).unwrap_err().to_string();
        assert!(e.contains("column y: row 71: missing value"), "{e}");
        let d = read_parquet(&path, &CsvOptions { missing: Missing::Drop, ..Default::default() }).unwrap();
        let kept: Vec<usize> = (0..200).filter(|i| ![70, 130].contains(i)).collect();
        assert_eq!(d.dropped_rows, 2);
        assert_eq!(d.classes.values, ["0", "1"]);
        let labels: Vec<f64> = kept.iter().map(|&i| f64::from(i % 3 == 0 && i != 3)).collect();
        assert_eq!(d.dataset.labels(), &labels[..]);
        let rows: Vec<f64> = kept.iter().flat_map(|&i| [x[i], 2.0 * x[i]]).collect();
        assert_eq!(d.dataset.dense_features().unwrap().data(), &rows[..]);
        let mut bad = x.clone();
        bad[180] = f64::NEG_INFINITY;
        write(&path, columns(&bad), 150);
        // not a missing value: an error whatever --missing says
        let e = read_parquet(&path, &CsvOptions { missing: Missing::Drop, ..Default::default() }).unwrap_err();
        assert!(e.to_string().contains("column x: row 181: -inf is not a finite number"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn written_files_read_back() {
        let dir = std::env::temp_dir().join(format!("logreg-parquet-w-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("w.parquet");
        let data = Dataset::new(vec![1.0, -2.5, 3.0, 4.0, 0.0, 1e-300], 2, vec![1.0, 0.0, 1.0]).unwrap();
        write_parquet(&data, &["no".into(), "yes".into()], File::create(&path).unwrap()).unwrap();
        let back = read_parquet(&path, &CsvOptions::default()).unwrap();
        assert_eq!(back.dataset.dense_features().unwrap().data(), data.dense_features().unwrap().data());
        assert_eq!(back.dataset.labels(), data.labels());
        assert_eq!(back.classes.positive(), "yes");
        std::fs::remove_dir_all(&dir).unwrap();
        let e = read_parquet(Path::new("Cargo.toml"), &CsvOptions::default()).unwrap_err().to_string();
        assert!(e.contains("not a parquet file"), "{e}");
        let dir = std::env::temp_dir().join(format!("logreg-parquet-d-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("d.parquet");
        let decimal = arrow_array::Decimal128Array::from(vec![150, 275, 300]).with_precision_and_scale(10, 2).unwrap();
        let y = arrow_array::Int64Array::from(vec![0, 1, 0]);
        write(&path, vec![("price", Arc::new(decimal) as ArrayRef), ("y", Arc::new(y))], 2);
        let e = read_parquet(&path, &CsvOptions::default()).unwrap_err().to_string();
        assert!(e.contains("column price: column type Decimal128(10, 2) is not read"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
