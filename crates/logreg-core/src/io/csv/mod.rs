//! csv with a header row, read in windows of the file (slices of it mapped in place where files
//! can be mapped, else buffers read ahead) and parsed on all threads in chunks that
//! start at record boundaries (quote-aware), each chunk's numbers then appended to the dataset's
//! f64 buffer on all threads; text feature columns are coded as dummy columns. the result, and every error's line and column, do
//! not depend on the window or chunk sizes.

mod chunk;
mod records;

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use self::chunk::{ChunkError, Plan, Problem, Role, parse_chunk};
use self::records::{Records, chunk_ends, newline_ends};
use super::categories::{CategoricalColumn, Levels, Source, UnknownLevel, dummy_code};
use super::mapped::MappedText;
use super::windows::{Windows, window_in};
use super::{LabelCollector, LoadedData};
use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// what to do with a row that has a missing value in a column the read uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Missing {
    /// an error naming the line and column (the default)
    #[default]
    Error,
    /// drop the row (R's `na.omit`); [`LoadedData::dropped_rows`] counts them
    Drop,
}

/// the texts read as missing by default: `NA`, `NaN`, the empty field and `?`.
pub const DEFAULT_NA_VALUES: [&str; 4] = ["NA", "NaN", "", "?"];

/// how to read a csv file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// target column (default: the last column)
    pub target: Option<String>,
    /// feature columns in order (default: every column but the target)
    pub features: Option<Vec<String>>,
    /// class value modelled as 1 (default: the larger of the two)
    pub positive: Option<String>,
    /// field delimiter
    pub delimiter: u8,
    /// rows with a missing value in a used column: an error, or dropped
    pub missing: Missing,
    /// the texts (after trimming) that mean a missing value
    pub na_values: Vec<String>,
    /// feature columns read as categories although their values are numbers (e.g. codes 1, 2, 3)
    pub categorical: Vec<String>,
    /// the category columns and their levels, when fixed (prediction with a model's coding);
    /// `None`: a feature column is categorical when named in `categorical` or when its values in
    /// the rows of the file's first [`INFER_BYTES`] are text and no numbers (text and numbers
    /// together are an error that names both ways out)
    pub levels: Option<Vec<CategoricalColumn>>,
    /// a level not among fixed `levels`: an error, or coded as the reference level
    pub unknown_level: UnknownLevel,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            target: None,
            features: None,
            positive: None,
            delimiter: b',',
            missing: Missing::Error,
            na_values: DEFAULT_NA_VALUES.iter().map(|v| v.to_string()).collect(),
            categorical: Vec::new(),
            levels: None,
            unknown_level: UnknownLevel::Error,
        }
    }
}

/// bytes of data rows at the start of a file that decide which columns hold text categories.
pub const INFER_BYTES: usize = 1 << 20;
/// bytes of text read at a time: the text held besides the growing matrix.
const WINDOW_BYTES: usize = 16 << 20;
/// bytes of text each thread parses as one piece.
const CHUNK_BYTES: usize = 1 << 20;

/// how much text is read and parsed at a time.
#[derive(Clone, Copy, Debug)]
struct Sizes {
    /// bytes read at a time
    window: usize,
    /// bytes parsed by a thread as one piece
    chunk: usize,
    /// bytes of data rows that decide which columns hold categories (the first window holds them)
    infer: usize,
}

impl Sizes {
    const DEFAULT: Sizes = Sizes { window: WINDOW_BYTES, chunk: CHUNK_BYTES, infer: INFER_BYTES };

    /// the first window's size: it holds the header and the rows that decide the categories.
    fn first_window(&self) -> usize {
        self.window.max(self.infer.saturating_add(64 << 10))
    }
}

/// read the csv file at `path`.
pub fn read_csv(path: &Path, options: &CsvOptions) -> Result<LoadedData> {
    read_csv_reporting(path, options, &mut |_| {})
}

/// [`read_csv`], telling `progress` the bytes read so far as the read goes on (after each
/// window of the file).
pub fn read_csv_reporting(path: &Path, options: &CsvOptions, progress: &mut dyn FnMut(u64)) -> Result<LoadedData> {
    let table = table_of_file(path, options, true, progress)?;
    labelled_data(table, path, options)
}

/// the table of the csv file at `path`: its text viewed in place where files can be mapped,
/// else read.
fn table_of_file(path: &Path, options: &CsvOptions, labelled: bool, progress: &mut dyn FnMut(u64)) -> Result<Table> {
    let file = File::open(path).map_err(|source| Error::Io { path: path.into(), source })?;
    match MappedText::map(&file) {
        Some(text) => read_mapped_table(&text, path, options, labelled, Sizes::DEFAULT, progress),
        None => read_table(file, path, options, labelled, Sizes::DEFAULT),
    }
}

/// read csv text from `reader`; `path` names it in errors.
pub fn read_csv_from<R: Read + Send>(reader: R, path: &Path, options: &CsvOptions) -> Result<LoadedData> {
    let table = read_table(reader, path, options, true, Sizes::DEFAULT)?;
    labelled_data(table, path, options)
}

pub(super) fn labelled_data(table: Table, path: &Path, options: &CsvOptions) -> Result<LoadedData> {
    let (labels, target) = table.labels.expect("a labelled read collects labels");
    let (y, classes) = labels.finish(&target, options.positive.as_deref()).map_err(|e| Error::Parse {
        path: path.into(),
        line: None,
        column: Some(target.clone()),
        message: e.to_string(),
    })?;
    let dataset = Dataset::with_classes_of_finite(table.values, table.names.len(), y, classes.len())?
        .with_feature_names(table.names)?;
    Ok(LoadedData {
        dataset,
        target,
        classes,
        dropped_rows: table.dropped,
        columns: if table.categories.is_empty() { Vec::new() } else { table.columns },
        categories: table.categories,
    })
}

