//! Mermaid's journey grammar (its lexer's rules, in their order, and its
//! parser) over the prepared text: what each statement sets, as Mermaid's
//! journey database receives it. One pass, linear in the text.

use super::js;

/// A task as Mermaid's `addTask` receives it.
pub(super) struct RawTask {
    /// The name as lexed (white space after it included).
    pub(super) name: String,
    /// The data after the name, from its `:`.
    pub(super) data: String,
}

/// What the statements set.
#[derive(Default)]
pub(super) struct Diagram {
    /// `title …`: what follows `title` and one white-space character.
    pub(super) title: Option<String>,
    /// `accTitle: …`, trimmed.
    pub(super) acc_title: Option<String>,
    /// `accDescr: …` or `accDescr { … }`, trimmed.
    pub(super) acc_descr: Option<String>,
    /// Sections in order (a nameless one first when tasks come before any
    /// section), with their tasks.
    pub(super) sections: Vec<(String, Vec<RawTask>)>,
}

/// A parse error at a position of the prepared text.
pub(super) struct Failure {
    pub(super) at: usize,
    pub(super) message: String,
    /// For a diagram past a limit: what was counted and the limit.
    pub(super) limit: Option<(&'static str, usize)>,
}

fn failure(at: usize, message: impl Into<String>) -> Failure {
    Failure {
        at,
        message: message.into(),
        limit: None,
    }
}

/// Whether `text` starts with `word`, ASCII case-insensitively.
fn starts_ci(text: &str, word: &str) -> bool {
    text.get(..word.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(word))
}

/// The length of the run of characters at the start of `text` for which
/// `f` holds.
fn run(text: &str, f: impl Fn(char) -> bool) -> usize {
    text.char_indices()
        .find(|&(_, c)| !f(c))
        .map_or(text.len(), |(i, _)| i)
}

/// The length up to the end of the line (`[^\n]*`).
fn to_line_end(text: &str) -> usize {
    text.find('\n').unwrap_or(text.len())
}

/// Reads the prepared text (it ends with `\n`) as Mermaid's journey parser
/// does; `limits` are (sections, tasks).
pub(super) fn read(text: &str, limits: (usize, usize)) -> Result<Diagram, Failure> {
    let mut diagram = Diagram::default();
    let mut started = false;
    // A task name waiting for its data.
    let mut name: Option<(usize, String)> = None;
    let mut tasks = 0usize;
    let mut i = 0;
    let unexpected = |at: usize, what: &str, started: bool| -> Failure {
        if started {
            failure(
                at,
                format!("expected a statement or a task's `: score`, found {what}"),
            )
        } else {
            failure(at, format!("expected `journey`, found {what}"))
        }
    };
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().unwrap_or('\n');
        // 0: `%` not before `{`, to the end of the line: a comment.
        if c == '%' && !rest[1..].starts_with('{') {
            i += to_line_end(rest);
            continue;
        }
        // 1: any character but `}` before `%%`, to the end of the line.
        if c != '}' && rest[c.len_utf8()..].starts_with("%%") {
            i += c.len_utf8() + to_line_end(&rest[c.len_utf8()..]);
            continue;
        }
        let is_token = !(c == '\n' || js::is_space(c) || c == '#');
        if let Some((at, _)) = &name {
            // A task name is followed by its data, nothing else.
            if is_token && c == ':' {
            } else if c == '\n' || is_token {
                return Err(failure(
                    *at,
                    "a task is `name: score` (and `: actors`); this one has no `:`",
                ));
            }
        }
        // 2, 3: line breaks and white space; 4: `#` to the end of the line.
        if c == '\n' || js::is_space(c) {
            if c == '\n' && !started {
                return Err(unexpected(i, "a line break", started));
            }
            i += run(rest, js::is_space);
            continue;
        }
        if c == '#' {
            i += to_line_end(rest);
            continue;
        }
        // 5: `journey\b`.
        if starts_ci(rest, "journey") && !rest[7..].starts_with(|c: char| js::is_word(c)) {
            if started {
                return Err(unexpected(i, "a second `journey`", started));
            }
            started = true;
            i += 7;
            continue;
        }
        if !started {
            let shown: String = rest.chars().take(20).collect();
            return Err(unexpected(i, &format!("{shown:?}"), started));
        }
        // 6: `title\s[^#\n;]+`.
        if starts_ci(rest, "title")
            && let Some(space) = rest[5..].chars().next().filter(|&c| js::is_space(c))
        {
            let value = &rest[5 + space.len_utf8()..];
            let len = run(value, |c| !matches!(c, '#' | '\n' | ';'));
            if len > 0 {
                diagram.title = Some(value[..len].to_owned());
                i += 5 + space.len_utf8() + len;
                continue;
            }
        }
        // 7, 9, 11: `accTitle\s*:\s*`, `accDescr\s*:\s*`, `accDescr\s*\{\s*`.
        for (word, descr) in [("accTitle", false), ("accDescr", true)] {
            if !starts_ci(rest, word) {
                continue;
            }
            let after = word.len() + run(&rest[word.len()..], js::is_space);
            if rest[after..].starts_with(':') {
                let start = after + 1 + run(&rest[after + 1..], js::is_space);
                if start == rest.len() {
                    // Its value would be the end of the text: Mermaid's
                    // parser then misses the end-of-text token it expects.
                    return Err(failure(
                        i,
                        format!("`{word}:` has no value before the end of the text"),
                    ));
                }
                // 8, 10: `[^\n]*`.
                let len = to_line_end(&rest[start..]);
                let value = js::trim(&rest[start..start + len]).to_owned();
                if descr {
                    diagram.acc_descr = Some(value);
                } else {
                    diagram.acc_title = Some(value);
                }
                i += start + len;
                break;
            }
            if descr && rest[after..].starts_with('{') {
                let start = after + 1 + run(&rest[after + 1..], js::is_space);
                // 13: `[^}]*`, then 12: `}`; unclosed, Mermaid's parser
                // refuses the diagram.
                let body = &rest[start..];
                let Some(end) = body.find('}') else {
                    return Err(failure(i, "`accDescr {` is never closed by `}`"));
                };
                if end > 0 {
                    diagram.acc_descr = Some(multiline(&body[..end]));
                }
                i += start + end + 1;
                break;
            }
        }
        if i != text.len() - rest.len() {
            continue;
        }
        // 14: `section\s[^#:\n;]+`.
        if starts_ci(rest, "section")
            && let Some(space) = rest[7..].chars().next().filter(|&c| js::is_space(c))
        {
            let value = &rest[7 + space.len_utf8()..];
            let len = run(value, |c| !matches!(c, '#' | ':' | '\n' | ';'));
            if len > 0 {
                if diagram.sections.len() >= limits.0 {
                    return Err(Failure {
                        limit: Some(("sections in a Mermaid journey", limits.0)),
                        ..failure(i, "too many sections")
                    });
                }
                diagram.sections.push((value[..len].to_owned(), Vec::new()));
                i += 7 + space.len_utf8() + len;
                continue;
            }
        }
        // 15: a task's name, `[^#:\n;]+`.
        let len = run(rest, |c| !matches!(c, '#' | ':' | '\n' | ';'));
        if len > 0 && name.is_none() {
            name = Some((i, rest[..len].to_owned()));
            i += len;
            continue;
        }
        // 16: its data, `:[^#\n;]+`; 17: a lone `:`.
        if c == ':' {
            let len = 1 + run(&rest[1..], |c| !matches!(c, '#' | '\n' | ';'));
            let Some((at, task)) = name.take().filter(|_| len > 1) else {
                return Err(failure(i, "a `:` that follows no task name"));
            };
            tasks += 1;
            if tasks > limits.1 {
                return Err(Failure {
                    limit: Some(("tasks in a Mermaid journey", limits.1)),
                    ..failure(at, "too many tasks")
                });
            }
            if diagram.sections.is_empty() {
                // Tasks before any section: Mermaid's section "".
                diagram.sections.push((String::new(), Vec::new()));
            }
            if let Some((_, list)) = diagram.sections.last_mut() {
                list.push(RawTask {
                    name: task,
                    data: rest[..len].to_owned(),
                });
            }
            i += len;
            continue;
        }
        // 19: anything else.
        return Err(failure(
            i,
            format!("{c:?} cannot be read here (write it as an entity code such as #59;)"),
        ));
    }
    if let Some((at, _)) = name {
        return Err(failure(at, "a task is `name: score`; this one has no `:`"));
    }
    if !started {
        return Err(failure(0, "the text has no `journey` diagram"));
    }
    Ok(diagram)
}

/// The value of `accDescr { … }` as Mermaid keeps it: trimmed, and the
/// white space at the start of each line removed (blank lines with it).
fn multiline(value: &str) -> String {
    let value = js::trim(value);
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\n' {
            while chars.peek().is_some_and(|&c| js::is_space(c)) {
                chars.next();
            }
        }
    }
    out
}
