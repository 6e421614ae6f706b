//! The fuzz targets' bodies (`fuzz/src/lib.rs`) on the fixtures, on hostile
//! seeds, and on every input a fuzzer found (`fuzz/regressions/<target>/`):
//! what fuzzing found stays fixed, and the targets keep building on stable.
//! With `JOURNEY_FUZZ_CORPUS=<dir>` set, each target's seeds are also
//! written to `<dir>/<target>/` for `cargo fuzz` to start from.

#[path = "../../fuzz/src/lib.rs"]
mod targets;

use std::path::Path;

fn files(dir: &Path, extension: Option<&str>) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| p.file_name().is_some_and(|n| n != ".keep"))
        .filter(|p| extension.is_none_or(|x| p.extension().is_some_and(|e| e == x)))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let data = root.join("examples/data");
    let mut seeds = match target {
        "document" => files(&data, Some("json")),
        "mermaid" => files(&data.join("mermaid"), Some("mmd")),
        "events_csv" | "paths_csv" => files(&data, Some("csv")),
        "xes" => [
            files(&data.join("xes"), Some("xes")),
            files(&data.join("xes"), Some("gz")),
        ]
        .concat(),
        "options" => [
            r#"{"top": 3}"#,
            r#"{"history": 4, "shards": 2, "names": {"a": "b"}}"#,
            r#"{"topp": 1}"#,
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        "snapshot" => vec![snapshot()],
        _ => Vec::new(),
    };
    // Hostile seeds for every target.
    seeds.extend([
        Vec::new(),
        b"{".to_vec(),
        b"\xff\xfe\x00".to_vec(),
        "[".repeat(200).into_bytes(),
        b"journey\n  section \x00\n    a: 9: \xc0\n".to_vec(),
        b"customer,timestamp,event\n\"a,0,x\n".to_vec(),
    ]);
    seeds.extend(files(&root.join("fuzz/regressions").join(target), None));
    seeds
}

fn snapshot() -> Vec<u8> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/gym.json"
    ))
    .unwrap();
    let document = journey_core::Document::from_json(&text).unwrap();
    let tracker = journey_core::tracker::Tracker::new(
        document.journey("gym").unwrap(),
        journey_core::tracker::TrackerOptions {
            history: 3,
            shards: 2,
            ..Default::default()
        },
    )
    .unwrap();
    for (k, customer) in ["ann", "bo", "ann", "cy"].iter().enumerate() {
        tracker
            .observe(customer, "online_reviews", k as i64)
            .unwrap();
    }
    tracker.snapshot().unwrap()
}

#[test]
fn every_fuzz_target_holds_on_its_seeds_and_regressions() {
    let corpus = std::env::var_os("JOURNEY_FUZZ_CORPUS");
    for (name, target) in targets::TARGETS {
        let seeds = seeds(name);
        assert!(seeds.len() > 6, "{name} has fixtures as seeds");
        if let Some(corpus) = &corpus {
            let dir = Path::new(corpus).join(name);
            std::fs::create_dir_all(&dir).unwrap();
            for (k, seed) in seeds.iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{k:03}")), seed).unwrap();
            }
        }
        for seed in &seeds {
            target(seed);
            // And every prefix of the small ones: cuts are what storage does.
            if seed.len() <= 2048 {
                for cut in 0..seed.len() {
                    target(&seed[..cut]);
                }
            }
        }
    }
}