/// feature columns of a csv file without labels (for prediction): row-major values, row count
/// and the feature names (category columns as their dummy columns); `options.features` selects
/// and orders the columns. every row is kept (one prediction per input line): a missing value
/// is an error whatever `options.missing` says.
pub fn read_csv_features<R: Read + Send>(
    reader: R,
    path: &Path,
    options: &CsvOptions,
) -> Result<(Vec<f64>, usize, Vec<String>)> {
    let options = CsvOptions { missing: Missing::Error, ..options.clone() };
    Ok(read_table(reader, path, &options, false, Sizes::DEFAULT)?.into_features())
}

/// [`read_csv_features`] of the csv file at `path`, telling `progress` the bytes read so far as
/// the read goes on.
pub fn read_csv_features_at(
    path: &Path,
    options: &CsvOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<(Vec<f64>, usize, Vec<String>)> {
    let options = CsvOptions { missing: Missing::Error, ..options.clone() };
    Ok(table_of_file(path, &options, false, progress)?.into_features())
}

pub(super) struct Table {
    values: Vec<f64>,
    /// feature names (dummy columns named `column[T.level]`)
    names: Vec<String>,
    /// the file columns the features come from
    columns: Vec<String>,
    categories: Vec<CategoricalColumn>,
    labels: Option<(LabelCollector, String)>,
    dropped: usize,
}

impl Table {
    /// the values, their row count and the feature names.
    pub(super) fn into_features(self) -> (Vec<f64>, usize, Vec<String>) {
        let rows = self.values.len() / self.names.len();
        (self.values, rows, self.names)
    }
}

/// the header's names, the byte where the data start and the line they start on.
fn read_header(text: &[u8], delimiter: u8, path: &Path) -> Result<(Vec<String>, usize, u64)> {
    let bom = if text.starts_with("\u{feff}".as_bytes()) { 3 } else { 0 };
    let mut records = Records::new(&text[bom..], delimiter);
    let mut raw: Vec<Vec<u8>> = Vec::new();
    while !records.done() && raw.is_empty() {
        records
            .next_record(|_, v| raw.push(v.to_vec()))
            .map_err(|_| parse_error(path, Some(1), None, "the header has a quoted name that is not closed".into()))?;
    }
    let header = raw
        .into_iter()
        .map(|v| String::from_utf8(v).map(|h| h.trim().to_string()))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| parse_error(path, Some(1), None, "header is not valid UTF-8".into()))?;
    if header.iter().all(String::is_empty) {
        return Err(parse_error(path, Some(1), None, "empty file: expected a header row naming the columns".into()));
    }
    Ok((header, bom + records.position(), records.lines as u64 + 1))
}

/// the error for a chunk's problem; `line` is the chunk's first line.
fn chunk_error(e: ChunkError, line: u64, path: &Path, header: &[String], plan: &Plan, inferred: bool) -> Error {
    let name = e.column.map(|j| header[j].clone());
    let shown = |text: &str| if text.is_empty() { "an empty value".to_string() } else { format!("`{text}`") };
    let message = match e.problem {
        Problem::Fields(n) => format!("row has {n} fields, the header has {}", plan.roles.len()),
        Problem::Missing(text) => {
            format!("missing value ({}); --missing drop drops the rows that have one (R's na.omit)", shown(&text))
        }
        Problem::NotNumber(text, is_text) => {
            let hint = match &name {
                Some(n) if is_text && inferred => format!(
                    "; the column holds only numbers in the file's first rows, --categorical {n} reads it as categories"
                ),
                _ => String::new(),
            };
            format!("expected a finite number, found {}{hint}", shown(&text))
        }
        Problem::Empty => "an empty value".into(),
        Problem::NotUtf8 => "target is not valid UTF-8".into(),
        Problem::Unclosed => "a quoted field is not closed before the end of the file".into(),
    };
    parse_error(path, Some(line + e.line as u64), name, message)
}

pub(super) fn parse_error(path: &Path, line: Option<u64>, column: Option<String>, message: String) -> Error {
    Error::Parse { path: path.into(), line, column, message }
}

/// the columns a read uses: the target's, the features' and which features are categories.
pub(super) struct Columns {
    pub target: Option<(usize, String)>,
    pub features: Vec<usize>,
}

pub(super) fn select_columns(header: &[String], path: &Path, options: &CsvOptions, labelled: bool) -> Result<Columns> {
    let err = |column: Option<String>, message: String| parse_error(path, Some(1), column, message);
    let find = |name: &str, role: &'static str| {
        header.iter().position(|h| h == name).ok_or_else(|| Error::MissingColumn {
            path: path.into(),
            column: name.into(),
            role,
            available: header.to_vec(),
        })
    };
    let target = if labelled {
        let name = options.target.clone().unwrap_or_else(|| header.last().cloned().unwrap_or_default());
        if header.iter().filter(|h| **h == name).count() > 1 {
            return Err(err(Some(name), "duplicate column name".into()));
        }
        Some((find(&name, "--target")?, name))
    } else {
        None
    };
    let features: Vec<usize> = match &options.features {
        Some(names) => names.iter().map(|n| find(n, "--features")).collect::<Result<_>>()?,
        None => (0..header.len()).filter(|&j| Some(j) != target.as_ref().map(|t| t.0)).collect(),
    };
    if features.is_empty() {
        return Err(err(None, "no feature columns: the file has only the target column".into()));
    }
    if let Some((t, name)) = &target
        && features.contains(t)
    {
        return Err(err(Some(name.clone()), "the target column cannot also be a feature".into()));
    }
    for (k, &j) in features.iter().enumerate() {
        if header[j].is_empty() {
            return Err(err(Some(format!("{}", j + 1)), "feature column has an empty name".into()));
        }
        if let Some(&dup) = features[..k].iter().find(|&&i| header[i] == header[j]) {
            return Err(err(
                Some(header[j].clone()),
                format!("duplicate column name (columns {} and {})", dup + 1, j + 1),
            ));
        }
    }
    let named =
        options.categorical.iter().map(String::as_str).chain(options.levels.iter().flatten().map(|c| c.name.as_str()));
    for name in named {
        let j = find(name, "--categorical")?;
        if !features.contains(&j) {
            return Err(Error::param("categorical", format!("`{name}` is not a feature column")));
        }
    }
    Ok(Columns { target, features })
}

