//! The `title` of a diagram's front matter, read as YAML (Mermaid loads
//! front matter with js-yaml's JSON schema and shows `title` as text when
//! it is truthy).
//!
//! What is read: a block mapping at the top (other keys and whatever is
//! nested under them are skipped, comments and blank lines anywhere); the
//! title as a plain scalar (over several lines too), a single-quoted one
//! (`''` for a quote), a double-quoted one (with YAML's escapes) or a
//! block scalar (`|` or `>`, with chomping and indentation indicators).
//! A title that is `null`, `~`, empty, `false`, 0 or NaN is no title;
//! `true` and numbers are shown as JavaScript writes them. Refused, with
//! the line: a title that is a mapping, a sequence, a flow collection, an
//! alias, an anchor or a tag; a duplicated `title`; tabs as indentation.

/// The title, if the front matter has a truthy one; an error is the
/// message and the 0-based line of the body.
pub(super) fn title(body: &str) -> Result<Option<String>, (usize, String)> {
    let lines: Vec<&str> = body.split('\n').collect();
    structure(&lines)?;
    let mut found: Option<Option<String>> = None;
    // Whether the document is a mapping (its first line is a key).
    let mut mapping = false;
    let mut k = 0;
    while k < lines.len() {
        let line = lines[k];
        if line.starts_with('\t') {
            return Err((k, "front matter is indented with a tab".to_owned()));
        }
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') || line.starts_with(' ') {
            // Blank, a comment, or nested under a previous key: skipped.
            k += 1;
            continue;
        }
        if content.starts_with([
            ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`',
        ]) && !mapping
        {
            return Err((k, format!("{content:?} cannot start a YAML document here")));
        }
        let Some((key, value)) = split_key(content) else {
            if mapping {
                return Err((k, format!("{content:?} is not `key: value`")));
            }
            // Not a mapping (a scalar or a sequence document): no title,
            // unless a later line makes it no YAML at all.
            for (n, later) in lines.iter().enumerate().skip(k + 1) {
                let unindented = !later.starts_with([' ', '\t']);
                if unindented && (later.starts_with(':') || split_key(later).is_some()) {
                    return Err((n, format!("{later:?} cannot follow {content:?}")));
                }
            }
            return Ok(None);
        };
        mapping = true;
        if key != "title" {
            k += 1;
            continue;
        }
        if found.is_some() {
            return Err((k, "duplicated mapping key `title`".to_owned()));
        }
        let (value, next) = scalar(&lines, k, value)?;
        found = Some(value);
        k = next;
    }
    Ok(found.flatten())
}

/// What a block holds.
#[derive(Clone, Copy, PartialEq)]
enum Block {
    Mapping,
    Sequence,
}

/// The indentation of a line (spaces), or an error for a tab in it.
fn indentation(k: usize, line: &str) -> Result<usize, (usize, String)> {
    let n = line.len() - line.trim_start_matches(' ').len();
    if line[n..].starts_with('\t') && !line.trim().is_empty() {
        return Err((k, "a tab indents this line".to_owned()));
    }
    Ok(n)
}

/// Whether a line holds nothing (blank, or a comment).
fn empty(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    t.is_empty() || t.starts_with('#')
}

/// Checks the block structure of the whole front matter as YAML does:
/// nested mappings and sequences indented consistently, each mapping line
/// a `key: value`, values that YAML can read (plain, quoted, block,
/// flow), so that front matter js-yaml refuses is refused here too.
fn structure(lines: &[&str]) -> Result<(), (usize, String)> {
    // Open blocks: (indentation, kind).
    let mut blocks: Vec<(usize, Block)> = Vec::new();
    // A key or item whose value is on the following lines.
    let mut open = false;
    let mut k = 0;
    while k < lines.len() {
        let line = lines[k];
        if empty(line) {
            k += 1;
            continue;
        }
        let n = indentation(k, line)?;
        let content = &line[n..];
        let item = content == "-" || content.starts_with("- ");
        let kind = if item {
            Block::Sequence
        } else {
            Block::Mapping
        };
        let deeper = blocks.last().is_none_or(|&(i, _)| n > i);
        // A sequence may sit at its key's own indentation.
        let same_level_list = open
            && item
            && blocks
                .last()
                .is_some_and(|&(i, b)| i == n && b == Block::Mapping);
        if open && deeper && !item && !blocks.is_empty() && split_key(content).is_none() {
            // The open key's value is a scalar on the following lines.
            let at = blocks.last().map_or(0, |&(i, _)| i);
            let (next, _) = value_end(lines, k, at, content)?;
            open = false;
            k = next;
            continue;
        }
        if blocks.is_empty() || (open && deeper) || same_level_list {
            if !blocks.is_empty() && !open {
                return Err((k, "bad indentation of a mapping entry".to_owned()));
            }
            blocks.push((n, kind));
        } else {
            if deeper {
                return Err((k, "bad indentation of a mapping entry".to_owned()));
            }
            while blocks.last().is_some_and(|&(i, _)| i > n) {
                blocks.pop();
            }
            match blocks.last() {
                Some(&(i, b)) if i == n && b == kind => {}
                Some(&(i, _)) if i == n && item => {
                    // A list item where a mapping's keys are.
                    return Err((k, "a list item among a mapping's keys".to_owned()));
                }
                _ => return Err((k, "bad indentation of a mapping entry".to_owned())),
            }
        }
        // The entry itself: `- value`, `- key: value`, or `key: value`.
        let (mut rest, mut at) = (content, n);
        if item {
            let after = content[1..].trim_start_matches(' ');
            at = n + (content.len() - after.len());
            rest = after;
            if rest.is_empty() || rest.starts_with('#') {
                open = true;
                k += 1;
                continue;
            }
            if split_key(rest).is_some() {
                // A mapping that starts on the item's line.
                blocks.push((at, Block::Mapping));
            }
        }
        let value = match split_key(rest) {
            Some((_, value)) => value,
            None if item => rest,
            None => {
                let is_top_scalar = blocks.len() == 1 && k == first_content(lines);
                if is_top_scalar {
                    // A document that is one scalar: no mapping at all.
                    return scalar_document(lines, k);
                }
                return Err((k, format!("{rest:?} is not `key: value`")));
            }
        };
        let (next, opens) = value_end(lines, k, at, value)?;
        open = opens;
        k = next;
    }
    Ok(())
}

/// The first line with content.
fn first_content(lines: &[&str]) -> usize {
    lines.iter().position(|l| !empty(l)).unwrap_or(0)
}

/// A document that is a scalar (no title): refused if a later line would
/// make it a mapping, as YAML does.
fn scalar_document(lines: &[&str], k: usize) -> Result<(), (usize, String)> {
    let first = lines[k].trim_start();
    if first.starts_with([',', ']', '}', '%', '@', '`']) || first == ":" || first.starts_with(": ")
    {
        return Err((k, format!("{:?} cannot start a YAML document", lines[k])));
    }
    for (n, later) in lines.iter().enumerate().skip(k + 1) {
        let t = later.trim_start_matches(' ');
        if !empty(later) && (t.starts_with(':') || split_key(t).is_some()) {
            return Err((n, format!("{later:?} cannot follow a scalar")));
        }
    }
    Ok(())
}

/// Where a value that starts on line `k` (its entry at indentation `at`)
/// ends, and whether its content is on the following lines (a nested
/// block).
fn value_end(
    lines: &[&str],
    k: usize,
    at: usize,
    value: &str,
) -> Result<(usize, bool), (usize, String)> {
    let head = uncommented(value);
    let Some(first) = head.chars().next() else {
        return Ok((k + 1, true));
    };
    // Anchors and tags before a value: the value follows them.
    if matches!(first, '&' | '!') {
        let rest = head
            .split_once([' ', '\t'])
            .map_or("", |(_, r)| r.trim_start());
        return value_end(lines, k, at, rest);
    }
    // Lines after the entry that belong to its value: more indented.
    let inside = |line: &str| empty(line) || line.len() - line.trim_start_matches(' ').len() > at;
    if head == "-" || head.starts_with("- ") {
        return Err((k, "a list cannot start on its key's line".to_owned()));
    }
    match first {
        ',' | ']' | '}' | '%' | '@' | '`' => {
            Err((k, format!("{head:?} cannot start a YAML value")))
        }
        '|' | '>' => {
            // The content's indentation is its first line's; a line less
            // indented ends the block.
            let mut next = k + 1;
            let mut content: Option<usize> = None;
            while next < lines.len() {
                let line = lines[next];
                if line.trim().is_empty() {
                    next += 1;
                    continue;
                }
                let n = line.len() - line.trim_start_matches(' ').len();
                match content {
                    None if n > at => content = Some(n),
                    Some(m) if n >= m => {}
                    _ => break,
                }
                next += 1;
            }
            Ok((next, false))
        }
        '"' | '\'' => {
            let mut next = k;
            let mut text = &value[1..];
            loop {
                if let Some((_, after)) = closing(text, first) {
                    if !uncommented(after).trim().is_empty() {
                        return Err((next, format!("text after a quoted value: {after:?}")));
                    }
                    return Ok((next + 1, false));
                }
                next += 1;
                if next >= lines.len() {
                    return Err((k, "a quoted value is never closed".to_owned()));
                }
                text = lines[next];
            }
        }
        '[' | '{' => {
            // Balanced brackets, over lines, outside quotes.
            let mut depth = 0i32;
            let mut next = k;
            let mut text = head;
            loop {
                let mut quote: Option<char> = None;
                for c in text.chars() {
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '"' | '\'') => quote = Some(c),
                        (None, '[' | '{') => depth += 1,
                        (None, ']' | '}') => depth -= 1,
                        _ => {}
                    }
                }
                if depth <= 0 {
                    return Ok((next + 1, false));
                }
                next += 1;
                if next >= lines.len() {
                    return Err((k, "a flow collection is never closed".to_owned()));
                }
                text = uncommented(lines[next]);
            }
        }
        _ => {
            // A plain scalar: no `: ` inside, continued by more indented
            // lines that hold no `key: value`.
            if head.contains(": ") || head.ends_with(':') {
                return Err((k, format!("bad indentation of a mapping entry: {head:?}")));
            }
            let mut next = k + 1;
            // A comment ends the scalar: nothing may continue it.
            let mut ended = uncommented(value).len() < value.trim_end().len();
            while next < lines.len() && inside(lines[next]) {
                let t = lines[next].trim_start_matches(' ');
                if !empty(t) && ended {
                    return Err((next, format!("bad indentation of a mapping entry: {t:?}")));
                }
                ended |=
                    !empty(t) && uncommented(t).len() < t.trim_end().len() || t.starts_with('#');
                if !empty(t) && (split_key(t).is_some() || t.starts_with("- ")) {
                    return Err((next, format!("bad indentation of a mapping entry: {t:?}")));
                }
                next += 1;
            }
            Ok((next, false))
        }
    }
}

