//! A response of any status and body: decoding never panics and always classifies.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
  calibre_native::fuzzing::run("decode_response", bytes);
});