/// what the rows at the start of a file say about a feature column.
#[derive(Clone, Debug, Default)]
struct Seen {
    /// a value that is a number
    number: bool,
    /// the first value that is text (not a number, not a missing-value code), and its line
    /// within the rows
    text: Option<(usize, String)>,
}

/// what the rows of `text` (up to about `infer` bytes) hold in each feature column (by file
/// column).
fn seen_in_columns(text: &[u8], features: &[usize], options: &CsvOptions, infer: usize) -> Vec<Seen> {
    let mut seen = vec![Seen::default(); features.iter().max().map_or(0, |&j| j + 1)];
    let mut wanted = vec![false; seen.len()];
    features.iter().for_each(|&j| wanted[j] = true);
    let mut records = Records::new(text, options.delimiter);
    while !records.done() && records.position() < infer {
        let line = records.lines;
        let read = records.next_record(|j, raw| {
            if !wanted.get(j).copied().unwrap_or(false) {
                return;
            }
            let t = raw.trim_ascii();
            if t.is_empty() || options.na_values.iter().any(|na| na.trim().as_bytes() == t) {
                return;
            }
            match crate::io::decimal::parse_whole(t) {
                Some(_) => seen[j].number = true,
                None => {
                    seen[j].text.get_or_insert_with(|| (line, String::from_utf8_lossy(t).into_owned()));
                }
            }
        });
        if read.is_err() {
            break;
        }
    }
    seen
}

/// which features are categories: named ones, and those holding text and no numbers in the
/// rows `first_rows` (starting at `line`); a column holding both is an error.
fn category_columns(
    header: &[String],
    columns: &Columns,
    first_rows: &[u8],
    line: u64,
    options: &CsvOptions,
    infer: usize,
    path: &Path,
) -> Result<Vec<bool>> {
    if let Some(levels) = &options.levels {
        return Ok(columns.features.iter().map(|&j| levels.iter().any(|c| c.name == header[j])).collect());
    }
    let seen = seen_in_columns(first_rows, &columns.features, options, infer);
    columns
        .features
        .iter()
        .map(|&j| {
            let name = &header[j];
            if options.categorical.contains(name) {
                return Ok(true);
            }
            match &seen[j] {
                Seen { number: true, text: Some((at, text)) } => Err(parse_error(
                    path,
                    Some(line + *at as u64),
                    Some(name.clone()),
                    format!(
                        "the column holds numbers and text (`{text}`): --na-values {text} reads the text as a missing value, --categorical {name} reads the column as categories"
                    ),
                )),
                Seen { text, .. } => Ok(text.is_some()),
            }
        })
        .collect()
}

/// the plan for every chunk, the features' sources and the category columns' levels.
fn plan(
    header: &[String],
    columns: &Columns,
    categorical: &[bool],
    options: &CsvOptions,
) -> (Plan, Vec<Source>, Vec<Levels>) {
    let mut roles = vec![Role::Unused; header.len()];
    if let Some((t, _)) = &columns.target {
        roles[*t] = Role::Target;
    }
    let (mut sources, mut levels) = (Vec::new(), Vec::new());
    let mut n_numbers = 0;
    for (&j, &is_category) in columns.features.iter().zip(categorical) {
        if is_category {
            roles[j] = Role::Category(levels.len());
            sources.push(Source::Category(levels.len()));
            levels.push(match &options.levels {
                Some(known) => {
                    let column = known.iter().find(|c| c.name == header[j]).expect("a known category column");
                    Levels::known(column, options.unknown_level)
                }
                None => Levels::open(&header[j]),
            });
        } else {
            roles[j] = Role::Number(n_numbers);
            sources.push(Source::Number(n_numbers));
            n_numbers += 1;
        }
    }
    let na_values: Vec<Vec<u8>> = options.na_values.iter().map(|na| na.trim().as_bytes().to_vec()).collect();
    let numeric_na = na_values.iter().any(|na| chunk::finite(na).is_some());
    let numeric = roles.iter().map(|r| matches!(r, Role::Number(_)) && !numeric_na).collect();
    let plan = Plan {
        numeric,
        roles,
        n_numbers,
        n_categories: levels.len(),
        delimiter: options.delimiter,
        numeric_na,
        na_values,
        missing: options.missing,
    };
    (plan, sources, levels)
}

/// a window of whole records read ahead (read into a buffer, or a slice of the mapped file),
/// where its chunks end, and whether those ends (and the window's) are a guess: newlines taken
/// as record ends without looking for quotes.
type Window<'t> = std::io::Result<Option<(Cow<'t, [u8]>, Vec<usize>, bool)>>;

/// the windows a reading thread sends, in order.
type WindowsFrom<'t> = std::sync::mpsc::Receiver<Window<'t>>;

