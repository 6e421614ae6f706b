//! The examples of journey live beside this file, one program each; run one
//! with `cargo run --example NAME` (see the README). This package has no API
//! of its own.
