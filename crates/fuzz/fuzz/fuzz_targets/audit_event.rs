// libFuzzer's entry point is an exported extern function, which needs unsafe attributes: no
// forbid(unsafe_code) here; the checks themselves live in tongban-fuzz, which forbids it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tongban_fuzz::audit_event::check(data));
