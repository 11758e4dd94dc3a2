//! A response of any status and body: decoding never panics and always classifies.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u16, &[u8])| {
  let (status, body) = input;
  calibre_native::fuzzing::decode_response(100 + status % 500, body);
});
