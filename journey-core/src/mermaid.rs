//! Mermaid `journey` diagrams: import and export.
//!
//! A Mermaid user journey has a title, sections and tasks; each task has a
//! score from 1 to 5 and actors. They map onto the model as:
//!
//! | Mermaid | journey |
//! | --- | --- |
//! | `title` (or front matter `title:`, or `accTitle`) | the journey's name |
//! | `accDescr` | the journey's description |
//! | `section` | a stage |
//! | task | a touchpoint of that stage, in written order |
//! | score 1..5 | emotion −2..+2 (score − 3) |
//! | actors | personas of the document, and the touchpoint's `personas` |
//!
//! On export a task's actors are its touchpoint's personas when any
//! touchpoint of the journey names its own (as an imported journey does), and
//! otherwise the journey's personas.
//!
//! Import also joins the tasks in written order with transitions and makes the
//! first task the entry, so the imported journey can be analysed. It adds no
//! goal: Mermaid does not say which step means success.
//!
//! Export writes what Mermaid can express, and a journey that came from
//! Mermaid comes back unchanged. A richer model loses, by design: missing
//! touchpoints (not written), transitions, entries and goals (the task order is
//! the stage order, then the touchpoint order within a stage), channels, kinds,
//! measures and every other field; an emotion is written with at most six
//! decimals (a touchpoint without one gets the neutral score 3); a multi-line
//! description becomes one line. Mermaid cannot write `:` `#` `;` in names,
//! nor `,` in actor names, nor `%%` or a leading `%` (a comment): they are
//! written as their full-width forms (`：` `＃` `；` `，`, `％`). A name that
//! Mermaid would read as a keyword (`title …`, `section …`, `accTitle …`,
//! `accDescr …`) is written after a zero-width space, which import removes.

use hashbrown::HashMap;
use std::fmt::Write;

use crate::Document;
use crate::error::Error;
use crate::model::{Entry, Journey, Persona, Stage, Status, Touchpoint, Transition};

/// The zero-width space written before a name Mermaid would read as a keyword.
const GUARD: char = '\u{200b}';

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
/// [`Error::Mermaid`] with the line: text that is not a `journey` diagram, a
/// line that is neither a statement nor a task, a task without a numeric score
/// or with a score outside 1..5, a name with `#` or `;`.
pub fn from_mermaid(text: &str) -> Result<Document, Error> {
    let limits = crate::document::Limits::default();
    if text.len() > limits.max_document_bytes {
        return Err(Error::LimitExceeded {
            what: "bytes of Mermaid text".into(),
            limit: limits.max_document_bytes,
            actual: text.len(),
        });
    }
    let mut reader = Reader::default();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    // Front matter: `---`, `key: value` lines, `---`.
    let mut header = None;
    while let Some((number, line)) = lines.next() {
        let line = line.trim();
        if line.is_empty() || is_comment(line) {
            continue;
        }
        if line == "---" && reader.front_matter_title.is_none() {
            reader.front_matter(&mut lines, number)?;
            continue;
        }
        header = Some((number, line));
        break;
    }
    match header {
        Some((_, line)) if line.eq_ignore_ascii_case("journey") => {}
        Some((number, line)) => {
            return Err(fail(number, format!("expected `journey`, found {line:?}")));
        }
        None => return Err(fail(1, "the text has no `journey` diagram".to_owned())),
    }
    while let Some((number, line)) = lines.next() {
        reader.statement(number, line, &mut lines)?;
    }
    Ok(reader.finish())
}

/// The error for a diagram with more `what` than a document may hold.
fn too_many(what: &str, limit: usize) -> Error {
    Error::LimitExceeded {
        what: what.into(),
        limit,
        actual: limit + 1,
    }
}

fn fail(line: usize, message: String) -> Error {
    Error::Mermaid { line, message }
}

/// The statement keyword a line starts with, case-insensitively, and the rest.
fn keyword<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    let head = line.get(..word.len())?;
    if !head.eq_ignore_ascii_case(word) {
        return None;
    }
    let rest = &line[word.len()..];
    match rest.chars().next() {
        None => Some(rest),
        Some(c) if c.is_whitespace() || c == ':' || c == '{' => Some(rest),
        Some(_) => None,
    }
}