/// `key: value` (or `key:` at the end of the line), the key plain or
/// quoted.
fn split_key(content: &str) -> Option<(String, &str)> {
    if content.starts_with([
        ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`',
    ]) {
        return None;
    }
    let (key, rest) = match content.chars().next()? {
        q @ ('"' | '\'') => {
            let end = content[1..].find(q)? + 1;
            (content[1..end].to_owned(), &content[end + 1..])
        }
        _ => {
            let at = content
                .match_indices(':')
                .find(|&(i, _)| {
                    content[i + 1..].is_empty() || content[i + 1..].starts_with([' ', '\t'])
                })?
                .0;
            let key = content[..at].trim_end();
            if key.is_empty() {
                // `: value` misses its key.
                return None;
            }
            (key.to_owned(), &content[at..])
        }
    };
    let rest = rest.strip_prefix(':')?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((key, rest.trim_start_matches([' ', '\t'])))
}

/// A value without its trailing comment (` #…`) and trailing blanks.
fn uncommented(text: &str) -> &str {
    let mut end = text.len();
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'#' && (i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            end = i;
            break;
        }
    }
    text[..end].trim_end_matches([' ', '\t'])
}

/// Whether a line continues the value at line `k` (indented, or blank).
fn continues(line: &str) -> bool {
    line.starts_with(' ') || line.trim().is_empty()
}

/// The title's value starting on line `k` with `first` (the rest of the
/// key's line), and the line after it.
fn scalar(
    lines: &[&str],
    k: usize,
    first: &str,
) -> Result<(Option<String>, usize), (usize, String)> {
    let head = uncommented(first);
    match head.chars().next() {
        None => {
            // Empty: null, or a scalar on the following lines, or a
            // nested mapping or list (refused).
            let mut next = k + 1;
            let mut parts: Vec<String> = Vec::new();
            while next < lines.len() && continues(lines[next]) {
                let t = lines[next].trim();
                if t.starts_with('#') && parts.is_empty() {
                    next += 1;
                    continue;
                }
                if parts.is_empty() && !t.is_empty() {
                    if split_key(t).is_some() || t == "-" || t.starts_with("- ") {
                        return Err((
                            next,
                            "a front-matter title must be text, not a mapping or a list".to_owned(),
                        ));
                    }
                    if let Some(q) = t.chars().next().filter(|&c| c == '"' || c == '\'') {
                        // A quoted title on the next line.
                        return quoted(lines, next, t, q);
                    }
                    if t.starts_with(['|', '>', '[', '{', '&', '*', '!']) {
                        return Err((
                            next,
                            format!("the front-matter title {t:?} is not plain text"),
                        ));
                    }
                }
                if t.starts_with('#') {
                    break;
                }
                parts.push(uncommented(t).to_owned());
                next += 1;
            }
            while parts.last().is_some_and(|p| p.is_empty()) {
                parts.pop();
            }
            if parts.is_empty() {
                return Ok((None, next));
            }
            Ok((resolve(&fold(&parts)), next))
        }
        Some('[' | '{' | '*' | '&' | '!' | '@' | '`') => Err((
            k,
            format!("the front-matter title {head:?} is not plain or quoted text"),
        )),
        Some('|' | '>') => block(lines, k, head),
        Some(q @ ('"' | '\'')) => quoted(lines, k, first, q),
        Some(_) => {
            // A plain scalar, folded over its indented continuation lines.
            let mut parts = vec![head.to_owned()];
            let mut next = k + 1;
            while next < lines.len() && continues(lines[next]) {
                let t = lines[next].trim();
                if t.starts_with('#') {
                    break;
                }
                parts.push(uncommented(t).to_owned());
                next += 1;
            }
            while parts.last().is_some_and(|p| p.is_empty()) {
                parts.pop();
                next -= 1;
            }
            Ok((resolve(&fold(&parts)), next))
        }
    }
}

/// Lines folded as YAML folds flow scalars: a line break is a space, each
/// blank line a `\n`.
fn fold(parts: &[String]) -> String {
    let mut out = String::new();
    let mut blanks = 0;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() && i > 0 {
            blanks += 1;
            continue;
        }
        if i > 0 {
            if blanks > 0 {
                out.push_str(&"\n".repeat(blanks));
            } else {
                out.push(' ');
            }
        }
        blanks = 0;
        out.push_str(part);
    }
    out
}

/// A plain scalar's value under the JSON schema: null, booleans, numbers
/// as JavaScript writes them, or the text; falsy values are no title.
fn resolve(text: &str) -> Option<String> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" | "false" | "False" | "FALSE" | ".nan" | ".NaN"
        | ".NAN" => return None,
        "true" | "True" | "TRUE" => return Some("true".to_owned()),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some("Infinity".to_owned());
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some("-Infinity".to_owned()),
        _ => {}
    }
    match yaml_number(text) {
        Some(0.0) => None,
        Some(v) => Some(javascript_number(v)),
        None => Some(text.to_owned()),
    }
}

