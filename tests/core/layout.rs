//! No test, example or bench file is skipped silently: every such file of
//! the repository is built by cargo or reached from the test script (or, for
//! the comparison scripts, from BENCHMARKS.md), so a new file that nobody
//! wires in fails here instead of never running.
//!
//! A Rust file is reached when it is a cargo target (or a module one
//! declares); any other file when a reached file names it: by its path from
//! the repository's root, by its path from the naming file's folder, or by
//! its folder (`node --test tests/node/`, `cp folder/* …`).

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The folders whose files must all be reached.
const WATCHED: [&str; 5] = [
    "tests",
    "examples",
    "benches",
    "journey-wasm/tests",
    "journey-ffi/tests",
];

/// What counts as a file that runs (data and configuration do not).
const CODE: [&str; 10] = [
    "rs", "c", "cpp", "mjs", "cjs", "js", "ts", "py", "sh", "html",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("data") {
                files(&path, out);
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| CODE.contains(&e))
        {
            out.push(path);
        }
    }
}

fn relative(path: &Path) -> String {
    let root = root().canonicalize().unwrap();
    let path = path.canonicalize().unwrap();
    path.strip_prefix(&root)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The source files of every cargo target of the workspace.
fn cargo_targets() -> BTreeSet<String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{output:?}");
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|package| package["targets"].as_array().unwrap())
        .map(|target| relative(Path::new(target["src_path"].as_str().unwrap())))
        .collect()
}

/// Whether the file at `by` (repository-relative, with its text) names the
/// file at `path`.
fn names(by: &str, text: &str, path: &str) -> bool {
    let by_dir = Path::new(by).parent().unwrap_or(Path::new(""));
    let from_by = pathdiff(Path::new(path), by_dir);
    let folder = Path::new(path)
        .parent()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let module = Path::new(path)
        .file_name()
        .is_some_and(|name| name == "mod.rs")
        && Path::new(path).parent().and_then(Path::parent) == Some(by_dir)
        && text.contains(&format!(
            "mod {};",
            Path::new(path)
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
        ));
    mentions(text, path)
        || mentions(text, &from_by)
        || text.contains(&format!("{folder}/ "))
        || text.contains(&format!("{folder}/*"))
        || {
            text.lines()
                .any(|line| line.trim_end().ends_with(&format!("{folder}/")))
        }
        || module
}

/// Whether `needle` stands in `text` as a whole path: not inside a longer
/// name (`x.c` is not in `journey_x.csv`); `./x.c` names it.
fn mentions(text: &str, needle: &str) -> bool {
    let part = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/');
    text.match_indices(needle).any(|(at, _)| {
        let head = &text[..at];
        let before = head.chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        (!before.is_some_and(part) || head.ends_with("./"))
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// `path` written from the folder `from` (both repository-relative).
fn pathdiff(path: &Path, from: &Path) -> String {
    let path: Vec<_> = path.components().collect();
    let from: Vec<_> = from.components().collect();
    let common = path.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &path[common..] {
        out.push(part);
    }
    out.to_string_lossy().into_owned()
}

#[test]
fn every_test_example_and_bench_file_is_built_or_run() {
    let root = root();
    let mut watched = Vec::new();
    for dir in WATCHED {
        files(&root.join(dir), &mut watched);
    }
    let watched: BTreeSet<String> = watched.iter().map(|p| relative(p)).collect();
    let mut reached: BTreeSet<String> = cargo_targets();
    let mut queue: VecDeque<String> = reached.iter().cloned().collect();
    for start in ["scripts/test.sh", "BENCHMARKS.md"] {
        reached.insert(start.to_owned());
        queue.push_back(start.to_owned());
    }
    let mut scripts = Vec::new();
    files(&root.join("scripts"), &mut scripts);
    let candidates: BTreeSet<String> = watched
        .iter()
        .cloned()
        .chain(scripts.iter().map(|p| relative(p)))
        .collect();
    while let Some(file) = queue.pop_front() {
        let text = std::fs::read_to_string(root.join(&file)).unwrap_or_default();
        for candidate in &candidates {
            if !reached.contains(candidate) && names(&file, &text, candidate) {
                reached.insert(candidate.clone());
                queue.push_back(candidate.clone());
            }
        }
    }
    let skipped: Vec<&String> = watched.iter().filter(|f| !reached.contains(*f)).collect();
    assert!(
        skipped.is_empty(),
        "built by no cargo target and run by no script: {skipped:?}"
    );
}

#[test]
fn a_file_nobody_names_is_caught() {
    // The rule above, on a file no reached text names (its name is built
    // here, so this file does not name it).
    let stray = ["tests/c/", "stray", ".c"].concat();
    assert!(!names(
        "scripts/test.sh",
        "node --test tests/node/\n",
        &stray
    ));
    assert!(names(
        "scripts/test.sh",
        "node --test tests/node/\n",
        "tests/node/x.test.mjs"
    ));
    assert!(names(
        "tests/node/mermaid/check.mjs",
        "import '../../checks.mjs'",
        "tests/checks.mjs"
    ));
    assert!(names(
        "tests/analysis.rs",
        "mod common;",
        "tests/common/mod.rs"
    ));
}

#[test]
fn the_crate_front_page_lists_every_module() {
    let lib = std::fs::read_to_string(root().join("journey-core/src/lib.rs")).unwrap();
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("pub mod "))
        .filter_map(|rest| rest.strip_suffix(';'))
        .collect();
    assert!(modules.len() >= 18, "{modules:?}");
    for module in modules {
        assert!(
            lib.contains(&format!("//! - [`{module}`]:")),
            "the crate docs do not list the module {module}"
        );
    }
}
