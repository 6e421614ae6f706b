//! Mermaid `journey` diagrams: import and export.
//!
//! A Mermaid user journey has a title, sections and tasks; each task has a
//! score and actors. They map onto the model as:
//!
//! | Mermaid | journey |
//! | --- | --- |
//! | `title` (or the front matter's `title`) | the journey's name |
//! | `accTitle` | the journey's `extra.mermaid.acc_title` |
//! | `accDescr` | the journey's description |
//! | `section` | a stage (an empty one too) |
//! | task | a touchpoint of that stage, in written order |
//! | score 1..5 | emotion −2..+2 (score − 3, exactly, in decimal) |
//! | actors | personas of the document, and the touchpoint's `personas` (a repeated one repeated) |
//!
//! Import reads a diagram as Mermaid (12.3) reads it: its preprocessing in
//! its order (line ends, front matter as YAML, `%%{…}%%` directives, `%%`
//! comment lines, entity codes such as `#35;` and `#quot;`) and its journey
//! grammar's rules, so a diagram Mermaid draws is read with the same
//! title, sections, tasks, scores and actors, and a diagram Mermaid refuses
//! is refused, with the line as written. Import also joins the tasks in
//! written order with transitions and makes the first task the entry, so
//! the imported journey can be analysed; it adds no goal (Mermaid does not
//! say which step means success). A diagram without a title gets the name
//! "Journey" and `extra.mermaid.untitled`. A score Mermaid draws but an
//! emotion cannot hold (outside 1..5, or not a number, such as `7` or
//! `2rem`) gives a clamped emotion (none for a non-number) and keeps the
//! score as written in the touchpoint's `extra.mermaid_score`;
//! [`Document::validate`] warns about it (`mermaid_score`).
//!
//! Where import differs from Mermaid, and nothing else does:
//! - names, titles and actors are trimmed of white space around them
//!   (Mermaid keeps it, and its drawing does not show it); white space
//!   inside is kept as written;
//! - empty actors (`A, , B`) are left out;
//! - entity names: the numeric codes are all read; of the named ones, the
//!   markup characters, the Latin-1 names, typographic punctuation and
//!   common symbols are read, and a name HTML knows beyond those is kept as
//!   `&name;`;
//! - markup in a title, accTitle or accDescr is kept as text (Mermaid
//!   sanitises it as HTML and draws its text);
//! - the front matter's YAML is read in block style (mappings, lists,
//!   plain, quoted and block scalars, flow collections skipped): a title
//!   that is a mapping, a list, a flow collection, an alias or has a tag is
//!   refused (Mermaid would show `[object Object]` or the list's items);
//! - text that contains Mermaid's own placeholders for entity codes
//!   (`ﬂ°…¶ß`) is read as written.
//!
//! Export writes what Mermaid reads back as the same title, accTitle,
//! accDescr, sections, tasks, scores and actors: a character Mermaid would
//! take for something else (`#` `;` `:` `<` `>` `&`, `,` in actors, a line
//! break, a `%` that would start a comment or a directive, the first letter
//! of a name that reads as a keyword, white space at either end) is written
//! as an entity code, which Mermaid shows as the character; a multi-line
//! description as an `accDescr { … }` block. A diagram read by import and
//! exported is read back as the same document. A task's actors are its
//! touchpoint's personas when any touchpoint of the journey names its own
//! (as an imported journey does), and otherwise the journey's personas. A
//! richer model loses, by design: missing touchpoints (not written),
//! transitions, entries and goals (the task order is the stage order, then
//! the touchpoint order within a stage), channels, kinds, measures and
//! every other field; a touchpoint without an emotion gets the neutral
//! score 3.

use hashbrown::HashMap;
use std::fmt::Write;

use serde_json::Value;

use crate::Document;
use crate::error::Error;
use crate::model::{Entry, Journey, Persona, Stage, Status, Touchpoint, Transition};

mod decimal;
mod entity;
mod js;
mod prepare;
mod read;
mod yaml;

/// The key of a journey's `extra` where import keeps what Mermaid had and
/// the model has no field for: `{"acc_title": "…"}`, `{"untitled": true}`.
pub const JOURNEY_EXTRA: &str = "mermaid";

/// The key of a touchpoint's `extra` where import keeps a task's score as
/// written when the emotion cannot hold it exactly (outside 1–5, not a
/// number, or not `emotion + 3` to the last bit).
pub const SCORE_EXTRA: &str = "mermaid_score";

/// The name an untitled diagram's journey gets.
const UNTITLED: &str = "Journey";

