//! What the `cargo fuzz` targets (fuzz/) drive: each function panics when an invariant
//! breaks, so the fuzzer reports it. Compiled only with `--cfg fuzzing`.

use serde_json::{Map, Value};

use crate::auth::{serialize, ConfigFile};
use crate::error::{ErrorCode, RequestInfo, TokenSource};
use crate::graphql::{self, Context, Extract};
use crate::transport::RawResponse;

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
