//! What Mermaid does to a diagram's text before its journey grammar reads
//! it, step by step and in its order: line ends made `\n` and quotes in
//! HTML tags made single; the front matter taken off (its `title` read as
//! YAML); `%%{…}%%` directives and `%%` comment lines removed; leading white
//! space trimmed; entity codes swapped for placeholders. Each step keeps a
//! map back to the text it was given, so an error names the line of the
//! text as written. Every step is one pass: linear in the text.

use super::entity::{CLOSE, OPEN_NAME, OPEN_NUMBER};
use super::js;

/// Text made from another, with where each piece of it came from.
#[derive(Default)]
pub(super) struct Rewritten {
    pub(super) text: String,
    /// (start in `text`, start in the input) of each piece, in order.
    map: Vec<(usize, usize)>,
}

impl Rewritten {
    fn with_capacity(n: usize) -> Self {
        Rewritten {
            text: String::with_capacity(n),
            map: Vec::new(),
        }
    }

    /// Appends `piece`, which stands for the input from `from` on.
    fn push(&mut self, from: usize, piece: &str) {
        if piece.is_empty() {
            return;
        }
        if self.map.last().is_none_or(|&(out, input)| {
            // A copy that continues the last one needs no new entry.
            input + (self.text.len() - out) != from
        }) {
            self.map.push((self.text.len(), from));
        }
        self.text.push_str(piece);
    }

    /// The same without its first `n` bytes.
    fn drop_front(self, n: usize) -> Rewritten {
        if n == 0 {
            return self;
        }
        let mut map = vec![(0, self.source(n))];
        map.extend(
            self.map
                .iter()
                .filter(|&&(out, _)| out > n)
                .map(|&(out, input)| (out - n, input)),
        );
        Rewritten {
            text: self.text[n..].to_owned(),
            map,
        }
    }

    /// The input position of a position of the text.
    pub(super) fn source(&self, at: usize) -> usize {
        let k = self.map.partition_point(|&(out, _)| out <= at);
        match k.checked_sub(1).map(|k| self.map[k]) {
            Some((out, input)) => input + (at - out),
            None => 0,
        }
    }
}

/// `\r\n` and lone `\r` as `\n`, and `="…"` inside `<tag …>` as `='…'`
/// (Mermaid's `cleanupText`).
pub(super) fn line_ends_and_tags(text: &str) -> Rewritten {
    let mut out = Rewritten::with_capacity(text.len());
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' {
            out.push(start, &text[start..i]);
            out.push(i, "\n");
            i += if bytes.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(start, &text[start..]);
    if !out.text.contains('<') {
        return out;
    }
    // `<(\w+)([^>]*)>`: each tag's attributes, `="x"` made `='x'` (the
    // same length, so the map holds). The next `>` is looked up once per
    // tag, not once per `<`.
    let mut bytes = std::mem::take(&mut out.text).into_bytes();
    let mut next_close: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<'
            && bytes
                .get(i + 1)
                .is_some_and(|&b| js::is_word(char::from(b)))
        {
            if next_close.is_none_or(|c| c < i) {
                next_close = bytes[i..].iter().position(|&b| b == b'>').map(|p| p + i);
            }
            let Some(close) = next_close else { break };
            let mut j = i + 1;
            while j < close && js::is_word(char::from(bytes[j])) {
                j += 1;
            }
            while j + 1 < close {
                if bytes[j] == b'='
                    && bytes[j + 1] == b'"'
                    && let Some(end) = bytes[j + 2..close].iter().position(|&b| b == b'"')
                {
                    bytes[j + 1] = b'\'';
                    bytes[j + 2 + end] = b'\'';
                    j += end + 3;
                    continue;
                }
                j += 1;
            }
            i = close + 1;
        } else {
            i += 1;
        }
    }
    // Only ASCII quotes were swapped.
    out.text = String::from_utf8(bytes).unwrap_or_default();
    out
}