/// Reads a Mermaid `journey` diagram into a document with its personas (the
/// actors) and one journey.
///
/// ```
/// let text = "journey\n  title Buying shoes\n  section Look\n    Browse: 4: Shopper\n    Compare: 2: Shopper, Friend\n";
/// let document = journey_core::mermaid::from_mermaid(text)?;
/// let journey = &document.journeys[0];
/// assert_eq!(journey.name, "Buying shoes");
/// assert_eq!(journey.touchpoints[1].emotion, Some(-1.0));
/// assert_eq!(document.personas[1].name, "Friend");
/// # Ok::<(), journey_core::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Mermaid`] with the line of the text as written, for what
/// Mermaid refuses: text that is not a `journey` diagram, a task without
/// `: score`, a character its grammar cannot read where it stands (`;`,
/// a lone `:`), front matter that is not YAML; and for a front-matter title
/// that is not text. [`Error::LimitExceeded`] beyond the document limits.
pub fn from_mermaid(text: &str) -> Result<Document, Error> {
    let limits = crate::document::Limits::default();
    if text.len() > limits.max_document_bytes {
        return Err(Error::LimitExceeded {
            what: "bytes of Mermaid text".into(),
            limit: limits.max_document_bytes,
            actual: text.len(),
        });
    }
    // Each step as Mermaid takes it; positions map back through each.
    let normal = prepare::line_ends_and_tags(text);
    let line_of = |at: usize| {
        let at = normal.source(at).min(text.len());
        let before = &text.as_bytes()[..at];
        // Lines as written: `\n`, `\r\n` or a lone `\r` end one.
        1 + before
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && before.get(i + 1) != Some(&b'\n')))
            .count()
    };
    let (front_title, body_start) = match prepare::front_matter(&normal.text) {
        Some((indent, body, end)) => {
            let unindented: String = body
                .split('\n')
                .map(|l| l.strip_prefix(indent).unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n");
            // Where the body starts in the text (it is a slice of it).
            let body_at = body.as_ptr() as usize - normal.text.as_ptr() as usize;
            let title = yaml::title(&unindented).map_err(|(line, message)| {
                fail(line_of(body_at) + line, format!("front matter: {message}"))
            })?;
            (title, end)
        }
        None => (None, 0),
    };
    let after_front = &normal.text[body_start..];
    let directives = prepare::without_directives(after_front);
    let comments = prepare::without_comment_lines(&directives.text);
    let encoded = prepare::encode_entities(&comments.text);
    let source = |at: usize| {
        let at = directives.source(comments.source(encoded.source(at)));
        line_of(body_start + at)
    };
    // Mermaid finds a journey diagram by `journey` at the start, as written.
    if !comments.text.starts_with("journey") {
        let found: String = comments.text.chars().take(20).collect();
        return Err(fail(
            source(0),
            if found.is_empty() {
                "the text has no `journey` diagram".to_owned()
            } else {
                format!("expected `journey`, found {found:?}")
            },
        ));
    }
    let mut prepared = encoded.text.clone();
    prepared.push('\n');
    let diagram =
        read::read(&prepared, (limits.max_stages, limits.max_touchpoints)).map_err(|f| match f
            .limit
        {
            Some((what, limit)) => too_many(what, limit),
            None => fail(source(f.at.min(encoded.text.len())), f.message),
        })?;
    build(diagram, front_title, &limits)
}

fn fail(line: usize, message: String) -> Error {
    Error::Mermaid { line, message }
}

/// The error for a diagram with more `what` than a document may hold.
fn too_many(what: &str, limit: usize) -> Error {
    Error::LimitExceeded {
        what: what.into(),
        limit,
        actual: limit + 1,
    }
}

/// A name as Mermaid shows it: entity codes as their characters, white
/// space around it trimmed.
fn shown(text: &str) -> String {
    js::trim(&entity::decode(text)).to_owned()
}

