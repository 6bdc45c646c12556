//! mapping a target column's values to the labels {0, 1}.

use crate::error::{Error, Result};

/// the two class values of a target, as they appear in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classes {
    /// the value modelled as 0
    pub negative: String,
    /// the value modelled as 1
    pub positive: String,
}

/// collects the distinct target values while rows stream in, storing one byte per row.
#[derive(Clone, Debug, Default)]
pub struct LabelCollector {
    distinct: Vec<String>,
    codes: Vec<u8>,
}

/// distinct values kept for the error message when there are too many.
const MAX_LISTED: usize = 10;

impl LabelCollector {
    /// record the target value of the next row; numbers are compared by value (`1.0` is `1`).
    pub fn push(&mut self, raw: &str) {
        let key = canonical(raw);
        let code = match self.distinct.iter().position(|v| *v == key) {
            Some(c) => c,
            None if self.distinct.len() < MAX_LISTED => {
                self.distinct.push(key);
                self.distinct.len() - 1
            }
            None => MAX_LISTED, // counted as "more", not listed
        };
        self.codes.push(code as u8);
    }

    /// labels in {0, 1} with `positive` (default: the larger value, numerically when both are numbers)
    /// as 1; an error listing the values when there are not exactly two.
    pub fn finish(self, target: &str, positive: Option<&str>) -> Result<(Vec<f64>, Classes)> {
        let found = || {
            let mut list = self.distinct.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
            if self.codes.iter().any(|&c| c as usize == MAX_LISTED) {
                list.push_str(", …");
            }
            list
        };
        if self.distinct.len() != 2 || self.codes.iter().any(|&c| c as usize == MAX_LISTED) {
            return Err(Error::InvalidData(format!(
                "target `{target}` must hold exactly two classes, found {}: {}",
                if self.codes.iter().any(|&c| c as usize == MAX_LISTED) {
                    "more than 10".to_string()
                } else {
                    self.distinct.len().to_string()
                },
                found()
            )));
        }
        let pos_code = match positive {
            Some(p) => {
                let key = canonical(p);
                self.distinct.iter().position(|v| *v == key).ok_or_else(|| {
                    Error::param("positive", format!("`{p}` is not a class of target `{target}` (found {})", found()))
                })?
            }
            None => {
                let (a, b) = (&self.distinct[0], &self.distinct[1]);
                let a_larger = match (a.parse::<f64>(), b.parse::<f64>()) {
                    (Ok(x), Ok(y)) => x > y,
                    _ => a > b,
                };
                if a_larger { 0 } else { 1 }
            }
        };
        let labels = self.codes.iter().map(|&c| f64::from(u8::from(c as usize == pos_code))).collect();
        let classes =
            Classes { positive: self.distinct[pos_code].clone(), negative: self.distinct[1 - pos_code].clone() };
        Ok((labels, classes))
    }
}

fn canonical(raw: &str) -> String {
    let t = raw.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => format!("{v}"),
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
        assert_eq!(cl.positive, "malignant");
        let (y, _) = collect(&["10", "2", "10.0"]).finish("t", None).unwrap();
        assert_eq!(y, vec![1.0, 0.0, 1.0], "numeric order, 1e1 == 10.0");
        let (y, cl) = collect(&["-1", "1"]).finish("t", Some("-1")).unwrap();
        assert_eq!((y, cl.positive.as_str()), (vec![1.0, 0.0], "-1"));
    }

    #[test]
    fn wrong_class_counts_list_what_was_found() {
        let e = collect(&["a", "a"]).finish("t", None).unwrap_err().to_string();
        assert!(e.contains("found 1: `a`"), "{e}");
        let e = collect(&["a", "b", "c"]).finish("t", None).unwrap_err().to_string();
        assert!(e.contains("found 3: `a`, `b`, `c`"), "{e}");
        let e = collect(&["a", "b"]).finish("t", Some("z")).unwrap_err().to_string();
        assert!(e.contains("`z` is not a class"), "{e}");
    }
}