/// a reading thread started again at a window's start, splitting quote-aware.
type ReadAgain<'a, 't> = &'a mut dyn FnMut(&[u8]) -> WindowsFrom<'t>;

fn read_table<R: Read + Send>(
    reader: R,
    path: &Path,
    options: &CsvOptions,
    labelled: bool,
    sizes: Sizes,
) -> Result<Table> {
    let delimiter = options.delimiter;
    let spacing = sizes.chunk;
    // a thread reads the next window while the pool parses this one; buffers go back to it
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Window<'static>>(1);
        let (spare_tx, spare_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        scope.spawn(move || {
            let mut windows = Windows::new(reader, sizes.first_window(), sizes.window);
            loop {
                let mut ends = Vec::new();
                let next = windows.next_buffer(spare_rx.try_recv().unwrap_or_default(), |text, eof| {
                    ends = chunk_ends(text, delimiter, spacing, eof);
                    ends.last().copied()
                });
                let more = matches!(next, Ok(Some(_)));
                // a closed channel: the parse ended early (an error), so stop reading
                if full_tx.send(next.map(|w| w.map(|w| (Cow::Owned(w), ends, false)))).is_err() || !more {
                    break;
                }
            }
        });
        let done = |window: Cow<'_, [u8]>, _: u64| {
            if let Cow::Owned(buffer) = window {
                let _ = spare_tx.send(buffer);
            }
        };
        parse_windows(full_rx, None, done, path, options, labelled, sizes)
    })
}

/// [`read_table`] of a mapped file: its windows are slices of the mapping (no copy), each
/// brought into memory by a thread while the pool parses the one before and let go once parsed;
/// `progress` hears the bytes parsed so far after each window.
///
/// when the first window holds no quote, the windows after it are split at newlines without
/// a scan for quotes (which took about 5 % of a 1M × 100 file's read on two zen 5 cores): the
/// parse checks the guess, and from a window with a quoted field in it a new reading thread
/// splits the rest of the file quote-aware.
fn read_mapped_table(
    text: &MappedText,
    path: &Path,
    options: &CsvOptions,
    labelled: bool,
    sizes: Sizes,
    progress: &mut dyn FnMut(u64),
) -> Result<Table> {
    let delimiter = options.delimiter;
    let spacing = sizes.chunk;
    let all = text.as_bytes();
    std::thread::scope(|scope| {
        // a thread that brings in the windows from `start` (a record's first byte) on; when `start`
        // is 0 and the first window holds no quote, the windows after it split at newlines alone
        let read_from = |mut start: usize| {
            let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Window<'_>>(1);
            scope.spawn(move || {
                let mut size = if start == 0 { sizes.first_window() } else { sizes.window };
                let mut guess = false;
                while start < all.len() {
                    let mut ends = Vec::new();
                    let len = window_in(&all[start..], size, sizes.window, |window, eof| {
                        text.bring_in(start..start + window.len());
                        ends = if guess {
                            newline_ends(window, spacing, eof)
                        } else {
                            chunk_ends(window, delimiter, spacing, eof)
                        };
                        ends.last().copied()
                    });
                    let window = &all[start..start + len];
                    let guessed = guess;
                    if start == 0 {
                        guess = memchr::memchr(b'"', window).is_none();
                    }
                    start += len;
                    size = sizes.window;
                    // a closed channel: the parse ended early, or reads again from elsewhere
                    if full_tx.send(Ok(Some((Cow::Borrowed(window), ends, guessed)))).is_err() {
                        return;
                    }
                }
                let _ = full_tx.send(Ok(None));
            });
            full_rx
        };
        let done = |window: Cow<'_, [u8]>, bytes_done: u64| {
            text.let_go(&window);
            progress(bytes_done);
        };
        let mut again = |window: &[u8]| read_from(text.offset_of(window));
        parse_windows(read_from(0), Some(&mut again), done, path, options, labelled, sizes)
    })
}