/// The document of a read diagram.
fn build(
    diagram: read::Diagram,
    front_title: Option<String>,
    limits: &crate::document::Limits,
) -> Result<Document, Error> {
    let mut persona_ids = Ids::default();
    let mut personas: Vec<Persona> = Vec::new();
    let mut persona_of: HashMap<String, usize> = HashMap::new();
    let mut journey = Journey::default();
    let mut mermaid = serde_json::Map::new();
    // A `title` statement replaces the front matter's.
    match diagram
        .title
        .map(|t| shown(&t))
        .or(front_title.map(|t| js::trim(&t).to_owned()))
    {
        Some(title) => journey.name = title,
        None => {
            journey.name = UNTITLED.to_owned();
            mermaid.insert("untitled".to_owned(), Value::Bool(true));
        }
    }
    if let Some(acc_title) = diagram.acc_title {
        mermaid.insert("acc_title".to_owned(), Value::String(shown(&acc_title)));
    }
    journey.description = diagram
        .acc_descr
        .map(|d| entity::decode(&d))
        .filter(|d| !d.is_empty());
    if !mermaid.is_empty() {
        journey
            .extra
            .insert(JOURNEY_EXTRA.to_owned(), Value::Object(mermaid));
    }
    journey.id = Ids::default().make(&journey.name, "journey");
    let mut stage_ids = Ids::default();
    let mut touchpoint_ids = Ids::default();
    for (section, tasks) in diagram.sections {
        let name = shown(&section);
        let stage = Stage::new(stage_ids.make(&name, "section"), name);
        for task in tasks {
            let name = shown(&task.name);
            // Mermaid's addTask: `:score` and `:actors` after the first `:`;
            // anything after a third `:` is not read.
            let mut pieces = task.data[1..].split(':');
            let score_text = pieces.next().unwrap_or_default();
            let actors = pieces.next();
            let mut touchpoint =
                Touchpoint::new(touchpoint_ids.make(&name, "task"), name, stage.id.clone());
            let score = js::number(score_text);
            if (1.0..=5.0).contains(&score) {
                // Exactly the written score − 3 when it is plain decimal
                // text, so that export writes the same text back.
                touchpoint.emotion = Some(
                    decimal::minus_three(js::trim(score_text))
                        .and_then(|e| crate::number::finite_f64(&e))
                        .unwrap_or(score - 3.0),
                );
            } else {
                // Outside what an emotion holds: clamped (none for a score
                // that is not a number), the score as written kept (an
                // empty one is Mermaid's 0); validation warns.
                touchpoint.emotion = score.is_finite().then(|| score.clamp(1.0, 5.0) - 3.0);
                let written = match js::trim(score_text) {
                    "" => "0".to_owned(),
                    text => entity::rewrite(text),
                };
                touchpoint
                    .extra
                    .insert(SCORE_EXTRA.to_owned(), Value::String(written));
            }
            for actor in actors.into_iter().flat_map(|a| a.split(',')) {
                let actor = shown(actor);
                if actor.is_empty() {
                    continue;
                }
                let index = match persona_of.get(&actor) {
                    Some(&index) => index,
                    None => {
                        if personas.len() >= limits.max_personas {
                            return Err(too_many(
                                "actors in a Mermaid journey",
                                limits.max_personas,
                            ));
                        }
                        persona_of.insert(actor.clone(), personas.len());
                        personas.push(Persona::new(persona_ids.make(&actor, "persona"), actor));
                        personas.len() - 1
                    }
                };
                // A repeated actor is kept: Mermaid keeps it too.
                touchpoint.personas.push(personas[index].id.clone());
            }
            if let Some(previous) = journey.touchpoints.last() {
                journey
                    .transitions
                    .push(Transition::new(previous.id.clone(), touchpoint.id.clone()));
            } else {
                journey.entries.push(Entry {
                    touchpoint: touchpoint.id.clone(),
                    weight: 1.0,
                    extra: Default::default(),
                });
            }
            journey.touchpoints.push(touchpoint);
        }
        journey.stages.push(stage);
    }
    journey.personas = personas.iter().map(|p| p.id.clone()).collect();
    Ok(Document {
        personas,
        journeys: vec![journey],
        ..Document::new()
    })
}

/// Unique ids made from names: letters and digits (ASCII ones lower-cased),
/// runs of other characters as `_`,
/// `_2`, `_3`… on repeats.
#[derive(Default)]
struct Ids {
    /// The ids given, each with the last suffix tried for it as a base (so
    /// n repeats of a name cost n tries, not n²).
    used: HashMap<String, usize>,
}

impl Ids {
    fn make(&mut self, name: &str, fallback: &str) -> String {
        let mut base = String::with_capacity(name.len());
        for c in name.chars() {
            if c.is_alphanumeric() {
                // ASCII lower case only: full Unicode case tables would
                // weigh on the WebAssembly build for little gain in an id.
                base.push(c.to_ascii_lowercase());
            } else if !base.is_empty() && !base.ends_with('_') {
                base.push('_');
            }
        }
        while base.ends_with('_') {
            base.pop();
        }
        if base.is_empty() {
            base = fallback.to_owned();
        }
        let mut id = base.clone();
        if let Some(&last) = self.used.get(&base) {
            let mut n = last;
            while self.used.contains_key(&id) {
                n += 1;
                id = format!("{base}_{n}");
            }
            self.used.insert(base, n);
        }
        self.used.insert(id.clone(), 1);
        id
    }
}

