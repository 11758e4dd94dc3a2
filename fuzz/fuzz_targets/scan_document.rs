//! Any text as a GraphQL document: operationName / mutation detection never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|document: &str| {
  calibre_native::fuzzing::scan_document(document);
});