/// the table of the windows arriving on `windows`, each handed to `done` with the bytes parsed so
/// far once parsed. where a window's guessed ends fail (it holds a quoted field), `again(window)`
/// gives the windows from that window's start on, split quote-aware.
fn parse_windows<'t>(
    mut windows: WindowsFrom<'t>,
    mut again: Option<ReadAgain<'_, 't>>,
    mut done: impl FnMut(Cow<'t, [u8]>, u64),
    path: &Path,
    options: &CsvOptions,
    labelled: bool,
    sizes: Sizes,
) -> Result<Table> {
    let io_error = |source| Error::Io { path: path.into(), source };
    let delimiter = options.delimiter;
    // the reading thread ends with `None` or an error: a closed channel before that is a panic
    let stopped = || std::io::Error::other("the reading thread stopped before the end of the file");
    let next = |windows: &WindowsFrom<'t>| windows.recv().map_err(|_| stopped()).and_then(|w| w).map_err(io_error);
    let Some((first, ends, _)) = next(&windows)? else {
        return Err(parse_error(path, Some(1), None, "empty file: expected a header row naming the columns".into()));
    };
    let (header, data_start, mut line) = read_header(&first, delimiter, path)?;
    let columns = select_columns(&header, path, options, labelled)?;
    let complete = ends.last().copied().unwrap_or(first.len()).max(data_start);
    let categorical =
        category_columns(&header, &columns, &first[data_start..complete], line, options, sizes.infer, path)?;
    let (plan, sources, mut levels) = plan(&header, &columns, &categorical, options);
    let inferred = options.levels.is_none();

    let mut numbers: Vec<f64> = Vec::new();
    let mut codes: Vec<u32> = Vec::new();
    let mut labels = LabelCollector::default();
    let (mut rows, mut dropped) = (0usize, 0usize);
    let mut window = Some((first, ends, false));
    // the chunks' number buffers, kept for the next window's chunks
    let mut spare: Vec<Vec<f64>> = Vec::new();
    let mut start = data_start;
    let mut bytes_done = 0u64;
    while let Some((text, ends, guessed)) = window {
        let mut chunks = Vec::with_capacity(ends.len());
        for &end in &ends {
            if end > start {
                chunks.push(&text[start..end]);
                start = end;
            }
        }
        let buffers: Vec<Vec<f64>> = (0..chunks.len()).map(|_| spare.pop().unwrap_or_default()).collect();
        let parsed: Vec<std::result::Result<chunk::Chunk, ChunkError>> =
            chunks.par_iter().zip(buffers).map(|(c, buffer)| parse_chunk(c, &plan, labelled, buffer)).collect();
        // a quoted field (or a problem) in a window split at newlines alone: a chunk may end
        // inside quotes, so the file is read again from this window on, split quote-aware
        if guessed && parsed.iter().any(|c| c.as_ref().is_ok_and(|c| c.quoted) || c.is_err()) {
            let again = again.as_mut().expect("windows split by a guess come with a way to read again");
            spare.extend(parsed.into_iter().filter_map(|c| c.ok().map(|c| c.numbers)));
            // the reading thread of the guesses stops at its next window (its channel closes)
            windows = again(&text);
            start = 0;
            window = next(&windows)?;
            continue;
        }
        let mut parts = Vec::with_capacity(parsed.len());
        for result in parsed {
            let mut chunk = result.map_err(|e| chunk_error(e, line, path, &header, &plan, inferred))?;
            parts.push(std::mem::take(&mut chunk.numbers));
            let maps = levels
                .iter_mut()
                .zip(&chunk.levels)
                .map(|(global, local)| {
                    global.merge(local).map_err(|u| {
                        parse_error(path, Some(line + u.line as u64), Some(global.name().into()), u.message)
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            for row in chunk.codes.chunks_exact(maps.len().max(1)) {
                codes.extend(row.iter().zip(&maps).map(|(&c, map)| map[c as usize]));
            }
            labels.append(chunk.labels);
            rows += chunk.rows;
            dropped += chunk.dropped;
            line += chunk.lines as u64;
        }
        append_in_parallel(&mut numbers, &parts);
        spare.extend(parts);
        start = 0;
        bytes_done += text.len() as u64;
        done(text, bytes_done);
        window = next(&windows)?;
    }
    if rows == 0 {
        let why = if dropped > 0 { format!(" (all {dropped} had a missing value)") } else { String::new() };
        return Err(parse_error(path, None, None, format!("the header has no data rows below it{why}")));
    }
    let parts = Parts { numbers, n_numbers: plan.n_numbers, codes, sources, levels, labels, dropped };
    assemble(&header, columns, parts, path)
}

/// `parts` appended to `out` in order, copied on all threads (the new memory first touched
/// there too, not on one thread while the others wait).
fn append_in_parallel(out: &mut Vec<f64>, parts: &[Vec<f64>]) {
    let total: usize = parts.iter().map(Vec::len).sum();
    out.reserve(total);
    let mut rest = &mut out.spare_capacity_mut()[..total];
    let mut places = Vec::with_capacity(parts.len());
    for part in parts {
        let (place, after) = rest.split_at_mut(part.len());
        places.push(place);
        rest = after;
    }
    places.into_par_iter().zip(parts).for_each(|(place, part)| {
        super::memory::bring_in_for_writing(place);
        place.iter_mut().zip(part).for_each(|(to, &v)| {
            to.write(v);
        });
    });
    let len = out.len() + total;
    // SAFETY: the `total` values after the old length were each written above
    unsafe { out.set_len(len) };
}

/// the rows of a table as read: numbers (row-major), category codes (of `levels`' collection
/// order), labels, and how each feature is made.
pub(super) struct Parts {
    pub numbers: Vec<f64>,
    pub n_numbers: usize,
    pub codes: Vec<u32>,
    pub sources: Vec<Source>,
    pub levels: Vec<Levels>,
    pub labels: LabelCollector,
    pub dropped: usize,
}

/// the table of `parts`: levels sorted, categories as dummy columns, features named.
pub(super) fn assemble(header: &[String], columns: Columns, parts: Parts, path: &Path) -> Result<Table> {
    let Parts { numbers, n_numbers, mut codes, sources, levels, labels, dropped } = parts;
    let (categories, positions): (Vec<CategoricalColumn>, Vec<Vec<u32>>) =
        levels.into_iter().map(Levels::finish).unzip();
    if !categories.is_empty() {
        let n = categories.len();
        for (k, code) in codes.iter_mut().enumerate() {
            if *code != super::categories::NO_LEVEL {
                *code = positions[k % n][*code as usize];
            }
        }
    }
    let values = dummy_code(numbers, n_numbers, &codes, &categories, &sources)?;
    let names: Vec<String> = sources
        .iter()
        .zip(&columns.features)
        .flat_map(|(s, &j)| match *s {
            Source::Number(_) => vec![header[j].clone()],
            Source::Category(c) => categories[c].dummy_names().collect(),
        })
        .collect();
    if names.is_empty() {
        return Err(parse_error(
            path,
            None,
            None,
            "no feature columns: every category column has a single level".into(),
        ));
    }
    Ok(Table {
        values,
        names,
        columns: columns.features.iter().map(|&j| header[j].clone()).collect(),
        categories,
        labels: columns.target.map(|(_, name)| (labels, name)),
        dropped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, options: &CsvOptions) -> Result<LoadedData> {
        read_csv_from(text.as_bytes(), Path::new("t.csv"), options)
    }

    #[test]
    fn reads_quoted_crlf_bom_and_ignores_unselected_text() {
        let text = "\u{feff}\"\",a,\"b\",y\r\nr1,1.5,2,yes\r\nr2,\"3\",-4e1,no\r\n";
        let d = read(
            text,
            &CsvOptions {
                features: Some(vec!["a".into(), "b".into()]),
                target: Some("y".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(d.dataset.dense_features().unwrap().data(), &[1.5, 2.0, 3.0, -40.0]);
        assert_eq!(d.dataset.labels(), &[1.0, 0.0]);
        assert_eq!(d.classes.positive(), "yes");
        assert_eq!(d.dataset.feature_names(), &["a".to_string(), "b".to_string()]);
    }

    #[test]
    fn errors_name_line_and_column() {
        let o = CsvOptions::default();
        let e = read("a,b,y\n1,2,0\n3,NA,1\n", &o).unwrap_err().to_string();
        assert_eq!(
            e,
            "t.csv, line 3, column b: missing value (`NA`); --missing drop drops the rows that have one (R's na.omit)"
        );
        let e = read("a,b,y\n1,,0\n", &o).unwrap_err().to_string();
        assert!(e.contains("line 2, column b: missing value (an empty value)"), "{e}");
        let numeric = CsvOptions { levels: Some(Vec::new()), ..o.clone() };
        let e = read("a,b,y\n1,x,0\n", &numeric).unwrap_err().to_string();
        assert!(e.ends_with("line 2, column b: expected a finite number, found `x`"), "{e}");
        let e = read("a,b,y\n1,inf,0\n", &o).unwrap_err().to_string();
        assert!(e.contains("found `inf`"), "{e}");
        let e = read("a,b,y\n1,2,0\n1,2\n", &o).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("2 fields, the header has 3"), "{e}");
        let e = read("a,a,y\n1,2,0\n", &o).unwrap_err().to_string();
        assert!(e.contains("column a: duplicate column name"), "{e}");
        let e = read("a,b,y\n", &o).unwrap_err().to_string();
        assert!(e.contains("no data rows"), "{e}");
        let drop = CsvOptions { missing: Missing::Drop, ..o.clone() };
        let e = read("a,b,y\nNA,1,0\n", &drop).unwrap_err().to_string();
        assert!(e.contains("no data rows below it (all 1 had a missing value)"), "{e}");
        let e = read("", &o).unwrap_err().to_string();
        assert!(e.contains("empty file"), "{e}");
        let e = read("a,y\n1,0\n2,0\n", &o).unwrap_err().to_string();
        assert!(e.contains("at least two classes (at most 255), found 1: `0`"), "{e}");
        let e = read("a,y\n1,0\n", &CsvOptions { target: Some("z".into()), ..o.clone() }).unwrap_err().to_string();
        assert!(e.contains("no column named `z` (--target)"), "{e}");
        let (x, rows, names) = read_csv_features(
            "b,a\n1,2\n3,4\n".as_bytes(),
            Path::new("t.csv"),
            &CsvOptions { features: Some(vec!["a".into()]), ..o },
        )
        .unwrap();
        assert_eq!((x, rows, names), (vec![2.0, 4.0], 2, vec!["a".to_string()]));
    }

    #[test]
    fn missing_values_drop_rows_in_used_columns_only() {
        let text = "a,b,note,y\n1,2,,yes\n?,3,x,no\n4,NaN,x,yes\n5,6,x,\n7,8,x,no\n9, NA ,x,no\n";
        let o = CsvOptions {
            features: Some(vec!["a".into(), "b".into()]),
            target: Some("y".into()),
            missing: Missing::Drop,
            ..Default::default()
        };
        // the empty `note` of row 1 is not used; rows 2-4 and 6 miss a used value
        let d = read(text, &o).unwrap();
        assert_eq!(d.dataset.dense_features().unwrap().data(), &[1.0, 2.0, 7.0, 8.0]);
        assert_eq!(d.dataset.labels(), &[1.0, 0.0]);
        assert_eq!(d.dropped_rows, 4);
        // other texts as missing: `?` is then an ordinary (bad) number
        let custom = CsvOptions { na_values: vec!["-".into()], levels: Some(Vec::new()), ..o.clone() };
        let e = read("a,b,y\n1,-,0\n2,?,1\n", &custom).unwrap_err().to_string();
        assert!(e.ends_with("line 3, column b: expected a finite number, found `?`"), "{e}");
        // a number as the missing-value code (-999): rows holding it are dropped, not parsed
        let coded = CsvOptions { na_values: vec!["-999".into()], ..o.clone() };
        let d = read("a,b,y\n1,-999,0\n2,3,1\n-999,4,1\n5,6,0\n", &coded).unwrap();
        assert_eq!((d.dataset.dense_features().unwrap().data(), d.dropped_rows), (&[2.0, 3.0, 5.0, 6.0][..], 2));
        // prediction keeps every row: a missing value is an error whatever the setting
        let e = read_csv_features("a,b\n1,NA\n".as_bytes(), Path::new("t.csv"), &o).unwrap_err().to_string();
        assert!(e.contains("line 2, column b: missing value"), "{e}");
    }

    /// a file with quotes, crlf, a bom, delimiters and newlines inside quoted text, empty lines,
    /// numbers in many spellings, a category column with quoted levels and missing values.
    fn awkward_file() -> String {
        let mut text = String::from("\u{feff}id,\"x 1\",note,g,x2,y\r\n");
        let spellings = ["1", "-2.5e-3", "+7", ".5", "3.", "1e10", "\"4.25\"", " 6 ", "0.1", "-0"];
        for i in 0..120 {
            let note = match i % 4 {
                0 => "\"a, \"\"quoted\"\"\nnote\"".to_string(),
                1 => "plain".into(),
                2 => "\"\"".into(),
                _ => format!("n{i}"),
            };
            let g = ["\"b,1\"", "a", "c", "\"a\""][i % 4];
            let x2 = if i % 17 == 5 { "NA".to_string() } else { format!("{}", i as f64 * 0.37 - 11.0) };
            let y = ["yes", "no", "\"yes\""][i % 3];
            let end = if i % 2 == 0 { "\r\n" } else { "\n" };
            text.push_str(&format!("r{i},{},{note},{g},{x2},{y}{end}", spellings[i % spellings.len()]));
            if i % 29 == 3 {
                text.push_str("\r\n");
            }
        }
        text
    }

    /// the table read in windows and chunks of these sizes, from a reader and (the same table or
    /// error, checked here) from the file mapped.
    fn read_sized(text: &str, o: &CsvOptions, window: usize, chunk: usize) -> Result<Table> {
        let infer = if window > 1 << 30 { INFER_BYTES } else { 64 };
        let sizes = Sizes { window, chunk, infer };
        let read = read_table(text.as_bytes(), Path::new("t.csv"), o, true, sizes);
        static FILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let file = std::env::temp_dir().join(format!("logreg-csv-{}-{n}.csv", std::process::id()));
        std::fs::write(&file, text).unwrap();
        let mapped = MappedText::map(&File::open(&file).unwrap());
        std::fs::remove_file(&file).unwrap();
        let Some(mapped) = mapped else { return read };
        let mut reported = Vec::new();
        let again = read_mapped_table(&mapped, Path::new("t.csv"), o, true, sizes, &mut |b| reported.push(b));
        match (&read, &again) {
            (Ok(a), Ok(b)) => {
                let bits = |t: &Table| t.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(a), bits(b), "window {window}, chunks {chunk}");
                assert_eq!((&a.names, &a.columns, a.dropped), (&b.names, &b.columns, b.dropped));
                assert_eq!(reported.last(), Some(&(text.len() as u64)), "the progress ends at the file's length");
                assert!(reported.is_sorted());
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("read {:?}, mapped {:?}", read.as_ref().err(), again.as_ref().err()),
        }
        read
    }

    /// a target value written several ways is one class, whichever spelling a chunk met first.
    #[test]
    fn spellings_of_one_target_value_are_one_class() {
        let spellings = ["1", "1.0", "0", "0.00", "1e0", "-0", " 1 "];
        let mut text = String::from("x,y\n");
        for i in 0..70 {
            text.push_str(&format!("{i},{}\n", spellings[i % spellings.len()]));
        }
        let expected: Vec<f64> = (0..70).map(|i| [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0][i % 7]).collect();
        for (window, chunk) in [(usize::MAX / 4, usize::MAX / 4), (1, 1), (7, 3), (40, 17)] {
            let table = read_sized(&text, &CsvOptions::default(), window, chunk).unwrap();
            let (y, classes) = table.labels.unwrap().0.finish("y", None).unwrap();
            assert_eq!(y, expected, "window {window}, chunks {chunk}");
            assert_eq!(classes.len(), 2);
        }
    }

    #[test]
    fn chunked_reads_equal_the_sequential_read_bit_for_bit() {
        let text = awkward_file();
        let o = CsvOptions {
            features: Some(vec!["x 1".into(), "g".into(), "x2".into()]),
            missing: Missing::Drop,
            ..Default::default()
        };
        let whole = read_sized(&text, &o, usize::MAX / 4, usize::MAX / 4).unwrap();
        assert_eq!(whole.names, ["x 1", "g[T.b,1]", "g[T.c]", "x2"]);
        assert_eq!(whole.dropped, 7);
        // the numbers as the csv crate and std's parser read them
        let mut rdr = ::csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let mut expected = Vec::new();
        for r in rdr.records() {
            let r = r.unwrap();
            if r[4].trim() == "NA" {
                continue;
            }
            let g = ["a", "b,1", "c"].iter().map(|l| f64::from(u8::from(r[3].trim() == *l)));
            expected.push(r[1].trim().parse::<f64>().unwrap());
            expected.extend(g.skip(1));
            expected.push(r[4].trim().parse::<f64>().unwrap());
        }
        assert_eq!(whole.values, expected);
        let bits = |t: &Table| t.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for (window, spacing) in [(1, 1), (3, 2), (7, 1), (64, 5), (100, 1000), (4096, 1)] {
            let t = read_sized(&text, &o, window, spacing).unwrap();
            assert_eq!(bits(&t), bits(&whole), "window {window}, chunks {spacing}");
            assert_eq!((&t.names, t.dropped), (&whole.names, whole.dropped));
            let (a, b) = (t.labels.unwrap().0, whole.labels.as_ref().unwrap().0.clone());
            assert_eq!(a.finish("y", None).unwrap(), b.finish("y", None).unwrap());
        }
        // an error's line and column do not depend on the chunks either
        let bad = text.replacen("r101,", "r101,\"oops\"", 1).replacen(",NA,", ",x,", 1);
        let strict = CsvOptions { levels: Some(vec![]), features: Some(vec!["x 1".into(), "x2".into()]), ..o.clone() };
        let first = read_sized(&bad, &strict, usize::MAX / 4, usize::MAX / 4).err().unwrap().to_string();
        assert!(first.contains("column x2: expected a finite number, found `x`"), "{first}");
        for (window, spacing) in [(1, 1), (5, 3), (50, 7), (1000, 10)] {
            let e = read_sized(&bad, &strict, window, spacing).err().unwrap().to_string();
            assert_eq!(e, first);
        }
        let e = read_sized("a,y\n1,0\n\"2,1\n", &CsvOptions::default(), 2, 1).err().unwrap().to_string();
        assert_eq!(e, "t.csv, line 3: a quoted field is not closed before the end of the file");
    }

    /// windows after a first one without quotes are split at newlines alone; where quoted
    /// fields (with newlines and delimiters in them) come later, the mapped read starts again
    /// from the window that holds the first, quote-aware, and reads what the quote-aware reader
    /// reads (checked by `read_sized`), errors at the same line.
    #[test]
    fn a_split_guessed_at_newlines_is_redone_where_quotes_come() {
        let mut text = String::from("id,x,note,y\n");
        let mut rows = 0;
        for i in 0..9000 {
            let note = match i {
                _ if i < 4000 || i % 5 != 0 => "plain".to_string(),
                _ if i % 3 == 0 => format!("\"a,{i}\nb \"\"c\"\",\n\""),
                _ => "\"\"".to_string(),
            };
            text.push_str(&format!("r{i},{},{note},{}\n", i as f64 * 0.25 - 7.0, i % 2));
            rows += 1;
        }
        let o = CsvOptions { features: Some(vec!["x".into()]), ..Default::default() };
        let whole = read_sized(&text, &o, usize::MAX / 4, usize::MAX / 4).unwrap();
        assert_eq!(whole.values.len(), rows);
        assert_eq!(whole.values[rows - 1], 8999.0 * 0.25 - 7.0);
        for (window, spacing) in [(1, 1), (7, 3), (4096, 100), (20_000, 1000), (100_000, 50_000)] {
            let t = read_sized(&text, &o, window, spacing).unwrap();
            assert_eq!(t.values, whole.values, "window {window}, chunks {spacing}");
        }
        // a bad number among the quoted rows, and a quote left open at the end
        let bad = text.replacen("r8000,", "r8000,oops", 1);
        let line = 2 + 8000 + (4000..8000).filter(|i| i % 5 == 0 && i % 3 == 0).count() * 2;
        for (window, spacing) in [(4096, 100), (100_000, 50_000)] {
            let e = read_sized(&bad, &o, window, spacing).err().unwrap().to_string();
            assert!(e.starts_with(&format!("t.csv, line {line}, column x: ")) && e.contains("`oops1993`"), "{e}");
        }
        let open = format!("{text}r9,1,\"open\n");
        let e = read_sized(&open, &o, 4096, 100).err().unwrap().to_string();
        assert!(e.contains("a quoted field is not closed before the end of the file"), "{e}");
    }

    #[test]
    fn text_columns_become_dummy_columns_named_as_statsmodels() {
        let text = "student,balance,race,default\nNo,10.5,1,No\nYes,20,2,Yes\nNo,30,3,No\nYes,5,1,No\n";
        let d = read(text, &CsvOptions::default()).unwrap();
        assert_eq!(d.dataset.feature_names(), ["student[T.Yes]", "balance", "race"]);
        assert_eq!(
            d.dataset.dense_features().unwrap().data(),
            &[0.0, 10.5, 1.0, 1.0, 20.0, 2.0, 0.0, 30.0, 3.0, 1.0, 5.0, 1.0]
        );
        assert_eq!(d.columns, ["student", "balance", "race"]);
        // numbers forced to categories, numeric level order
        let forced = CsvOptions { categorical: vec!["race".into()], ..Default::default() };
        let d = read(text, &forced).unwrap();
        assert_eq!(d.dataset.feature_names(), ["student[T.Yes]", "balance", "race[T.2]", "race[T.3]"]);
        assert_eq!(
            d.categories[1],
            CategoricalColumn { name: "race".into(), levels: vec!["1".into(), "2".into(), "3".into()] }
        );
        // prediction with the model's levels: an unseen level is an error, or the reference
        let known = CsvOptions { levels: Some(d.categories.clone()), ..Default::default() };
        let new = "race,student,balance\n2,No,1\n4,Yes,2\n";
        let features = |o: &CsvOptions| {
            let o = CsvOptions { features: Some(d.columns.clone()), ..o.clone() };
            read_csv_features(new.as_bytes(), Path::new("new.csv"), &o)
        };
        let e = features(&known).unwrap_err().to_string();
        assert!(
            e.starts_with("new.csv, line 3, column race: level `4` was not seen in training (levels: 1, 2, 3)"),
            "{e}"
        );
        let ignore = CsvOptions { unknown_level: UnknownLevel::Ignore, ..known };
        let (x, rows, names) = features(&ignore).unwrap();
        assert_eq!((rows, names), (2, d.dataset.feature_names().to_vec()));
        assert_eq!(x, [0.0, 1.0, 1.0, 0.0, 1.0, 2.0, 0.0, 0.0]);
        // a column that holds text only after the rows that decide is an error with the way out
        let mut late = String::from("x,y\n");
        while late.len() <= INFER_BYTES {
            late.push_str("1.5,0\n2.5,1\n");
        }
        late.push_str("high,1\n");
        let e = read(&late, &CsvOptions::default()).unwrap_err().to_string();
        assert!(e.ends_with("column x: expected a finite number, found `high`; the column holds only numbers in the file's first rows, --categorical x reads it as categories"), "{e}");
        let e = read(text, &CsvOptions { categorical: vec!["default".into()], ..Default::default() })
            .unwrap_err()
            .to_string();
        assert!(e.contains("`default` is not a feature column"), "{e}");
    }
}
