#![no_main]

#[path = "../src/c_api.rs"]
mod c_api;

libfuzzer_sys::fuzz_target!(|data: &[u8]| c_api::c_api(data));
