//! csv records: where they end (quote-aware, so a chunk never starts inside a quoted field) and
//! their fields, as the `csv` crate reads them: a field that starts with `"` is quoted (`""` is
//! a literal quote, text after the closing quote is kept as written), a record ends at a newline
//! outside quotes, a `\r` before it is dropped, empty lines are skipped.

use memchr::{memchr, memchr2, memrchr};

/// the ends of the chunks that `text` splits into, each at least `spacing` bytes long but the
/// last, and each ending just after a record's newline; they cover the complete records of
/// `text` (all of it when `eof`). empty when `text` holds no complete record.
pub(super) fn chunk_ends(text: &[u8], delimiter: u8, spacing: usize, eof: bool) -> Vec<usize> {
    if memchr(b'"', text).is_none() {
        return newline_ends(text, spacing, eof);
    }
    let mut ends = Vec::new();
    // quotes: follow the field state to find the newlines that end records
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let (mut last, mut record_end) = (0, 0);
    for (i, &b) in text.iter().enumerate() {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b'\n') => {
                record_end = i + 1;
                if record_end - last >= spacing {
                    ends.push(record_end);
                    last = record_end;
                }
                State::FieldStart
            }
            (_, b) if b == delimiter => State::FieldStart,
            (State::FieldStart, b'"') => State::Quoted,
            _ => State::Unquoted,
        };
    }
    let complete = if eof { text.len() } else { record_end };
    if complete > last {
        ends.push(complete);
    }
    ends
}

/// [`chunk_ends`] for text without quotes: every newline ends a record. (for text that may hold
/// quotes, a guess, right when no quoted field holds a newline at a chunk's end.)
pub(super) fn newline_ends(text: &[u8], spacing: usize, eof: bool) -> Vec<usize> {
    let mut ends = Vec::new();
    let complete = if eof { text.len() } else { memrchr(b'\n', text).map_or(0, |k| k + 1) };
    let mut start = 0;
    while start < complete {
        let want = (start + spacing.max(1)).min(complete);
        let end = memchr(b'\n', &text[want - 1..complete]).map_or(complete, |k| want + k);
        ends.push(end);
        start = end;
    }
    ends
}

/// a quoted field that the text ends inside of.
#[derive(Debug)]
pub(super) struct Unclosed;

/// a field's value: its text, or (for a column read as numbers, when the field is a plain
/// finite number) the number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Value<'a> {
    Text(&'a [u8]),
    Number(f64),
}

/// reads records from a chunk of text that starts at a record boundary.
pub(super) struct Records<'t> {
    text: &'t [u8],
    pos: usize,
    delimiter: u8,
    /// the columns whose fields are parsed as numbers straight from the text
    numeric: &'t [bool],
    /// newlines passed so far
    pub lines: usize,
    /// whether a quoted field has been read
    pub quoted: bool,
    scratch: Vec<u8>,
}

impl<'t> Records<'t> {
    /// records of `text`.
    pub fn new(text: &'t [u8], delimiter: u8) -> Self {
        Records { text, pos: 0, delimiter, numeric: &[], lines: 0, quoted: false, scratch: Vec::new() }
    }

    /// records of `text` whose fields in the columns marked in `numeric` are parsed as numbers
    /// where they are plain finite numbers (no quotes or spaces around them).
    pub fn with_numbers(text: &'t [u8], delimiter: u8, numeric: &'t [bool]) -> Self {
        Records { numeric, ..Records::new(text, delimiter) }
    }

