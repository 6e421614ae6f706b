//! The C API fuzz target's body (`fuzz/src/c_api.rs`) on seeds made from
//! the fixtures, on hostile seeds, and on every input a fuzzer found
//! (`fuzz/regressions/c_api/`). With `JOURNEY_FUZZ_CORPUS=<dir>` set, the
//! seeds are also written to `<dir>/c_api/` for `cargo fuzz` to start from.

#[path = "../../fuzz/src/c_api.rs"]
mod c_api;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap()
}

/// The first `lines` lines of a fixture.
fn head(path: &str, lines: usize) -> Vec<u8> {
    let text = read(path);
    let mut kept: Vec<u8> = text
        .split_inclusive(|&b| b == b'\n')
        .take(lines)
        .flatten()
        .copied()
        .collect();
    kept.truncate(16 * 1024);
    kept
}

fn snapshot() -> Vec<u8> {
    let text = String::from_utf8(read("examples/data/gym.json")).unwrap();
    let document = journey_core::Document::from_json(&text).unwrap();
    let options = journey_core::tracker::TrackerOptions {
        history: 3,
        shards: 2,
        ..Default::default()
    };
    let tracker =
        journey_core::tracker::Tracker::new(document.journey("gym").unwrap(), options).unwrap();
    for (k, customer) in ["ann", "bo", "ann", "cy"].iter().enumerate() {
        tracker
            .observe(customer, "online_reviews", k as i64)
            .unwrap();
    }
    tracker.snapshot().unwrap()
}

fn join(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(&0xFF)
}

fn seeds() -> Vec<Vec<u8>> {
    let gym = read("examples/data/gym.json");
    let shoe = read("examples/data/shoe.json");
    let mermaid = read("examples/data/mermaid/features.mmd");
    let events = head("examples/data/gym-events.csv", 40);
    let stream = read("examples/data/helpdesk-stream.csv");
    let snapshot = snapshot();
    let tracked = b"ann,0,online_reviews\nbo,5,free_trial_popup\nann,9,website\n".to_vec();
    let mut seeds = vec![
        join(&[&gym, b"", &events, &snapshot]),
        join(&[&gym, b"{}", &tracked, b""]),
        join(&[&gym, br#"{"history": 2, "shards": 1}"#, &tracked, &snapshot]),
        join(&[&shoe, b"", &events, b""]),
        join(&[&mermaid, b"", &stream, b""]),
        join(&[
            &gym,
            br#"{"topp": 3}"#,
            b"customer,timestamp,event\n\"a,0,x\n",
            b"{",
        ]),
        join(&[b"{", b"\xff", b"", &snapshot[..snapshot.len() / 2]]),
        Vec::new(),
        vec![0xFF; 8],
        "[".repeat(200).into_bytes(),
    ];
    let found = root().join("fuzz/regressions/c_api");
    let mut kept: Vec<_> = std::fs::read_dir(found)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != ".keep"))
        .collect();
    kept.sort();
    seeds.extend(kept.iter().map(|p| std::fs::read(p).unwrap()));
    seeds
}

#[test]
fn the_c_api_holds_on_every_seed_and_regression() {
    let seeds = seeds();
    if let Some(dir) = std::env::var_os("JOURNEY_FUZZ_CORPUS") {
        let dir = Path::new(&dir).join("c_api");
        std::fs::create_dir_all(&dir).unwrap();
        for (k, seed) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{k:03}")), seed).unwrap();
        }
    }
    for seed in &seeds {
        c_api::c_api(seed);
    }
    // And cuts of the small ones, at every 7th byte: truncation is what
    // storage and networks do.
    for seed in seeds.iter().filter(|s| s.len() <= 4096) {
        for cut in (0..seed.len()).step_by(7) {
            c_api::c_api(&seed[..cut]);
        }
    }
}
