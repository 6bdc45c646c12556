//! mapping a target column's values to class labels: `{0, 1}` for two classes, `0, …, K − 1`
//! for more.

use crate::dataset::MAX_CLASSES;
use crate::error::{Error, Result};

/// the class values of a target as they appear in the file; label `c` is `values[c]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classes {
    /// the value of each label, in label order
    pub values: Vec<String>,
}

impl Classes {
    /// classes from their values in label order.
    pub fn new(values: Vec<String>) -> Self {
        Classes { values }
    }

    /// number of classes.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// whether there are no classes.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// the value modelled as 0 (of a binary target).
    pub fn negative(&self) -> &str {
        &self.values[0]
    }

    /// the value modelled as 1 (of a binary target).
    pub fn positive(&self) -> &str {
        &self.values[1]
    }
}

/// collects the distinct target values while rows stream in, storing one byte per row.
#[derive(Clone, Debug, Default)]
pub struct LabelCollector {
    distinct: Vec<String>,
    codes: Vec<u8>,
    overflow: bool,
}

/// distinct values listed in error messages.
const MAX_LISTED: usize = 10;

impl LabelCollector {
    /// record the target value of the next row; numbers are compared by value (`1.0` is `1`).
    pub fn push(&mut self, raw: &str) {
        let code = self.code_of(canonical(raw));
        self.codes.push(code);
    }

    /// record for the next row the value recorded for an earlier row that had code `code` (see
    /// [`LabelCollector::last_code`]): a repeated value without its text compared again.
    pub(crate) fn push_code(&mut self, code: u8) {
        self.codes.push(code);
    }

    /// the code recorded for the last row pushed.
    pub(crate) fn last_code(&self) -> Option<u8> {
        self.codes.last().copied()
    }

    /// record each of `values` in turn, a value's text (`text`) made and compared only at its
    /// first appearance (told apart by `key`); returns how many were recorded.
    pub(crate) fn push_distinct<T>(
        &mut self,
        values: &[T],
        key: impl Fn(&T) -> u64,
        text: impl Fn(&T) -> String,
    ) -> usize {
        // (key, code) of the values seen: few (the classes), searched in order
        let mut seen: Vec<(u64, u8)> = Vec::new();
        for v in values {
            let k = key(v);
            match seen.iter().find(|(s, _)| *s == k) {
                Some(&(_, code)) => self.push_code(code),
                None => {
                    self.push(&text(v));
                    if seen.len() < 2 * MAX_CLASSES {
                        seen.push((k, self.last_code().expect("just pushed")));
                    }
                }
            }
        }
        values.len()
    }

    /// record each of the numbers `values` in turn ([`LabelCollector::push_distinct`]: each
    /// distinct value written out once); returns how many were recorded.
    pub(crate) fn push_numbers(&mut self, values: &[f64]) -> usize {
        self.push_distinct(values, |v| v.to_bits(), |v| v.to_string())
    }

    /// the code of a value; a value past [`MAX_CLASSES`] marks the collector as overflowed.
    fn code_of(&mut self, key: String) -> u8 {
        match self.distinct.iter().position(|v| *v == key) {
            Some(c) => c as u8,
            None if self.distinct.len() < MAX_CLASSES => {
                self.distinct.push(key);
                (self.distinct.len() - 1) as u8
            }
            None => {
                self.overflow = true;
                0
            }
        }
    }

    /// the rows collected by `other`, after these.
    pub fn append(&mut self, other: LabelCollector) {
        let map: Vec<u8> = other.distinct.into_iter().map(|key| self.code_of(key)).collect();
        self.overflow |= other.overflow;
        self.codes.extend(other.codes.iter().map(|&c| map[c as usize]));
    }