    /// the byte where the next record starts.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// whether every record has been read.
    pub fn done(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// reads the next record, calling `field(column, value)` for each field in order, and
    /// returns its number of fields: 0 for an empty line (skipped).
    pub fn next_record(&mut self, mut field: impl FnMut(usize, &[u8])) -> Result<usize, Unclosed> {
        self.next_values(|column, value| match value {
            Value::Text(t) => field(column, t),
            Value::Number(_) => unreachable!("no numeric columns"),
        })
    }

    /// [`Records::next_record`] with the values of numeric columns parsed.
    pub fn next_values(&mut self, mut field: impl FnMut(usize, Value<'_>)) -> Result<usize, Unclosed> {
        let text = self.text;
        let mut p = self.pos;
        match text.get(p..p + 2) {
            _ if text[p] == b'\n' => {
                self.pos = p + 1;
                self.lines += 1;
                return Ok(0);
            }
            Some(b"\r\n") => {
                self.pos = p + 2;
                self.lines += 1;
                return Ok(0);
            }
            _ => {}
        }
        let mut column = 0;
        loop {
            // a plain number ends at a delimiter, a line end or the end of the text
            if self.numeric.get(column).copied().unwrap_or(false)
                && let Some((v, n)) = crate::io::decimal::parse_prefix(&text[p..])
            {
                let end = p + n;
                let next = text.get(end).copied();
                // most numbers end at a delimiter: that test first
                if next == Some(self.delimiter) {
                    field(column, Value::Number(v));
                    column += 1;
                    p = end + 1;
                    continue;
                }
                let last = match next {
                    None | Some(b'\n') => true,
                    Some(b'\r') => text.get(end + 1).is_none_or(|&b| b == b'\n'),
                    _ => false,
                };
                if last {
                    field(column, Value::Number(v));
                    column += 1;
                    let newline = if next == Some(b'\r') { end + 1 } else { end };
                    self.pos = (newline + 1).min(text.len());
                    if newline < text.len() {
                        self.lines += 1;
                    }
                    return Ok(column);
                }
            }
            let (value, end): (&[u8], usize) = if text.get(p) == Some(&b'"') {
                self.quoted = true;
                self.scratch.clear();
                p += 1;
                loop {
                    let k = memchr(b'"', &text[p..]).ok_or(Unclosed)?;
                    self.lines += memchr::memchr_iter(b'\n', &text[p..p + k]).count();
                    self.scratch.extend_from_slice(&text[p..p + k]);
                    p += k + 1;
                    if text.get(p) == Some(&b'"') {
                        self.scratch.push(b'"');
                        p += 1;
                    } else {
                        break;
                    }
                }
                let end = memchr2(self.delimiter, b'\n', &text[p..]).map_or(text.len(), |k| p + k);
                self.scratch.extend_from_slice(&text[p..end]);
                (&self.scratch, end)
            } else {
                let end = memchr2(self.delimiter, b'\n', &text[p..]).map_or(text.len(), |k| p + k);
                (&text[p..end], end)
            };
            let last = end == text.len() || text[end] == b'\n';
            let value = match value {
                [rest @ .., b'\r'] if last => rest,
                v => v,
            };
            field(column, Value::Text(value));
            column += 1;
            if last {
                self.pos = (end + 1).min(text.len());
                if end < text.len() {
                    self.lines += 1;
                }
                return Ok(column);
            }
            p = end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<Vec<String>> {
        let mut r = Records::new(text.as_bytes(), b',');
        let mut out = Vec::new();
        while !r.done() {
            let mut fields = Vec::new();
            let n = r.next_record(|_, v| fields.push(String::from_utf8(v.to_vec()).unwrap())).unwrap();
            if n > 0 {
                out.push(fields);
            }
        }
        out
    }

    #[test]
    fn fields_as_the_csv_crate_reads_them() {
        let text = "a,\"b,\"\"c\"\"\",\r\n\n\"x\ny\"z,,\"\"\r\nlast,1";
        let ours = records(text);
        let mut theirs = Vec::new();
        let mut rdr = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        for r in rdr.records() {
            theirs.push(r.unwrap().iter().map(str::to_string).collect::<Vec<_>>());
        }
        assert_eq!(ours, theirs);
        assert_eq!(ours[1], ["x\nyz", "", ""]);
        let mut r = Records::new(b"\"open,1\n2,3\n", b',');
        assert!(r.next_record(|_, _| {}).is_err());
    }

    #[test]
    fn chunks_end_at_record_ends_outside_quotes() {
        let text = b"a,\"1\n2\",3\nb,\"x\"\"\n\",4\nc,5,6\n";
        for spacing in 1..text.len() + 2 {
            for eof in [false, true] {
                let ends = chunk_ends(text, b',', spacing, eof);
                assert_eq!(ends.last(), Some(&text.len()));
                for &e in &ends {
                    assert!([10, 21, text.len()].contains(&e), "{spacing}: {ends:?}");
                }
            }
        }
        assert_eq!(chunk_ends(b"a,1\nb,\"2\n", b',', 1, false), vec![4]);
        assert_eq!(chunk_ends(b"a,1\nb,2", b',', 100, false), vec![4]);
        assert_eq!(chunk_ends(b"a,1\nb,2", b',', 100, true), vec![7]);
        assert!(chunk_ends(b"a,1", b',', 1, false).is_empty());
    }
}
