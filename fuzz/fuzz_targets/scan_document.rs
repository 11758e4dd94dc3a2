//! Any text as a GraphQL document: operationName / mutation detection never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
  calibre_native::fuzzing::run("scan_document", bytes);
});
