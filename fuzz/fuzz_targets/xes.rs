#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| journey_fuzz::xes(data));