/// Whether Mermaid's lexer skips the (trimmed) line as a comment: it starts
/// with `%`, or its second and third characters are `%%`.
fn is_comment(line: &str) -> bool {
    let mut chars = line.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some('%'), _, _) => true,
        (Some(first), Some('%'), Some('%')) => first != '}',
        _ => false,
    }
}

/// Text up to the first `#` or `;`, where Mermaid's lexer stops.
fn until_comment(text: &str) -> &str {
    text.split(['#', ';']).next().unwrap_or_default()
}

fn clean_name(text: &str) -> String {
    text.trim().trim_start_matches(GUARD).trim().to_owned()
}

#[derive(Default)]
struct Reader {
    front_matter_title: Option<String>,
    title: Option<String>,
    acc_title: Option<String>,
    description: Option<String>,
    /// Stage name and its tasks.
    sections: Vec<(String, Vec<Task>)>,
    /// Persona names in order of first appearance.
    actors: Vec<String>,
    /// Each persona name's position in `actors`.
    actor_index: HashMap<String, usize>,
    /// Per persona, the last task (counted from 1) that named it.
    named_in: Vec<usize>,
    /// Tasks read so far.
    tasks: usize,
}

struct Task {
    name: String,
    emotion: f64,
    actors: Vec<usize>,
}

impl Reader {
    fn front_matter<'a>(
        &mut self,
        lines: &mut impl Iterator<Item = (usize, &'a str)>,
        start: usize,
    ) -> Result<(), Error> {
        for (_, line) in lines.by_ref() {
            let line = line.trim();
            if line == "---" {
                return Ok(());
            }
            if let Some(value) = line.strip_prefix("title:") {
                let value = value.trim().trim_matches(['"', '\'']);
                self.front_matter_title = Some(value.to_owned());
            }
        }
        Err(fail(start, "front matter `---` is never closed".to_owned()))
    }

    fn statement<'a>(
        &mut self,
        number: usize,
        raw: &'a str,
        lines: &mut impl Iterator<Item = (usize, &'a str)>,
    ) -> Result<(), Error> {
        let line = raw.trim();
        if line.is_empty() || is_comment(line) {
            return Ok(());
        }
        if let Some(rest) = keyword(line, "title") {
            self.title = Some(until_comment(rest).trim().to_owned());
        } else if let Some(rest) = keyword(line, "accTitle") {
            let value = rest.trim_start().strip_prefix(':').ok_or_else(|| {
                fail(
                    number,
                    "`accTitle` is followed by `:` and the title".to_owned(),
                )
            })?;
            self.acc_title = Some(value.trim().to_owned());
        } else if let Some(rest) = keyword(line, "accDescr") {
            let rest = rest.trim_start();
            if let Some(value) = rest.strip_prefix(':') {
                self.description = Some(value.trim().to_owned());
            } else if let Some(first) = rest.strip_prefix('{') {
                self.description = Some(Self::block(number, first, lines)?);
            } else {
                return Err(fail(
                    number,
                    "`accDescr` is followed by `:` and a line, or by `{ … }`".to_owned(),
                ));
            }
        } else if let Some(rest) = keyword(line, "section") {
            let name = until_comment(rest);
            if name.contains(':') {
                return Err(fail(number, "a section name cannot contain `:`".to_owned()));
            }
            let most = crate::document::Limits::default().max_stages;
            if self.sections.len() >= most {
                return Err(too_many("sections in a Mermaid journey", most));
            }
            self.sections.push((clean_name(name), Vec::new()));
        } else {
            self.task(number, line)?;
        }
        Ok(())
    }

