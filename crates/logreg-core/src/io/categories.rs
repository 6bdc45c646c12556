//! text categories as dummy (treatment) columns, as statsmodels / patsy code them: the levels in
//! sorted order, the first the reference (no column), one 0/1 column `name[T.level]` for each
//! other level.

use std::collections::HashMap;

use super::labels::canonical;
use crate::error::{Error, Result};

/// most levels a category column may have: each is a dense column of the design matrix.
pub const MAX_LEVELS: usize = 1000;

/// a feature column read as categories, and its levels; the first level is the reference.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CategoricalColumn {
    /// the column's name in the file
    pub name: String,
    /// the levels in sorted order (numeric order when all are numbers)
    pub levels: Vec<String>,
}

impl CategoricalColumn {
    /// the names of its dummy columns, `name[T.level]` for every level but the first.
    pub fn dummy_names(&self) -> impl Iterator<Item = String> + '_ {
        self.levels.iter().skip(1).map(move |l| format!("{}[T.{l}]", self.name))
    }

    /// its number of dummy columns.
    pub fn width(&self) -> usize {
        self.levels.len().saturating_sub(1)
    }
}

/// what to do with a level that the model did not see in training.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnknownLevel {
    /// an error naming the column, the level and where it is (the default)
    #[default]
    Error,
    /// all its dummies 0, as the reference level (scikit-learn's `handle_unknown="ignore"`)
    Ignore,
}

/// the code of a level that is coded as all zeros (an ignored unknown level).
pub(crate) const NO_LEVEL: u32 = u32::MAX;

/// the distinct values of one category column in a part of the file, in order of appearance.
#[derive(Debug, Default)]
pub(crate) struct LocalLevels {
    index: HashMap<Box<[u8]>, u32>,
    texts: Vec<Box<[u8]>>,
    /// the line (within the part) where each level first appears
    first_line: Vec<usize>,
}

impl LocalLevels {
    /// the code of `value` in this part, met at `line`.
    pub fn code(&mut self, value: &[u8], line: usize) -> u32 {
        if let Some(&c) = self.index.get(value) {
            return c;
        }
        let c = self.texts.len() as u32;
        self.index.insert(value.into(), c);
        self.texts.push(value.into());
        self.first_line.push(line);
        c
    }
}

/// levels gathered over the parts of a file, in order, for one column.
#[derive(Debug)]
pub(crate) struct Levels {
    name: String,
    /// known levels (a model's: fixed) or the levels seen so far (training: grows)
    levels: Vec<String>,
    index: HashMap<String, u32>,
    fixed: Option<UnknownLevel>,
}

/// a level the model does not know (or one too many), met at a line of the part being merged.
#[derive(Debug)]
pub(crate) struct Unknown {
    /// the line within the part
    pub line: usize,
    /// what to say
    pub message: String,
}

impl Levels {
    /// levels collected while reading training data.
    pub fn open(name: &str) -> Self {
        Levels { name: name.into(), levels: Vec::new(), index: HashMap::new(), fixed: None }
    }

    /// a model's levels, for prediction.
    pub fn known(column: &CategoricalColumn, unknown: UnknownLevel) -> Self {
        let index = column.levels.iter().enumerate().map(|(c, l)| (l.clone(), c as u32)).collect();
        Levels { name: column.name.clone(), levels: column.levels.clone(), index, fixed: Some(unknown) }
    }

    /// the column's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// the global codes of a part's local codes; text that is not utf-8, too many levels, or
    /// (prediction) an unknown level is an error at the first row holding one.
    pub fn merge(&mut self, local: &LocalLevels) -> std::result::Result<Vec<u32>, Unknown> {
        let mut map = Vec::with_capacity(local.texts.len());
        let mut problem: Option<Unknown> = None;
        let mut report = |line: usize, message: String| {
            if problem.as_ref().is_none_or(|p| line < p.line) {
                problem = Some(Unknown { line, message });
            }
        };
        for (k, raw) in local.texts.iter().enumerate() {
            let line = local.first_line[k];
            let Ok(text) = std::str::from_utf8(raw) else {
                report(line, "category is not valid UTF-8".into());
                map.push(NO_LEVEL);
                continue;
            };
            let key = canonical(text);
            let code = match (self.index.get(&key), self.fixed) {
                (Some(&c), _) => c,
                (None, Some(UnknownLevel::Ignore)) => NO_LEVEL,
                (None, Some(UnknownLevel::Error)) => {
                    report(
                        line,
                        format!(
                            "level `{key}` was not seen in training (levels: {}); --unknown-level ignore codes it as the reference level `{}`",
                            self.levels.join(", "),
                            self.levels.first().map_or("", String::as_str)
                        ),
                    );
                    NO_LEVEL
                }
                (None, None) if self.levels.len() >= MAX_LEVELS => {
                    report(
                        line,
                        format!(
                            "more than {MAX_LEVELS} distinct values: too many to code as dummy columns (leave the column out with --features)"
                        ),
                    );
                    NO_LEVEL
                }
                (None, None) => {
                    let c = self.levels.len() as u32;
                    self.index.insert(key.clone(), c);
                    self.levels.push(key);
                    c
                }
            };
            map.push(code);
        }
        match problem {
            Some(p) => Err(p),
            None => Ok(map),
        }
    }

