//! The committed header is exactly what the pinned cbindgen generates.

use std::path::PathBuf;

#[test]
fn committed_header_is_current() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .unwrap()
        .write(&mut generated);
    let path = crate_dir.join("../include/journey.h");
    if std::env::var_os("UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/journey.h is stale: run `UPDATE_HEADER=1 cargo test -p journey-ffi --test header`"
    );
}

/// Every kind of error core knows has its own status, named as its code,
/// and the header says so: `JOURNEY_STATUS_NOT_FOUND` is "not_found".
#[test]
fn every_error_kind_has_its_own_status_named_as_its_code() {
    use journey::{JourneyStatus, journey_status_code};
    use journey_core::ErrorKind;

    let header = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include/journey.h"),
    )
    .unwrap();
    let mut values = vec![JourneyStatus::Ok as i32];
    for kind in ErrorKind::ALL {
        let status = JourneyStatus::from(kind);
        assert_eq!(status.kind(), Some(kind));
        values.push(status as i32);
        let line = format!(
            "JOURNEY_STATUS_{} = {},",
            kind.code().to_uppercase(),
            status as i32
        );
        assert!(header.contains(&line), "the header lacks {line:?}");
        // SAFETY: a static NUL-terminated string.
        let code = unsafe { std::ffi::CStr::from_ptr(journey_status_code(status as i32)) };
        assert_eq!(code.to_str().unwrap(), kind.code());
    }
    values.sort_unstable();
    values.dedup();
    assert_eq!(
        values.len(),
        ErrorKind::ALL.len() + 1,
        "statuses are distinct"
    );
    // Every status but OK is some kind's.
    assert_eq!(values, (0..values.len() as i32).collect::<Vec<_>>());
    assert!(journey_status_code(values.len() as i32).is_null());
    assert!(journey_status_code(-1).is_null());
}

/// The header's docs speak C: no rustdoc links, no Rust paths or `None`.
#[test]
fn the_header_speaks_c() {
    let header = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include/journey.h"),
    )
    .unwrap();
    for rust in ["[`", "journey_core", "`None`", "`Some", "::"] {
        assert!(!header.contains(rust), "the header says {rust:?}");
    }
}
