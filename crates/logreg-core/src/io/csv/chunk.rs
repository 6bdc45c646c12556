//! one chunk of csv records parsed on one thread: numbers straight into a row-major buffer,
//! category values as codes of the chunk's own levels, target values into a label collector.

use super::Missing;
use super::records::{Records, Value};
use crate::io::LabelCollector;
use crate::io::categories::LocalLevels;

/// the most target texts a chunk remembers with their codes (a text is always given the same
/// code, so a remembered one is not read again).
const MAX_SEEN_LABELS: usize = 16;

/// what a file column is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// not read
    Unused,
    /// a number, at this position of a row's numbers
    Number(usize),
    /// a category, at this position of a row's codes
    Category(usize),
    /// the target
    Target,
}

/// how every chunk of a file is read.
pub(super) struct Plan {
    /// the role of each file column
    pub roles: Vec<Role>,
    pub n_numbers: usize,
    pub n_categories: usize,
    pub delimiter: u8,
    /// the missing-value texts
    pub na_values: Vec<Vec<u8>>,
    /// whether a missing-value text is a number (so numbers are checked against them)
    pub numeric_na: bool,
    /// the file columns parsed as numbers straight from the text: the number columns, unless a
    /// missing-value text is a number
    pub numeric: Vec<bool>,
    pub missing: Missing,
}

impl Plan {
    fn is_na(&self, text: &[u8]) -> bool {
        self.na_values.iter().any(|na| na.as_slice() == text)
    }
}

/// a chunk's rows.
#[derive(Debug, Default)]
pub(super) struct Chunk {
    /// `rows × n_numbers`, row-major
    pub numbers: Vec<f64>,
    /// `rows × n_categories`, codes of `levels`
    pub codes: Vec<u32>,
    /// each category column's levels in this chunk
    pub levels: Vec<LocalLevels>,
    pub labels: LabelCollector,
    pub rows: usize,
    pub dropped: usize,
    /// newlines in the chunk
    pub lines: usize,
    /// whether the chunk holds a quoted field
    pub quoted: bool,
}

/// what is wrong with a record.
#[derive(Debug, PartialEq)]
pub(super) enum Problem {
    /// it has this many fields, not the header's number
    Fields(usize),
    /// a missing value, as written
    Missing(String),
    /// not a finite number: what was found, and whether it is text (not a number at all)
    NotNumber(String, bool),
    /// an empty category or target value
    Empty,
    /// a target value that is not utf-8
    NotUtf8,
    /// a quoted field that the file ends inside of
    Unclosed,
}

/// a problem at a line of the chunk (0: its first) and a file column.
#[derive(Debug)]
pub(super) struct ChunkError {
    pub line: usize,
    pub column: Option<usize>,
    pub problem: Problem,
}

/// a finite number, parsed correctly rounded.
pub(super) fn finite(text: &[u8]) -> Option<f64> {
    crate::io::decimal::parse_whole(text).filter(|v| v.is_finite())
}

fn shown(text: &[u8]) -> String {
    String::from_utf8_lossy(text).into_owned()
}

/// a field read as text: a number column's number, a missing value, a category's or the
/// target's text, or the first problem of its record.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn text_field(
    plan: &Plan,
    column: usize,
    raw: &[u8],
    row: &mut [f64],
    missing: &mut Option<(usize, String)>,
    bad: &mut Option<(usize, Problem)>,
    categories: &mut [Vec<u8>],
    label: &mut Vec<u8>,
) {
    let role = plan.roles.get(column).copied().unwrap_or(Role::Unused);
    if role == Role::Unused {
        return;
    }
    let text = raw.trim_ascii();
    if let Role::Number(k) = role
        && !plan.numeric_na
        && let Some(v) = finite(text)
    {
        row[k] = v;
        return;
    }
    if plan.is_na(text) {
        missing.get_or_insert_with(|| (column, shown(text)));
        return;
    }
    match role {
        Role::Number(k) => match finite(text) {
            Some(v) => row[k] = v,
            None => {
                let is_text = crate::io::decimal::parse_whole(text).is_none();
                bad.get_or_insert_with(|| (column, Problem::NotNumber(shown(text), is_text)));
            }
        },
        _ if text.is_empty() => {
            bad.get_or_insert((column, Problem::Empty));
        }
        Role::Category(c) => {
            categories[c].clear();
            categories[c].extend_from_slice(text);
        }
        Role::Target => {
            label.clear();
            label.extend_from_slice(text);
        }
        Role::Unused => {}
    }
}