    /// The text of `accDescr { … }`, which may span lines.
    fn block<'a>(
        start: usize,
        first: &str,
        lines: &mut impl Iterator<Item = (usize, &'a str)>,
    ) -> Result<String, Error> {
        let mut parts = Vec::new();
        let mut line = first;
        loop {
            if let Some((inside, _)) = line.split_once('}') {
                parts.push(inside.trim());
                break;
            }
            parts.push(line.trim());
            match lines.next() {
                Some((_, next)) => line = next,
                None => return Err(fail(start, "`accDescr {` is never closed".to_owned())),
            }
        }
        Ok(parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n"))
    }

    fn task(&mut self, number: usize, line: &str) -> Result<(), Error> {
        let Some((name, data)) = line.split_once(':') else {
            return Err(fail(
                number,
                format!(
                    "expected `title`, `section` or a task `name: score: actors`, found {line:?}"
                ),
            ));
        };
        if name.contains(['#', ';']) || data.contains(['#', ';']) {
            return Err(fail(number, "a task cannot contain `#` or `;`".to_owned()));
        }
        let mut pieces = data.split(':');
        let score_text = pieces.next().unwrap_or_default().trim();
        let score = crate::number::finite_f64(score_text)
            .ok_or_else(|| fail(number, format!("the score {score_text:?} is not a number")))?;
        if !(1.0..=5.0).contains(&score) {
            return Err(fail(number, format!("the score {score} is outside 1..5")));
        }
        let actors = pieces.next().unwrap_or_default();
        if pieces.next().is_some() {
            return Err(fail(
                number,
                "a task has at most two `:` (`name: score: actors`)".to_owned(),
            ));
        }
        let limits = crate::document::Limits::default();
        self.tasks += 1;
        if self.tasks > limits.max_touchpoints {
            return Err(too_many(
                "tasks in a Mermaid journey",
                limits.max_touchpoints,
            ));
        }
        let mut ids = Vec::new();
        for actor in actors.split(',').map(clean_name).filter(|a| !a.is_empty()) {
            let index = match self.actor_index.get(&actor) {
                Some(&index) => index,
                None => {
                    if self.actors.len() >= limits.max_personas {
                        return Err(too_many("actors in a Mermaid journey", limits.max_personas));
                    }
                    self.actor_index.insert(actor.clone(), self.actors.len());
                    self.actors.push(actor);
                    self.named_in.push(0);
                    self.actors.len() - 1
                }
            };
            // Each actor once per task, in order of first mention.
            if self.named_in[index] != self.tasks {
                self.named_in[index] = self.tasks;
                ids.push(index);
            }
        }
        if self.sections.is_empty() {
            // Tasks before any section: Mermaid shows them without a section name.
            self.sections.push((String::new(), Vec::new()));
        }
        let task = Task {
            name: clean_name(name),
            emotion: ((score - 3.0) * 1e6).round() / 1e6,
            actors: ids,
        };
        if let Some((_, tasks)) = self.sections.last_mut() {
            tasks.push(task);
        }
        Ok(())
    }

    fn finish(self) -> Document {
        let mut persona_ids = Ids::default();
        let personas: Vec<Persona> = self
            .actors
            .iter()
            .map(|name| Persona::new(persona_ids.make(name, "persona"), name.clone()))
            .collect();
        let name = self
            .title
            .or(self.front_matter_title)
            .or(self.acc_title)
            .unwrap_or_else(|| "Journey".to_owned());
        let mut journey = Journey {
            id: Ids::default().make(&name, "journey"),
            name,
            description: self.description,
            personas: personas.iter().map(|p| p.id.clone()).collect(),
            ..Journey::default()
        };
        let mut stage_ids = Ids::default();
        let mut touchpoint_ids = Ids::default();
        for (stage_name, tasks) in self.sections {
            let stage = Stage::new(stage_ids.make(&stage_name, "section"), stage_name);
            for task in tasks {
                let mut touchpoint = Touchpoint::new(
                    touchpoint_ids.make(&task.name, "task"),
                    task.name,
                    stage.id.clone(),
                )
                .emotion(task.emotion);
                touchpoint.personas = task
                    .actors
                    .iter()
                    .map(|&a| personas[a].id.clone())
                    .collect();
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
        Document {
            personas,
            journeys: vec![journey],
            ..Document::new()
        }
    }
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
/// # let document = journey_core::Document::from_json(include_str!("../../examples/data/gym.json")).unwrap();
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
                    .map(|&k| document.personas[k].name.as_str());
                escape(name.unwrap_or(id), &[':', ','])
            })
            .filter(|a| !a.is_empty())
            .collect();
        actors.join(", ")
    };
    let mut out = String::from("journey\n");
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "  title {}",
        guarded(&escape(&journey.name, &[]), &journey.id)
    );
    if let Some(description) = &journey.description {
        let line = description.split_whitespace().collect::<Vec<_>>().join(" ");
        if !line.is_empty() {
            let _ = writeln!(out, "  accDescr: {}", line.replace("%%", "%％"));
        }
    }
    // Actors per task when any touchpoint names its personas (as an imported
    // journey does); otherwise every task has the journey's personas.
    let per_touchpoint = journey.touchpoints.iter().any(|t| !t.personas.is_empty());
    let journey_actors = actor_list(&journey.personas);
    let by_stage = journey.touchpoints_by_stage();
    for (position, stage) in journey.stages.iter().enumerate() {
        let name = escape(&stage.name, &[':']);
        // A nameless first stage is Mermaid's "tasks before any section".
        if !(position == 0 && name.is_empty()) {
            let _ = writeln!(out, "  section {}", guarded(&name, &stage.id));
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
                guarded(&escape(&touchpoint.name, &[':']), &touchpoint.id),
                score(touchpoint.emotion)
            );
            if !actors.is_empty() {
                let _ = write!(out, ": {actors}");
            }
            out.push('\n');
        }
    }
    Ok(out)
}