/// An integer or float as YAML 1.2's core schema reads it (`_` allowed
/// in digits, `0x`, `0o`, `0b`).
fn yaml_number(text: &str) -> Option<f64> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'-' => (-1.0, &text[1..]),
        b'+' => (1.0, &text[1..]),
        _ => (1.0, text),
    };
    let plain: String = digits.chars().filter(|&c| c != '_').collect();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(body) = plain.strip_prefix(prefix) {
            if body.is_empty() {
                return None;
            }
            return u64::from_str_radix(body, radix)
                .ok()
                .map(|v| sign * v as f64);
        }
    }
    let first = plain.as_bytes().first()?;
    if !first.is_ascii_digit() && *first != b'.' {
        return None;
    }
    if !plain
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    crate::number::finite_f64(&plain).map(|v| sign * v)
}

/// `String(v)` in JavaScript for a finite, non-zero number.
fn javascript_number(v: f64) -> String {
    super::decimal::javascript(v)
}

/// A quoted scalar starting at `first` on line `k`, over lines if it is
/// not closed on its own.
fn quoted(
    lines: &[&str],
    k: usize,
    first: &str,
    q: char,
) -> Result<(Option<String>, usize), (usize, String)> {
    let mut raw = String::new();
    let mut line = k;
    let mut text = &first[1..];
    loop {
        if let Some((content, after)) = closing(text, q) {
            raw.push_str(content);
            if !uncommented(after).is_empty() {
                return Err((line, format!("text after the quoted title: {after:?}")));
            }
            break;
        }
        raw.push_str(text);
        raw.push('\n');
        line += 1;
        if line >= lines.len() {
            return Err((k, "the quoted title is never closed".to_owned()));
        }
        text = lines[line];
    }
    // Folding: each line break with the blanks around it is a space, blank
    // lines are `\n` (an escaped line break in double quotes joins).
    let folded_lines: Vec<String> = raw
        .split('\n')
        .enumerate()
        .map(|(i, l)| {
            let l = if i > 0 {
                l.trim_start_matches([' ', '\t'])
            } else {
                l
            };
            l.to_owned()
        })
        .collect();
    let count = folded_lines.len();
    let mut value = String::new();
    let mut blanks = 0;
    for (i, l) in folded_lines.iter().enumerate() {
        let l = if i + 1 < count {
            l.trim_end_matches([' ', '\t'])
        } else {
            l.as_str()
        };
        if i > 0 && i + 1 < count && l.is_empty() {
            blanks += 1;
            continue;
        }
        if i > 0 {
            if q == '"' && value.ends_with('\\') && !value.ends_with("\\\\") {
                value.pop();
            } else if blanks > 0 {
                value.push_str(&"\n".repeat(blanks));
            } else {
                value.push(' ');
            }
        }
        blanks = 0;
        value.push_str(l);
    }
    let value = if q == '\'' {
        value.replace("''", "'")
    } else {
        unescape(&value).map_err(|message| (k, message))?
    };
    Ok(((!value.is_empty()).then_some(value), line + 1))
}

