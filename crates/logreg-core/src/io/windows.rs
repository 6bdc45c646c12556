//! a file's text read in windows that end at record boundaries, so that the text held at once
//! stays about one window whatever the file's size.

use std::io::Read;

/// reads `reader` in windows of about `size` bytes; a record longer than that widens its window.
pub(crate) struct Windows<R> {
    reader: R,
    buf: Vec<u8>,
    /// the first window's size
    first: usize,
    size: usize,
    /// bytes of `buf` handed out in the last window
    used: usize,
    eof: bool,
}

impl<R: Read> Windows<R> {
    /// windows of about `size` bytes of `reader`, the first of about `first` bytes.
    pub fn new(reader: R, first: usize, size: usize) -> Self {
        Windows { reader, buf: Vec::new(), first: first.max(1), size: size.max(1), used: 0, eof: false }
    }

    /// the next window: the text up to `end(text, eof)`, the end of its last complete record
    /// (`None` or 0: no complete record yet, read more); `None` once the input is used up.
    pub fn next(&mut self, mut end: impl FnMut(&[u8], bool) -> Option<usize>) -> std::io::Result<Option<&[u8]>> {
        self.buf.drain(..self.used);
        self.used = 0;
        if self.eof && self.buf.is_empty() {
            return Ok(None);
        }
        let size = std::mem::replace(&mut self.first, self.size);
        let mut want = self.buf.len() + size;
        let cut = loop {
            if !self.eof {
                let missing = (want - self.buf.len()) as u64;
                let got = self.reader.by_ref().take(missing).read_to_end(&mut self.buf)?;
                self.eof = (got as u64) < missing;
            }
            match end(&self.buf, self.eof) {
                Some(k) if k > 0 => break k,
                _ if self.eof => break self.buf.len(),
                _ => want += self.size,
            }
        };
        self.used = cut;
        Ok(if cut == 0 { None } else { Some(&self.buf[..cut]) })
    }
}

impl<R: Read> Windows<R> {
    /// [`Windows::next`] as an owned buffer, the text read after it kept for the next window in
    /// `spare`'s allocation.
    pub fn next_buffer(
        &mut self,
        spare: Vec<u8>,
        end: impl FnMut(&[u8], bool) -> Option<usize>,
    ) -> std::io::Result<Option<Vec<u8>>> {
        let Some(cut) = self.next(end)?.map(<[u8]>::len) else { return Ok(None) };
        let mut rest = spare;
        rest.clear();
        rest.extend_from_slice(&self.buf[cut..]);
        let mut window = std::mem::replace(&mut self.buf, rest);
        window.truncate(cut);
        self.used = 0;
        Ok(Some(window))
    }
}

/// the length of the next window of `text` (the rest of a file): the end of the last complete
/// record, `end(window, eof)`, among its first `first` bytes, widened by `size` bytes at a time
/// until there is one; all of `text` once the window reaches its end. windows as [`Windows`]
/// reads them (each about `size` bytes; where they end may differ), without a copy.
pub(crate) fn window_in(
    text: &[u8],
    first: usize,
    size: usize,
    mut end: impl FnMut(&[u8], bool) -> Option<usize>,
) -> usize {
    let mut want = first.max(1);
    loop {
        let stop = want.min(text.len());
        let eof = stop == text.len();
        match end(&text[..stop], eof) {
            Some(k) if k > 0 => return k,
            _ if eof => return stop,
            _ => want += size.max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_end_at_line_ends_and_cover_the_input() {
        let text = b"ab\ncdefgh\ni\n\njk";
        for size in 1..text.len() + 2 {
            let mut w = Windows::new(&text[..], size, size);
            let mut all = Vec::new();
            while let Some(win) = w
                .next(|t, eof| if eof { Some(t.len()) } else { t.iter().rposition(|&b| b == b'\n').map(|k| k + 1) })
                .unwrap()
            {
                assert!(win.ends_with(b"\n") || all.len() + win.len() == text.len());
                all.extend_from_slice(win);
            }
            assert_eq!(all, text);
            // the same windows of the text in place
            let mut start = 0;
            while start < text.len() {
                let len = window_in(&text[start..], size, size, |t, eof| {
                    if eof { Some(t.len()) } else { t.iter().rposition(|&b| b == b'\n').map(|k| k + 1) }
                });
                let win = &text[start..start + len];
                assert!(len > 0 && (win.ends_with(b"\n") || start + len == text.len()), "{size}: {win:?}");
                start += len;
            }
        }
    }
}