/// Where front matter is: its indent, its body and where the diagram
/// starts (Mermaid's `matchFrontMatter`: `---` and a line break, the body,
/// a line break and the indent and `---` again followed by white space with
/// a line break, the first such fence after the last opening line break
/// before the last fence).
pub(super) fn front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let is_break = |c: char| c == '\n' || c == '\r';
    let indent_len = text
        .char_indices()
        .find(|&(_, c)| !js::is_space(c) || is_break(c))
        .map_or(text.len(), |(i, _)| i);
    let indent = &text[..indent_len];
    if !text[indent_len..].starts_with("---") {
        return None;
    }
    let mut opening_ends = Vec::new();
    for (i, c) in text[indent_len + 3..].char_indices() {
        if !js::is_space(c) {
            break;
        }
        if is_break(c) {
            opening_ends.push(indent_len + 3 + i);
        }
    }
    let first = *opening_ends.first()?;
    // The end of the whitespace run after a fence at `i + 1`, at its last
    // line break, or none.
    let closing_end = |i: usize| -> Option<usize> {
        if !text[i..].starts_with(is_break) || !text[i + 1..].starts_with(indent) {
            return None;
        }
        let fence = i + 1 + indent.len();
        if !text[fence..].starts_with("---") {
            return None;
        }
        let mut last = None;
        for (k, c) in text[fence + 3..].char_indices() {
            if !js::is_space(c) {
                break;
            }
            if is_break(c) {
                last = Some(fence + 3 + k);
            }
        }
        last
    };
    let breaks: Vec<usize> = text[first + 1..]
        .match_indices(['\n', '\r'])
        .map(|(i, _)| first + 1 + i)
        .collect();
    let last_fence = breaks.iter().rev().find(|&&i| closing_end(i).is_some())?;
    let opening = opening_ends
        .iter()
        .copied()
        .rfind(|&o| o < *last_fence)
        .unwrap_or(first);
    let body_start = opening + 1;
    breaks
        .iter()
        .filter(|&&i| i >= body_start && i <= *last_fence)
        .find_map(|&i| closing_end(i).map(|end| (indent, &text[body_start..i], end + 1)))
}

/// The text without Mermaid's directives: `%%{`, a word (and `:`), then a
/// word or anything up to `}%%`, then `}%%` if it is there (Mermaid's
/// `directiveRegex`, case-insensitive, wherever it occurs).
pub(super) fn without_directives(text: &str) -> Rewritten {
    let mut out = Rewritten::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("%%{") {
        let at = search + found;
        match directive_end(text, at + 3) {
            Some(end) => {
                out.push(copied, &text[copied..at]);
                copied = end;
                search = end;
            }
            None => search = at + 1,
        }
    }
    out.push(copied, &text[copied..]);
    out
}

/// Where a directive whose `%%{` ends at `i` ends, if one starts there.
fn directive_end(text: &str, mut i: usize) -> Option<usize> {
    let skip = |text: &str, i: usize, f: fn(char) -> bool| {
        text[i..]
            .char_indices()
            .find(|&(_, c)| !f(c))
            .map_or(text.len(), |(k, _)| i + k)
    };
    i = skip(text, i, js::is_space);
    let word_end = skip(text, i, js::is_word);
    if word_end == i {
        return None;
    }
    // `(\w+)\s*:` or `(\w+)`.
    let after = skip(text, word_end, js::is_space);
    i = if text[after..].starts_with(':') {
        after + 1
    } else {
        word_end
    };
    i = skip(text, i, js::is_space);
    let word = skip(text, i, js::is_word);
    if word > i {
        i = word;
    } else {
        // `((?!}%%).|\n)*`: up to `}%%`, or a line terminator other than
        // `\n`, or the end.
        let mut k = i;
        for (offset, c) in text[i..].char_indices() {
            k = i + offset;
            if text[k..].starts_with("}%%") || (js::is_line_end(c) && c != '\n') {
                break;
            }
            k += c.len_utf8();
        }
        i = k;
    }
    i = skip(text, i, js::is_space);
    if text[i..].starts_with("}%%") {
        i += 3;
    }
    Some(i)
}

/// The text without `%%` comment lines (`^\s*%%(?!{)[^\n]+\n?`, each
/// line), its leading white space trimmed (Mermaid's `cleanupComments`).
pub(super) fn without_comment_lines(text: &str) -> Rewritten {
    let mut out = Rewritten::with_capacity(text.len());
    let mut copied = 0;
    let mut line = 0;
    while line < text.len() {
        let body = text[line..]
            .char_indices()
            .find(|&(_, c)| !js::is_space(c))
            .map_or(text.len(), |(k, _)| line + k);
        let rest = &text[body..];
        let end = rest.find('\n').map_or(text.len(), |k| body + k);
        let comment = rest.starts_with("%%") && !rest[2..].starts_with('{') && end > body + 2;
        if comment {
            out.push(copied, &text[copied..line]);
            copied = (end + 1).min(text.len());
            line = copied;
            continue;
        }
        // The next line start after the white space run (a line that is
        // not a comment cannot start a comment inside its white space).
        match text[body..].find(js::is_line_end) {
            Some(k) => {
                let c = text[body + k..].chars().next().map_or(1, char::len_utf8);
                line = body + k + c;
            }
            None => break,
        }
    }
    out.push(copied, &text[copied..]);
    // trimStart().
    let start = out
        .text
        .char_indices()
        .find(|&(_, c)| !js::is_space(c))
        .map_or(out.text.len(), |(i, _)| i);
    out.drop_front(start)
}