/// The text up to the closing quote, and what follows it.
fn closing(text: &str, q: char) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if q == '\'' && b == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some((&text[..i], &text[i + 1..]));
        }
        if q == '"' && b == b'\\' {
            i += 2;
            continue;
        }
        if q == '"' && b == b'"' {
            return Some((&text[..i], &text[i + 1..]));
        }
        i += 1;
    }
    None
}

/// YAML's double-quoted escapes.
fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next().ok_or("a `\\` ends the title")?;
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| -> Result<char, String> {
            let digits: String = chars.by_ref().take(n).collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .filter(|_| digits.len() == n)
                .and_then(char::from_u32)
                .ok_or_else(|| format!("`\\{e}{digits}` is not a character"))
        };
        out.push(match e {
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            't' | '\t' => '\t',
            'n' => '\n',
            'v' => '\u{b}',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            ' ' => ' ',
            '"' => '"',
            '/' => '/',
            '\\' => '\\',
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            'x' => hex(&mut chars, 2)?,
            'u' => hex(&mut chars, 4)?,
            'U' => hex(&mut chars, 8)?,
            other => return Err(format!("unknown escape `\\{other}` in the title")),
        });
    }
    Ok(out)
}

/// A block scalar (`|` literal, `>` folded) whose header is on line `k`.
fn block(
    lines: &[&str],
    k: usize,
    header: &str,
) -> Result<(Option<String>, usize), (usize, String)> {
    let literal = header.starts_with('|');
    let mut chomp = ' ';
    let mut indent: Option<usize> = None;
    for c in header[1..].chars() {
        match c {
            '+' | '-' if chomp == ' ' => chomp = c,
            '1'..='9' if indent.is_none() => indent = c.to_digit(10).map(|d| d as usize),
            _ => {
                return Err((
                    k,
                    format!("the block scalar header {header:?} is not `|` or `>` with indicators"),
                ));
            }
        }
    }
    let mut next = k + 1;
    let mut body: Vec<&str> = Vec::new();
    while next < lines.len() && continues(lines[next]) {
        body.push(lines[next]);
        next += 1;
    }
    let indent = indent.unwrap_or_else(|| {
        body.iter()
            .find(|l| !l.trim().is_empty())
            .map_or(0, |l| l.len() - l.trim_start_matches(' ').len())
    });
    let content: Vec<&str> = body
        .iter()
        .map(|l| if l.len() >= indent { &l[indent..] } else { "" })
        .collect();
    // Trailing blank lines: kept (+), one line break (clip) or none (-).
    let last = content
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |p| p + 1);
    let mut text = String::new();
    for (i, l) in content[..last].iter().enumerate() {
        if i > 0 {
            let previous = content[i - 1];
            let joins = !literal
                && !l.is_empty()
                && !previous.is_empty()
                && !l.starts_with([' ', '\t'])
                && !previous.starts_with([' ', '\t']);
            text.push(if joins { ' ' } else { '\n' });
            if !literal && l.is_empty() {
                continue;
            }
        }
        text.push_str(l);
    }
    // Folded: a blank line between two folded lines is the line break
    // itself (the space it replaces is not written).
    if !literal {
        text = text.replace("\n\n", "\n");
    }
    match chomp {
        '-' => {}
        '+' => {
            text.push('\n');
            text.push_str(&"\n".repeat(content.len() - last));
        }
        _ => {
            if last > 0 {
                text.push('\n');
            }
        }
    }
    Ok(((!text.is_empty()).then_some(text), next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_as_yaml_reads_them() {
        for (body, expected) in [
            ("title: My day", Some("My day")),
            ("title: My day # a comment", Some("My day")),
            (
                "# c\nconfig:\n  theme: dark\ntitle: 'It''s #1'",
                Some("It's #1"),
            ),
            ("title: \"Tab\\there \\u00e9\"", Some("Tab\there é")),
            ("title: a\n  b\n\n  c", Some("a b\nc")),
            ("title: |\n  one\n  two\n", Some("one\ntwo\n")),
            (
                "title: >-\n  one\n  two\n\n  three\n",
                Some("one two\nthree"),
            ),
            ("title: 1.50", Some("1.5")),
            ("title:\n  'on the next line'", Some("on the next line")),
            ("title: 0x1F", Some("31")),
            ("title: true", Some("true")),
            ("title: 0", None),
            ("title: null", None),
            ("title: ''", None),
            ("title:", None),
            ("config:\n  a: 1", None),
            ("just text", None),
        ] {
            assert_eq!(title(body).unwrap().as_deref(), expected, "{body:?}");
        }
        for body in [
            "title: [a]",
            "title: *x",
            "title:\n  a: 1",
            "title: a\ntitle: b",
            "title: 'open",
            "\ttitle: a",
        ] {
            assert!(title(body).is_err(), "{body:?}");
        }
    }
}