    /// the column with its levels in sorted order, and each collected code's sorted position
    /// (the identity for a model's levels).
    pub fn finish(self) -> (CategoricalColumn, Vec<u32>) {
        let mut order: Vec<usize> = (0..self.levels.len()).collect();
        if self.fixed.is_none() {
            let numbers: Option<Vec<f64>> = self.levels.iter().map(|l| l.parse::<f64>().ok()).collect();
            match &numbers {
                Some(v) => order.sort_by(|&a, &b| v[a].total_cmp(&v[b])),
                None => order.sort_by(|&a, &b| self.levels[a].cmp(&self.levels[b])),
            }
        }
        let mut position = vec![0u32; order.len()];
        for (p, &c) in order.iter().enumerate() {
            position[c] = p as u32;
        }
        let levels = order.iter().map(|&c| self.levels[c].clone()).collect();
        (CategoricalColumn { name: self.name, levels }, position)
    }
}

/// where a feature's values come from: a numeric column, or a category column's codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// the numeric value at this position of a row
    Number(usize),
    /// the category code at this position of a row
    Category(usize),
}

/// the row-major matrix of `features` (in order), from `numbers` (`rows × n_numbers`,
/// row-major) and `codes` (`rows × columns.len()`, sorted level positions or [`NO_LEVEL`]):
/// numbers as they are, each category as its dummy columns. built in place in `numbers`' buffer.
pub(crate) fn dummy_code(
    mut numbers: Vec<f64>,
    n_numbers: usize,
    codes: &[u32],
    columns: &[CategoricalColumn],
    features: &[Source],
) -> Result<Vec<f64>> {
    let n_codes = columns.len();
    if n_codes == 0 {
        return Ok(numbers);
    }
    let rows = codes.len() / n_codes;
    let width: usize = features
        .iter()
        .map(|s| match *s {
            Source::Number(_) => 1,
            Source::Category(c) => columns[c].width(),
        })
        .sum();
    let too_large = || Error::InvalidData(format!("{rows} rows × {width} columns do not fit in memory"));
    let total = rows.checked_mul(width).ok_or_else(too_large)?;
    numbers.try_reserve_exact(total.saturating_sub(numbers.len())).map_err(|_| too_large())?;
    numbers.resize(total.max(numbers.len()), 0.0);
    let mut row = vec![0.0; n_numbers];
    // last row first: row i's new place starts at or after its old place and ends before row
    // i + 1's new place, so no row is overwritten before it is read
    for i in (0..rows).rev() {
        row.copy_from_slice(&numbers[i * n_numbers..(i + 1) * n_numbers]);
        let out = &mut numbers[i * width..(i + 1) * width];
        let mut j = 0;
        for s in features {
            match *s {
                Source::Number(k) => {
                    out[j] = row[k];
                    j += 1;
                }
                Source::Category(c) => {
                    let w = columns[c].width();
                    out[j..j + w].fill(0.0);
                    let code = codes[i * n_codes + c];
                    if code != NO_LEVEL && code > 0 {
                        out[j + code as usize - 1] = 1.0;
                    }
                    j += w;
                }
            }
        }
    }
    numbers.truncate(total);
    Ok(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_sort_and_code_as_dummies_in_place() {
        let mut local = LocalLevels::default();
        let codes: Vec<u32> =
            ["b", "a", "c", "a", " b "].iter().enumerate().map(|(r, v)| local.code(v.as_bytes(), r)).collect();
        let mut levels = Levels::open("g");
        let map = levels.merge(&local).unwrap();
        let (column, position) = levels.finish();
        assert_eq!(column.levels, ["a", "b", "c"]);
        assert_eq!(column.dummy_names().collect::<Vec<_>>(), ["g[T.b]", "g[T.c]"]);
        let sorted: Vec<u32> = codes.iter().map(|&c| position[map[c as usize] as usize]).collect();
        assert_eq!(sorted, [1, 0, 2, 0, 1]);
        // features: x0, g, x1 from numbers (x0, x1)
        let numbers = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        let x = dummy_code(
            numbers,
            2,
            &sorted,
            std::slice::from_ref(&column),
            &[Source::Number(0), Source::Category(0), Source::Number(1)],
        )
        .unwrap();
        #[rustfmt::skip]
        assert_eq!(x, [
            1.0, 1.0, 0.0, 2.0,
            3.0, 0.0, 0.0, 4.0,
            5.0, 0.0, 1.0, 6.0,
            7.0, 0.0, 0.0, 8.0,
            9.0, 1.0, 0.0, 10.0,
        ]);
    }

    #[test]
    fn numeric_levels_sort_by_value_and_unknown_levels_are_reported() {
        let mut local = LocalLevels::default();
        for (r, v) in ["10", "2", "1.0", "1"].iter().enumerate() {
            local.code(v.as_bytes(), r);
        }
        let mut levels = Levels::open("race");
        levels.merge(&local).unwrap();
        let (column, _) = levels.finish();
        assert_eq!(column.levels, ["1", "2", "10"]);
        let mut known = Levels::known(&column, UnknownLevel::Error);
        let mut new = LocalLevels::default();
        new.code(b"2", 0);
        new.code(b"7", 4);
        new.code(b"9", 2);
        let e = known.merge(&new).err().unwrap();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("level `9` was not seen in training (levels: 1, 2, 10)"), "{}", e.message);
        let mut ignore = Levels::known(&column, UnknownLevel::Ignore);
        assert_eq!(ignore.merge(&new).unwrap(), [1, NO_LEVEL, NO_LEVEL]);
    }
}
