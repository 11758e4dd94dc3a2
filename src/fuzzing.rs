//! What the `cargo fuzz` targets (fuzz/) drive: each function panics when an invariant
//! breaks, so the fuzzer reports it. Compiled with `--cfg fuzzing` (cargo-fuzz sets it) and
//! in the unit tests, which replay the committed seeds and every crash input ever found.

use serde_json::{Map, Value};

use crate::auth::{serialize, ConfigFile};
use crate::error::{ErrorCode, RequestInfo, TokenSource};
use crate::graphql::{self, Context, Extract};
use crate::transport::RawResponse;

/// The targets, by name, on raw fuzzer bytes: what `fuzz/fuzz_targets/*.rs` call and what the
/// replay test feeds the files under `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/`.
pub const TARGETS: &[&str] = &["config_file", "decode_response", "scan_document"];

/// Runs target `name` on `bytes`; panics when an invariant breaks.
pub fn run(name: &str, bytes: &[u8]) {
  match name {
    "config_file" => config_file(bytes),
    // The first two bytes pick the status (100..=599), the rest is the body.
    "decode_response" => {
      let (status, body) = match bytes {
        [a, b, body @ ..] => (u16::from_le_bytes([*a, *b]), body),
        _ => (0, bytes),
      };
      decode_response(100 + status % 500, body)
    }
    "scan_document" => scan_document(&String::from_utf8_lossy(bytes)),
    other => panic!("no fuzz target {other}"),
  }
}

/// Any status and body: never panics, a result only for a 2xx (and it is JSON), otherwise
/// an error with a response error code.
pub fn decode_response(status: u16, body: &[u8]) {
  let source = TokenSource::Env;
  let request = RequestInfo {
    query: "{ a }".into(),
    variables: Value::Object(Map::new()),
  };
  let ctx = Context {
    function: "GraphQL.request",
    source: &source,
    request: &request,
    token: None,
  };
  let response = RawResponse {
    status,
    headers: Vec::new(),
    body: body.to_vec(),
  };
  let extracts = [
    Extract::Data,
    Extract::Path(&["organisation", "site", "name"]),
    Extract::Connection {
      path: &["organisation", "site", "list"],
      items: "things",
    },
  ];
  for extract in extracts {
    match graphql::decode(&response, extract, &ctx) {
      Ok(text) => {
        assert!((200..300).contains(&status), "{status} decoded as a result");
        serde_json::from_str::<Value>(&text).expect("a result is JSON");
      }
      Err(err) => {
        assert!(
          matches!(
            err.code,
            ErrorCode::Unauthorized
              | ErrorCode::TokenExpired
              | ErrorCode::IpNotAllowed
              | ErrorCode::Forbidden
              | ErrorCode::RateLimited
              | ErrorCode::GraphqlError
              | ErrorCode::HttpError
              | ErrorCode::InvalidResponse
          ),
          "{:?}",
          err.code
        );
        assert_eq!(err.status, Some(status));
      }
    }
  }
}

/// Any text as a GraphQL document: the scanner and the body builder never panic.
pub fn scan_document(document: &str) {
  let _ = graphql::operation_name(document);
  let _ = graphql::has_mutation(document);
  let body = graphql::request_body(document, &Map::new());
  serde_json::from_str::<Value>(&body).expect("the request body is JSON");
}

/// Any bytes as the config file: parsing never panics; what parses is written back in
/// configstore's format and reads back equal.
pub fn config_file(bytes: &[u8]) {
  let file = ConfigFile::at("/nonexistent/configstore/calibre.json".into());
  let Ok(text) = std::str::from_utf8(bytes) else {
    return;
  };
  match file.parse(text) {
    Ok(map) => {
      let written = serialize(&map);
      let again = file.parse(&written).expect("what we write parses");
      assert_eq!(again, map, "round trip");
      assert_eq!(serialize(&again), written, "stable format");
    }
    Err(err) => assert_eq!(err.code, ErrorCode::ConfigCorrupt),
  }
}

#[cfg(test)]
mod tests {
  use std::fs;
  use std::path::Path;

  use super::*;

  /// Every committed seed and every crash input the fuzzers ever found (kept under
  /// `fuzz/regressions/<target>/`) still passes its target.
  #[test]
  fn replays_seeds_and_regressions() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for target in TARGETS {
      for kind in ["seeds", "regressions"] {
        let Ok(entries) = fs::read_dir(fuzz.join(kind).join(target)) else {
          continue;
        };
        for entry in entries {
          let path = entry.unwrap().path();
          if path.file_name().is_some_and(|n| n == "README.md") {
            continue;
          }
          let bytes = fs::read(&path).unwrap();
          let outcome = std::panic::catch_unwind(|| run(target, &bytes));
          assert!(outcome.is_ok(), "{target} fails on {}", path.display());
          replayed += 1;
        }
      }
    }
    assert!(replayed >= TARGETS.len(), "only {replayed} inputs replayed");
  }
}