/// parse the records of `text` (starting at a record boundary) as `plan` says; the numbers go
/// into `numbers` (emptied first: a buffer of an earlier chunk, so its memory is used again).
pub(super) fn parse_chunk(
    text: &[u8],
    plan: &Plan,
    labelled: bool,
    mut numbers: Vec<f64>,
) -> Result<Chunk, ChunkError> {
    numbers.clear();
    let mut chunk = Chunk {
        numbers,
        levels: (0..plan.n_categories).map(|_| LocalLevels::default()).collect(),
        ..Default::default()
    };
    let mut records = Records::with_numbers(text, plan.delimiter, &plan.numeric);
    let mut categories: Vec<Vec<u8>> = vec![Vec::new(); plan.n_categories];
    let mut label: Vec<u8> = Vec::new();
    let mut seen_labels: Vec<(Vec<u8>, u8)> = Vec::new();
    // each number column's place in a row (the numeric columns are number columns)
    let number_at: Vec<usize> =
        plan.roles.iter().map(|r| if let Role::Number(k) = *r { k } else { usize::MAX }).collect();
    while !records.done() {
        let line = records.lines;
        let start = chunk.numbers.len();
        chunk.numbers.resize(start + plan.n_numbers, 0.0);
        let row = &mut chunk.numbers[start..];
        // the first missing value and the first other problem, by column
        let mut missing: Option<(usize, String)> = None;
        let mut bad: Option<(usize, Problem)> = None;
        let n = records
            .next_values(
                #[inline(always)]
                |column, value| match value {
                    // numbers are parsed in number columns only
                    Value::Number(v) => row[number_at[column]] = v,
                    Value::Text(raw) => {
                        text_field(plan, column, raw, row, &mut missing, &mut bad, &mut categories, &mut label)
                    }
                },
            )
            .map_err(|_| ChunkError { line, column: None, problem: Problem::Unclosed })?;
        if n == 0 {
            chunk.numbers.truncate(start);
            continue;
        }
        if n != plan.roles.len() {
            return Err(ChunkError { line, column: None, problem: Problem::Fields(n) });
        }
        if let Some((column, text)) = missing {
            match plan.missing {
                Missing::Drop => {
                    chunk.numbers.truncate(start);
                    chunk.dropped += 1;
                    continue;
                }
                Missing::Error => {
                    return Err(ChunkError { line, column: Some(column), problem: Problem::Missing(text) });
                }
            }
        }
        if let Some((column, problem)) = bad {
            return Err(ChunkError { line, column: Some(column), problem });
        }
        for (levels, value) in chunk.levels.iter_mut().zip(&categories) {
            chunk.codes.push(levels.code(value, line));
        }
        if labelled {
            // a target text seen before in this chunk takes its code again, without being read
            // as a number and written out once more
            match seen_labels.iter().find(|(raw, _)| *raw == label) {
                Some(&(_, code)) => chunk.labels.push_code(code),
                None => {
                    let text = std::str::from_utf8(&label).map_err(|_| ChunkError {
                        line,
                        column: plan.roles.iter().position(|r| *r == Role::Target),
                        problem: Problem::NotUtf8,
                    })?;
                    chunk.labels.push(text);
                    if seen_labels.len() < MAX_SEEN_LABELS
                        && let Some(code) = chunk.labels.last_code()
                    {
                        seen_labels.push((label.clone(), code));
                    }
                }
            }
        }
        chunk.rows += 1;
    }
    chunk.lines = records.lines;
    chunk.quoted = records.quoted;
    Ok(chunk)
}