/// Mermaid's `encodeEntities`: on a line with `style` (or `classDef`),
/// then a `:` followed by non-blank text up to a `#`, and a `;` after that,
/// the last `;` is dropped; then each `#word;` becomes a placeholder.
pub(super) fn encode_entities(text: &str) -> Rewritten {
    let text = drop_style_semicolons(&drop_style_semicolons(text, "style"), "classDef");
    let mut out = Rewritten::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find('#') {
        let at = search + found;
        let word_end = text[at + 1..]
            .char_indices()
            .find(|&(_, c)| !js::is_word(c))
            .map_or(text.len(), |(k, _)| at + 1 + k);
        if word_end > at + 1 && text[word_end..].starts_with(';') {
            let word = &text[at + 1..word_end];
            out.push(copied, &text[copied..at]);
            let open = if word.bytes().all(|b| b.is_ascii_digit()) {
                OPEN_NUMBER
            } else {
                OPEN_NAME
            };
            out.push(at, &format!("{open}{word}{CLOSE}"));
            copied = word_end + 1;
            search = copied;
        } else {
            search = at + 1;
        }
    }
    out.push(copied, &text[copied..]);
    out
}

/// `text.replace(/KEY.*:\S*#.*;/g, s => s without its last character)`,
/// line by line. A dropped `;` shifts the rest of its line by one: the
/// lines, which is what errors name, stay where they were.
fn drop_style_semicolons(text: &str, key: &str) -> String {
    if !text.contains(key) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive(['\n', '\u{2028}', '\u{2029}']) {
        out.push_str(&without_style_semicolon(line, key));
    }
    out
}

fn without_style_semicolon<'a>(line: &'a str, key: &str) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    let Some(p) = line.find(key) else {
        return Cow::Borrowed(line);
    };
    let from = p + key.len();
    // Backwards: for each `:` at or after `from`, is the next `#` before
    // the next white space, and a `;` after that `#`?
    let mut next_hash: Option<usize> = None;
    let mut next_space: Option<usize> = None;
    let mut last_semicolon: Option<usize> = None;
    let mut matched = false;
    for (i, c) in line.char_indices().rev() {
        if i < from {
            break;
        }
        match c {
            ';' if last_semicolon.is_none() => {
                last_semicolon = Some(i);
            }
            '#' => next_hash = Some(i),
            ':' => {
                if let (Some(h), Some(s)) = (next_hash, last_semicolon)
                    && next_space.is_none_or(|w| w > h)
                    && s > h
                {
                    matched = true;
                }
            }
            c if js::is_space(c) => next_space = Some(i),
            _ => {}
        }
    }
    match (matched, last_semicolon) {
        (true, Some(s)) => Cow::Owned(format!("{}{}", &line[..s], &line[s + 1..])),
        _ => Cow::Borrowed(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_and_tag_quotes() {
        let r = line_ends_and_tags("a\r\nb\rc <b class=\"x\">d</b> <i");
        assert_eq!(r.text, "a\nb\nc <b class='x'>d</b> <i");
        assert_eq!(r.source(2), 3);
        assert_eq!(r.source(4), 5);
    }

    #[test]
    fn front_matter_as_mermaid_finds_it() {
        let text = "---\ntitle: A\n---\njourney\n";
        let (indent, body, end) = front_matter(text).unwrap();
        assert_eq!((indent, body, &text[end..]), ("", "title: A", "journey\n"));
        let text = "  ---  \n  title: B\n  ---\n\njourney";
        let (indent, body, end) = front_matter(text).unwrap();
        assert_eq!(
            (indent, body, &text[end..]),
            ("  ", "  title: B", "journey")
        );
        assert!(front_matter("---\ntitle: A\n---").is_none());
        assert!(front_matter("--- x\n---\n").is_none());
        assert!(front_matter("journey").is_none());
    }

    #[test]
    fn directives_are_removed() {
        assert_eq!(
            without_directives("%%{init: {\"a\": 1}}%%\njourney").text,
            "\njourney"
        );
        assert_eq!(
            without_directives("%%{\n init: {\n }\n}%%\njourney").text,
            "\njourney"
        );
        assert_eq!(without_directives("%%{wrap}%%x").text, "x");
        assert_eq!(without_directives("%%{ }%%x").text, "%%{ }%%x");
        assert_eq!(without_directives("%%{init: abc def}%%").text, "def}%%");
    }

    #[test]
    fn comment_lines_are_removed() {
        let r = without_comment_lines("\n  %% a\n%%{x}\njourney\n  %% b\n  task: 5\n%%\n");
        assert_eq!(r.text, "%%{x}\njourney\n  task: 5\n%%\n");
        assert_eq!(r.source(0), 8);
    }

    #[test]
    fn entities_and_the_style_quirk() {
        let r = encode_entities("Tom #38; Jerry #x ; #a-b;");
        assert_eq!(r.text, "Tom ﬂ°°38¶ß Jerry #x ; #a-b;");
        assert_eq!(
            encode_entities("Lifestyle:#35;x: 5").text,
            "Lifestyle:#35x: 5"
        );
        assert_eq!(
            encode_entities("Lifestyle: #35;").text,
            "Lifestyle: ﬂ°°35¶ß"
        );
    }
}