/// The journey as a Mermaid `journey` diagram. See the module documentation
/// for what is written and what is left out.
///
/// ```
/// # let document = journey_core::Document::from_json(include_str!("../../../examples/data/gym.json")).unwrap();
/// let text = journey_core::mermaid::to_mermaid(&document, "gym")?;
/// assert!(text.starts_with("journey\n  title Joining a gym\n"));
/// assert!(text.contains("\n  section Awareness\n"));
/// # Ok::<(), journey_core::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::NotFound`] when the document has no journey with this id.
pub fn to_mermaid(document: &Document, journey: &str) -> Result<String, Error> {
    let journey = document.require_journey(journey)?;
    // Persona by id, as its place in the list.
    let names: HashMap<&str, usize> = document
        .personas
        .iter()
        .enumerate()
        .map(|(k, p)| (p.id.as_str(), k))
        .collect();
    // The actors of a task, written as Mermaid reads them: names, not ids.
    let actor_list = |ids: &[String]| -> String {
        let actors: Vec<String> = ids
            .iter()
            .map(|id| {
                let name = names
                    .get(id.as_str())
                    .map(|&k| document.personas[k].name.as_str())
                    .filter(|n| !js::trim(n).is_empty());
                escape(name.unwrap_or(id), Field::Actor)
            })
            .filter(|a| !a.is_empty())
            .collect();
        actors.join(", ")
    };
    let mermaid = journey.extra.get(JOURNEY_EXTRA);
    let recorded = |key: &str| mermaid.and_then(|m| m.get(key));
    let mut out = String::from("journey\n");
    // Writing to a String cannot fail.
    let untitled = recorded("untitled") == Some(&Value::Bool(true)) && journey.name == UNTITLED;
    if !untitled {
        let _ = writeln!(out, "  title {}", named(&journey.name, Field::Title));
    }
    if let Some(Value::String(acc_title)) = recorded("acc_title") {
        let _ = writeln!(out, "  accTitle: {}", escape(acc_title, Field::Title));
    }
    if let Some(description) = &journey.description {
        if description.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
            let _ = writeln!(
                out,
                "  accDescr {{\n{}\n  }}",
                escape(description, Field::Block)
            );
        } else if !js::trim(description).is_empty() {
            let _ = writeln!(out, "  accDescr: {}", escape(description, Field::Title));
        }
    }
    // Actors per task when any touchpoint names its personas (as an imported
    // journey does); otherwise every task has the journey's personas.
    let per_touchpoint = journey.touchpoints.iter().any(|t| !t.personas.is_empty());
    let journey_actors = actor_list(&journey.personas);
    let by_stage = journey.touchpoints_by_stage();
    for (position, stage) in journey.stages.iter().enumerate() {
        // A nameless first stage with tasks is Mermaid's "tasks before
        // any section".
        let before_any = position == 0
            && js::trim(&stage.name).is_empty()
            && by_stage[0].iter().any(|t| t.status != Status::Missing);
        if !before_any {
            let _ = writeln!(out, "  section {}", named(&stage.name, Field::Name));
        }
        for &touchpoint in &by_stage[position] {
            if touchpoint.status == Status::Missing {
                continue;
            }
            let own;
            let actors = if per_touchpoint {
                own = actor_list(&touchpoint.personas);
                &own
            } else {
                &journey_actors
            };
            let _ = write!(
                out,
                "    {}: {}",
                named(&touchpoint.name, Field::Name),
                score(touchpoint)
            );
            if !actors.is_empty() {
                let _ = write!(out, ": {actors}");
            }
            out.push('\n');
        }
    }
    Ok(out)
}

/// A task's score: the one written in Mermaid when import kept it (and
/// the emotion is still what it gave), else the emotion + 3 (3 without
/// one), added in decimal so that import gives the emotion back exactly.
fn score(touchpoint: &Touchpoint) -> String {
    if let Some(Value::String(written)) = touchpoint.extra.get(SCORE_EXTRA) {
        let value = js::number(&entity::decode(written));
        let emotion = value.is_finite().then(|| value.clamp(1.0, 5.0) - 3.0);
        // Written back as it is when it reads back as one score: no line
        // end, `:` or directive, and `#` and `;` only in entity codes.
        let bare = entity_codes_removed(written);
        let writable = !js::trim(written).is_empty()
            && !bare.contains(['\n', '\r', ':', ';', '#', '\u{2028}', '\u{2029}'])
            && !bare.contains("%%{");
        if writable && emotion == touchpoint.emotion {
            return written.clone();
        }
    }
    let emotion = touchpoint
        .emotion
        .filter(|e| e.is_finite())
        .unwrap_or(0.0)
        .clamp(-2.0, 2.0);
    decimal::plus_three(&decimal::plain(emotion))
}