    /// labels and classes. two classes: `{0, 1}` with `positive` (default: the larger value,
    /// numerically when both are numbers) as 1. more: `0, …, K − 1` in ascending order of the
    /// values (numeric when all are numbers), and `positive` is an error. one class, or more than
    /// [`MAX_CLASSES`], is an error listing the values found.
    pub fn finish(self, target: &str, positive: Option<&str>) -> Result<(Vec<f64>, Classes)> {
        let found = || {
            let mut list =
                self.distinct.iter().take(MAX_LISTED).map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
            if self.distinct.len() > MAX_LISTED || self.overflow {
                list.push_str(", …");
            }
            list
        };
        if self.distinct.len() < 2 || self.overflow {
            return Err(Error::InvalidData(format!(
                "target `{target}` must hold at least two classes (at most {MAX_CLASSES}), found {}: {}",
                if self.overflow { format!("more than {MAX_CLASSES}") } else { self.distinct.len().to_string() },
                found()
            )));
        }
        let numeric: Option<Vec<f64>> = self.distinct.iter().map(|v| v.parse::<f64>().ok()).collect();
        let mut order: Vec<usize> = (0..self.distinct.len()).collect();
        match &numeric {
            Some(v) => order.sort_by(|&a, &b| v[a].total_cmp(&v[b])),
            None => order.sort_by(|&a, &b| self.distinct[a].cmp(&self.distinct[b])),
        }
        if let Some(p) = positive {
            if self.distinct.len() > 2 {
                return Err(Error::param(
                    "positive",
                    format!(
                        "target `{target}` has {} classes ({}): a multinomial model has no positive class; drop it",
                        self.distinct.len(),
                        found()
                    ),
                ));
            }
            let key = canonical(p);
            let pos = self.distinct.iter().position(|v| *v == key).ok_or_else(|| {
                Error::param("positive", format!("`{p}` is not a class of target `{target}` (found {})", found()))
            })?;
            order = vec![1 - pos, pos];
        }
        // label of each code
        let mut label_of = vec![0u8; order.len()];
        for (label, &code) in order.iter().enumerate() {
            label_of[code] = label as u8;
        }
        let labels = self.codes.iter().map(|&c| f64::from(label_of[c as usize])).collect();
        let classes = Classes::new(order.iter().map(|&c| self.distinct[c].clone()).collect());
        Ok((labels, classes))
    }
}

/// a value as compared: trimmed, numbers in one spelling (`1.0` is `1`, `-0` is `0`).
pub(super) fn canonical(raw: &str) -> String {
    let t = raw.trim();
    match t.parse::<f64>() {
        // + 0.0 makes −0 into 0, which `{}` would write as `-0`
        Ok(v) if v.is_finite() => format!("{}", v + 0.0),
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(values: &[&str]) -> LabelCollector {
        let mut c = LabelCollector::default();
        values.iter().for_each(|v| c.push(v));
        c
    }

    #[test]
    fn larger_value_is_positive_by_default() {
        let (y, cl) = collect(&["benign", "malignant", "benign"]).finish("t", None).unwrap();
        assert_eq!(y, vec![0.0, 1.0, 0.0]);
        assert_eq!(cl.positive(), "malignant");
        let (y, _) = collect(&["10", "2", "10.0"]).finish("t", None).unwrap();
        assert_eq!(y, vec![1.0, 0.0, 1.0], "numeric order, 1e1 == 10.0");
        let (y, cl) = collect(&["-1", "1"]).finish("t", Some("-1")).unwrap();
        assert_eq!((y, cl.positive()), (vec![1.0, 0.0], "-1"));
    }

    #[test]
    fn wrong_class_counts_list_what_was_found() {
        let e = collect(&["a", "a"]).finish("t", None).unwrap_err().to_string();
        assert!(e.contains("found 1: `a`"), "{e}");
        let e = collect(&["a", "b", "c"]).finish("t", Some("a")).unwrap_err().to_string();
        assert!(e.contains("3 classes (`a`, `b`, `c`)"), "{e}");
        let many: Vec<String> = (0..300).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let e = collect(&refs).finish("t", None).unwrap_err().to_string();
        assert!(e.contains("more than 255"), "{e}");
        let e = collect(&["a", "b"]).finish("t", Some("z")).unwrap_err().to_string();
        assert!(e.contains("`z` is not a class"), "{e}");
    }

    #[test]
    fn more_classes_are_numbered_in_ascending_order() {
        let (y, cl) = collect(&["10", "2", "setosa2"]).finish("t", None).unwrap();
        assert_eq!(cl.values, vec!["10", "2", "setosa2"], "not all numbers: text order");
        assert_eq!(y, vec![0.0, 1.0, 2.0]);
        let (y, cl) = collect(&["10", "2", "3.0", "2"]).finish("t", None).unwrap();
        assert_eq!(cl.values, vec!["2", "3", "10"], "numbers: numeric order");
        assert_eq!(y, vec![2.0, 0.0, 1.0, 0.0]);
    }
}