/// The 1..5 score of an emotion, with at most six decimals.
fn score(emotion: Option<f64>) -> String {
    let value = emotion
        .filter(|e| e.is_finite())
        .unwrap_or(0.0)
        .clamp(-2.0, 2.0)
        + 3.0;
    let text = format!("{:.6}", (value * 1e6).round() / 1e6);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Text Mermaid reads back as written: one line, the characters its lexer
/// stops at (`#`, `;` and those in `also`) and the `%` that would start a
/// comment (a leading one, the second of `%%`) replaced by full-width forms.
fn escape(text: &str, also: &[char]) -> String {
    // One line first: control characters as spaces, whitespace runs as one.
    let line: String = text
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(line.len());
    let mut previous = ' ';
    for (i, c) in line.chars().enumerate() {
        // A leading `%` or `%%` would start a comment: that `%` is written full-width.
        let percent = c == '%' && (previous == '%' || i == 0);
        previous = if percent { ' ' } else { c };
        out.push(match c {
            '%' if percent => '％',
            '#' => '＃',
            ';' => '；',
            ':' if also.contains(&':') => '：',
            ',' if also.contains(&',') => '，',
            c => c,
        });
    }
    out
}

/// A name Mermaid would take for a keyword gets a zero-width space in front;
/// an empty one is replaced by the id.
fn guarded(name: &str, id: &str) -> String {
    let name = if name.is_empty() {
        escape(id, &[':'])
    } else {
        name.to_owned()
    };
    let reserved = ["title", "section", "accTitle", "accDescr"]
        .iter()
        .any(|word| keyword(&name, word).is_some());
    if reserved {
        format!("{GUARD}{name}")
    } else {
        name
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
    fn scores_and_emotions() {
        assert_eq!(score(Some(2.0)), "5");
        assert_eq!(score(Some(-0.25)), "2.75");
        assert_eq!(score(None), "3");
        assert_eq!(score(Some(9.0)), "5");
    }

    #[test]
    fn keywords_are_guarded() {
        assert_eq!(guarded("Title page", "t"), "\u{200b}Title page");
        assert_eq!(guarded("Sections", "t"), "Sections");
        assert_eq!(guarded("", "my_id"), "my_id");
        assert_eq!(escape("a: b #1; c,d", &[':', ',']), "a： b ＃1； c，d");
        assert_eq!(escape("a:\n b", &[]), "a: b");
    }
}