/// `text` without its `#word;` entity codes.
fn entity_codes_removed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let word = after.find(|c: char| !js::is_word(c)).unwrap_or(after.len());
        if word > 0 && after[word..].starts_with(';') {
            rest = &after[word + 1..];
        } else {
            out.push('#');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Where a text is written, which decides what must be an entity code.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    /// `title …`, `accTitle: …`, `accDescr: …`.
    Title,
    /// A section or task name.
    Name,
    /// An actor: `,` separates them.
    Actor,
    /// The lines of `accDescr { … }`: `}` closes it.
    Block,
}

/// Text Mermaid reads back as written: every character its grammar or its
/// preprocessing would take for something else written as an entity code
/// (`#35;` for `#`), which Mermaid shows as the character.
fn escape(text: &str, field: Field) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut line_start = true;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let code = match c {
            // Comments, statements' ends, markup, and the entity codes'
            // own characters.
            '#' | ';' | ':' | '<' | '>' | '&' => true,
            ',' => field == Field::Actor,
            '}' | '{' => field == Field::Block || c == '{' && i > 0 && chars[i - 1] == '%',
            '\n' => field != Field::Block,
            '\r' | '\u{2028}' | '\u{2029}' => true,
            // `%` starting a token or a line, or of a `%%`, starts a comment
            // or a directive.
            '%' => i < 3 || line_start || next == Some('%') || (i > 0 && chars[i - 1] == '%'),
            // White space that starts or ends the text, or starts a
            // block's line, would be trimmed.
            c if js::is_space(c) => {
                i == 0 || i + 1 == chars.len() || field == Field::Block && line_start
            }
            _ => false,
        };
        if code {
            let _ = write!(out, "#{};", u32::from(c));
        } else {
            out.push(c);
        }
        line_start = c == '\n';
    }
    if field == Field::Block {
        // Each line indented, as the block's content (Mermaid drops the
        // indentation).
        return format!("    {}", out.replace('\n', "\n    "));
    }
    out
}

/// A title, section or task name as written: escaped, its first character
/// an entity code when the name would read as a keyword (`title`,
/// `section`, `journey`, `accTitle`, `accDescr`, in any case); an empty
/// name is a space (`#32;`), which Mermaid shows as a blank name.
fn named(name: &str, field: Field) -> String {
    let name = js::trim(name);
    if name.is_empty() {
        return "#32;".to_owned();
    }
    let lower = name.to_ascii_lowercase();
    let reserved = ["journey", "title", "section", "acctitle", "accdescr"]
        .iter()
        .any(|word| lower.starts_with(word));
    let escaped = escape(name, field);
    match (reserved, name.chars().next()) {
        (true, Some(first)) => format!("#{};{}", u32::from(first), &escaped[first.len_utf8()..]),
        _ => escaped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_readable() {
        let mut ids = Ids::default();
        assert_eq!(ids.make("Go to work", "x"), "go_to_work");
        assert_eq!(ids.make("Go to work!", "x"), "go_to_work_2");
        assert_eq!(ids.make("  ", "task"), "task");
        assert_eq!(ids.make("Ünïcode Straße", "x"), "Ünïcode_straße");
    }

    #[test]
    fn names_are_written_as_mermaid_reads_them() {
        assert_eq!(named("Title page", Field::Name), "#84;itle page");
        assert_eq!(named("Sections", Field::Name), "#83;ections");
        assert_eq!(named("Plans", Field::Name), "Plans");
        assert_eq!(named(" ", Field::Name), "#32;");
        assert_eq!(
            escape("a: b #1; c,d", Field::Actor),
            "a#58; b #35;1#59; c#44;d"
        );
        assert_eq!(escape("a:\n b", Field::Title), "a#58;#10; b");
        assert_eq!(escape("%%x 50%", Field::Name), "#37;#37;x 50%");
        assert_eq!(escape("5%", Field::Name), "5#37;");
        assert_eq!(escape("up 5% today", Field::Name), "up 5% today");
    }
}
