//! Gives libjourney.so its SONAME, `libjourney.so.N` with N the C ABI
//! version (`JOURNEY_ABI_VERSION` in src/lib.rs), so programs linked against
//! one ABI never load another.

fn main() {
    println!("cargo:rerun-if-changed=src/lib.rs");
    let source = std::fs::read_to_string("src/lib.rs").unwrap_or_default();
    let abi = source
        .lines()
        .find_map(|line| line.strip_prefix("pub const JOURNEY_ABI_VERSION: u32 = "))
        .and_then(|rest| rest.strip_suffix(';'))
        .unwrap_or_else(|| panic!("src/lib.rs declares no JOURNEY_ABI_VERSION"));
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libjourney.so.{abi}");
    }
}
