//! Any bytes as the config file: parsing never panics; what parses round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
  calibre_native::fuzzing::run("config_file", bytes);
});
