//! GraphQL over HTTP as calibre@7 speaks it: the request body, and turning a response into
//! either the JSON text of the result or a classified `CalibreError`.

use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{self, CalibreError, ErrorCode, RequestInfo, ResponseInfo, TokenSource};
use crate::transport::RawResponse;

/// `{query, variables, operationName?}` in calibre@7's key order; `operationName` only when
/// the document holds exactly one operation and that operation is named.
pub fn request_body(query: &str, variables: &Map<String, Value>) -> String {
  #[derive(serde::Serialize)]
  #[serde(rename_all = "camelCase")]
  struct Body<'a> {
    query: &'a str,
    variables: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation_name: Option<&'a str>,
  }
  let operation_name = operation_name(query);
  serde_json::to_string(&Body {
    query,
    variables,
    operation_name,
  })
  .expect("a GraphQL body always serializes")
}

/// The name of the document's only operation (graphql-request's `extractOperationName`):
/// `Some` when the document holds exactly one operation and it is named. A small scanner
/// over top-level tokens; strings, comments and everything nested are skipped.
pub fn operation_name(document: &str) -> Option<&str> {
  scan(document).name
}

/// Whether the document holds a mutation: the server may act on it, so it is only retried
/// where it cannot have reached the server.
pub fn has_mutation(document: &str) -> bool {
  scan(document).has_mutation
}

struct Scan<'a> {
  name: Option<&'a str>,
  has_mutation: bool,
}

fn scan(document: &str) -> Scan<'_> {
  #[derive(PartialEq)]
  enum Header {
    /// Between definitions: a `{` here starts an anonymous query.
    None,
    /// After `query|mutation|subscription`, before its body.
    Operation { expect_name: bool },
    /// After `fragment`, before its body.
    Fragment,
  }
  let bytes = document.as_bytes();
  let (mut i, mut depth) = (0usize, 0i32);
  let (mut header, mut operations, mut name) = (Header::None, 0, None);
  let mut has_mutation = false;
  while i < bytes.len() {
    let c = bytes[i];
    if c == b'#' {
      while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
      }
      continue;
    }
    if c == b'"' {
      // Bytes, not `&str` slices: inside a string `i` may stand within a multi-byte character.
      let block = bytes[i..].starts_with(b"\"\"\"");
      i += if block { 3 } else { 1 };
      while i < bytes.len() {
        if bytes[i] == b'\\' {
          i += 2;
        } else if block && bytes[i..].starts_with(b"\"\"\"") {
          i += 3;
          break;
        } else if !block && (bytes[i] == b'"' || bytes[i] == b'\n') {
          i += 1;
          break;
        } else {
          i += 1;
        }
      }
      continue;
    }
    if c.is_ascii_alphabetic() || c == b'_' {
      let start = i;
      while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
        i += 1;
      }
      if depth == 0 {
        let word = &document[start..i];
        match header {
          Header::None if matches!(word, "query" | "mutation" | "subscription") => {
            operations += 1;
            has_mutation |= word == "mutation";
            header = Header::Operation { expect_name: true };
          }
          Header::None if word == "fragment" => header = Header::Fragment,
          Header::Operation { expect_name: true } => {
            if operations == 1 {
              name = Some(word);
            }
            header = Header::Operation { expect_name: false };
          }
          _ => {}
        }
      }
      continue;
    }
    match c {
      b'{' | b'(' | b'[' => {
        if depth == 0 && c == b'{' {
          if header == Header::None {
            operations += 1;
          }
          header = Header::None;
        } else if depth == 0 {
          if let Header::Operation { .. } = header {
            header = Header::Operation { expect_name: false };
          }
        }
        depth += 1;
      }
      b'}' | b')' | b']' => depth -= 1,
      b'@' if depth == 0 => {
        if let Header::Operation { .. } = header {
          header = Header::Operation { expect_name: false };
        }
      }
      _ => {}
    }
    i += 1;
  }
  Scan {
    name: if operations == 1 { name } else { None },
    has_mutation,
  }
}

/// One GraphQL call: the document, its variables and where the result is.
pub struct Operation {
  pub query: Cow<'static, str>,
  pub variables: Map<String, Value>,
  pub extract: Extract,
}

impl Operation {
  pub fn new(query: &'static str, variables: Map<String, Value>, extract: Extract) -> Self {
    Operation {
      query: Cow::Borrowed(query),
      variables,
      extract,
    }
  }

  pub fn request_info(&self) -> RequestInfo {
    RequestInfo {
      query: self.query.to_string(),
      variables: Value::Object(self.variables.clone()),
    }
  }
}

/// How the result is taken out of `data`.
#[derive(Clone, Copy, Debug)]
pub enum Extract {
  /// `data` as a whole (GraphQL.request).
  Data,
  /// Follow these keys; a `null` before the last key means "not found".
  Path(&'static [&'static str]),
  /// A cursor connection at this path, flattened to `{ <items>: nodes, pageInfo }`.
  Connection {
    path: &'static [&'static str],
    items: &'static str,
  },
}

/// A GraphQL response read in one pass: `errors` in full; of `data`, only the value the result
/// is taken from, as raw text borrowed from the body. Everything else is checked for syntax
/// and skipped, never built: a 20 MB time series costs one scan, not one per path step.
struct Envelope<'a> {
  errors: Option<Vec<Value>>,
  /// `None` when the response has no `data` key.
  data: Option<Found<'a>>,
}

/// What `data` holds at the result's path.
enum Found<'a> {
  /// `data` itself is null.
  NoData,
  Value(&'a RawValue),
  /// The dotted path of the first step that is null, not an object, or absent.
  Missing(String),
}

fn read_envelope<'a>(text: &'a str, path: &[&str]) -> serde_json::Result<Envelope<'a>> {
  let mut de = serde_json::Deserializer::from_str(text);
  let envelope = de.deserialize_map(EnvelopeVisitor { path })?;
  de.end()?;
  Ok(envelope)
}

struct EnvelopeVisitor<'p> {
  path: &'p [&'p str],
}

impl<'de> Visitor<'de> for EnvelopeVisitor<'_> {
  type Value = Envelope<'de>;

  fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
    f.write_str("a GraphQL response object")
  }

  fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
    let mut envelope = Envelope {
      errors: None,
      data: None,
    };
    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
      match key.as_ref() {
        "data" => {
          envelope.data = Some(map.next_value_seed(PathSeed {
            path: self.path,
            depth: 0,
          })?)
        }
        "errors" => envelope.errors = map.next_value()?,
        _ => {
          map.next_value::<IgnoredAny>()?;
        }
      }
    }
    Ok(envelope)
  }
}

/// Follows `path[depth..]` into the value being read.
#[derive(Clone, Copy)]
struct PathSeed<'p> {
  path: &'p [&'p str],
  depth: usize,
}

impl PathSeed<'_> {
  /// The value at `path[..depth]` is not an object, so the next step is missing.
  fn stops_here<'de>(self) -> Found<'de> {
    Found::Missing(self.path[..self.depth].join("."))
  }
}

impl<'de> DeserializeSeed<'de> for PathSeed<'_> {
  type Value = Found<'de>;

  fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Found<'de>, D::Error> {
    if self.depth < self.path.len() {
      return deserializer.deserialize_any(self);
    }
    let raw = <&RawValue>::deserialize(deserializer)?;
    Ok(if self.depth == 0 && raw.get() == "null" {
      Found::NoData
    } else {
      Found::Value(raw)
    })
  }
}

impl<'de> Visitor<'de> for PathSeed<'_> {
  type Value = Found<'de>;

  fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
    f.write_str("any JSON value")
  }

  fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found<'de>, A::Error> {
    let step = self.path[self.depth];
    let mut found = None;
    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
      if key == step {
        found = Some(map.next_value_seed(PathSeed {
          depth: self.depth + 1,
          ..self
        })?);
      } else {
        map.next_value::<IgnoredAny>()?;
      }
    }
    Ok(found.unwrap_or_else(|| Found::Missing(self.path[..=self.depth].join("."))))
  }

  fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Found<'de>, A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(self.stops_here())
  }

  fn visit_unit<E: de::Error>(self) -> Result<Found<'de>, E> {
    Ok(if self.depth == 0 {
      Found::NoData
    } else {
      self.stops_here()
    })
  }

  fn visit_bool<E: de::Error>(self, _: bool) -> Result<Found<'de>, E> {
    Ok(self.stops_here())
  }

  fn visit_i64<E: de::Error>(self, _: i64) -> Result<Found<'de>, E> {
    Ok(self.stops_here())
  }

  fn visit_u64<E: de::Error>(self, _: u64) -> Result<Found<'de>, E> {
    Ok(self.stops_here())
  }

  fn visit_f64<E: de::Error>(self, _: f64) -> Result<Found<'de>, E> {
    Ok(self.stops_here())
  }

  fn visit_str<E: de::Error>(self, _: &str) -> Result<Found<'de>, E> {
    Ok(self.stops_here())
  }
}

/// Who asked, for error messages.
pub struct Context<'a> {
  pub function: &'a str,
  pub source: &'a TokenSource,
  pub request: &'a RequestInfo,
  /// The token sent, scrubbed from whatever of the answer an error keeps.
  pub token: Option<&'a dyn error::Secret>,
}

/// Decodes a GraphQL response and returns the JSON text of the extracted result.
pub fn decode(
  response: &RawResponse,
  extract: Extract,
  ctx: &Context,
) -> Result<String, CalibreError> {
  let path: &[&str] = match extract {
    Extract::Data => &[],
    Extract::Path(path) | Extract::Connection { path, .. } => path,
  };
  let text = std::str::from_utf8(&response.body);
  let envelope = text.ok().and_then(|t| read_envelope(t, path).ok());
  let (errors, data) = match envelope {
    Some(Envelope { errors, data }) => (errors.unwrap_or_default(), Some(data)),
    None => (Vec::new(), None),
  };
  let ok = (200..300).contains(&response.status);
  if !ok || !errors.is_empty() {
    return Err(classify(response, errors, ctx));
  }
  let Some(data) = data else {
    let why = if text.is_err() {
      "is not valid UTF-8"
    } else {
      "is not a GraphQL JSON response"
    };
    return Err(fail(
      ErrorCode::InvalidResponse,
      format!("{}: the response from Calibre {why}.", ctx.function),
      response,
      Vec::new(),
      ctx,
    ));
  };
  let found = match data {
    None | Some(Found::NoData) => {
      return Err(fail(
        ErrorCode::InvalidResponse,
        format!(
          "{}: the response from Calibre has neither `data` nor `errors`.",
          ctx.function
        ),
        response,
        Vec::new(),
        ctx,
      ))
    }
    Some(found) => found,
  };
  extract_result(found, extract).map_err(|missing| {
    fail(
      ErrorCode::GraphqlError,
      format!(
        "{}: Calibre returned no `{missing}`; the site, snapshot or item asked for was not found or this token cannot see it.",
        ctx.function
      ),
      response,
      Vec::new(),
      ctx,
    )
  })
}

/// The result's JSON text; `Err(path)` names the first missing (null) step before the end.
fn extract_result(found: Found, extract: Extract) -> Result<String, String> {
  let raw = match found {
    Found::Value(raw) => raw,
    Found::Missing(path) => return Err(path),
    Found::NoData => return Err(String::new()),
  };
  match extract {
    Extract::Data | Extract::Path(_) => Ok(raw.get().to_owned()),
    Extract::Connection { path, items } => {
      let joined = path.join(".");
      let connection: Value = serde_json::from_str(raw.get()).map_err(|_| joined.clone())?;
      if connection.is_null() {
        return Err(joined);
      }
      let nodes: Vec<Value> = connection["edges"]
        .as_array()
        .map(|edges| edges.iter().map(|e| e["node"].clone()).collect())
        .unwrap_or_default();
      let mut out = Map::new();
      out.insert(items.to_owned(), Value::Array(nodes));
      out.insert("pageInfo".to_owned(), connection["pageInfo"].clone());
      Ok(Value::Object(out).to_string())
    }
  }
}

fn fail(
  code: ErrorCode,
  message: String,
  response: &RawResponse,
  errors: Vec<Value>,
  ctx: &Context,
) -> CalibreError {
  let mut errors = errors;
  errors
    .iter_mut()
    .for_each(|e| error::scrub_value(e, ctx.token));
  CalibreError::new(code, message)
    .with_response(response_info(response).scrubbed(ctx.token), errors)
    .with_request(ctx.request.clone())
    .with_token_source(ctx.source.clone())
}

fn response_info(response: &RawResponse) -> ResponseInfo {
  ResponseInfo {
    status: response.status,
    headers: response.headers.clone(),
    body: response.text_lossy(),
  }
}

/// A failed GraphQL answer: classified by status and `errors` (see `error::classify`), with
/// the request that was sent.
pub fn classify(response: &RawResponse, errors: Vec<Value>, ctx: &Context) -> CalibreError {
  error::classify(
    ctx.function,
    ctx.source,
    response_info(response),
    errors,
    ctx.token,
  )
  .with_request(ctx.request.clone())
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn operation_name_only_for_one_named_operation() {
    assert_eq!(
      operation_name(
        "query GetSite($slug: String!) { organisation { site(slug: $slug) { name } } }"
      ),
      Some("GetSite")
    );
    assert_eq!(
      operation_name("mutation CreateSite($a: SiteInput!) { createSite(attributes: $a) { slug } }"),
      Some("CreateSite")
    );
    assert_eq!(
      operation_name("query { organisation { sites { name } } }"),
      None
    );
    assert_eq!(operation_name("{ locations { name } }"), None);
    assert_eq!(
      operation_name("query{ __type(name: \"ConnectionTag\") { enumValues { name } } }"),
      None
    );
    assert_eq!(operation_name("query A { a } query B { b }"), None);
    // Bytes inside a block string are not all char boundaries.
    assert_eq!(
      operation_name("query Named { a(text: \"\"\"café – naïve\"\"\") }"),
      Some("Named")
    );
    assert_eq!(
      operation_name("# query Fake\nquery Real { a(x: \"query Y {\") }"),
      Some("Real")
    );
    assert_eq!(
      operation_name("query Q { ...F } fragment F on T { a }"),
      Some("Q")
    );
    assert_eq!(operation_name("query Q($o: In = {a: 1}) { a }"), Some("Q"));
    assert_eq!(
      operation_name("query Q { a(x: \"\"\"café ☕ \\é\"\"\", y: \"naïve\") }"),
      Some("Q"),
      "non-ASCII text in strings"
    );
    assert!(has_mutation("mutation CreateSite { a }"));
    assert!(!has_mutation("query Q { mutation }"));
    assert!(!has_mutation("{ a(mutation: 1) }"));
  }

  #[test]
  fn body_matches_calibre7_key_order() {
    let mut vars = Map::new();
    vars.insert("slug".into(), json!("s"));
    vars.insert("n".into(), Value::Null);
    assert_eq!(
      request_body("query GetSite { a }", &vars),
      r#"{"query":"query GetSite { a }","variables":{"slug":"s","n":null},"operationName":"GetSite"}"#
    );
    assert_eq!(
      request_body("{ a }", &Map::new()),
      r#"{"query":"{ a }","variables":{}}"#
    );
  }

  fn ctx_parts() -> (TokenSource, RequestInfo) {
    (
      TokenSource::Env,
      RequestInfo {
        query: "q".into(),
        variables: json!({}),
      },
    )
  }

  fn respond(status: u16, body: &str) -> RawResponse {
    RawResponse {
      status,
      headers: vec![("content-type".into(), "application/json".into())],
      body: body.as_bytes().to_vec(),
    }
  }

  fn run(status: u16, body: &str, extract: Extract) -> Result<String, CalibreError> {
    let (source, request) = ctx_parts();
    let ctx = Context {
      function: "Site.get",
      source: &source,
      request: &request,
      token: None,
    };
    decode(&respond(status, body), extract, &ctx)
  }

  #[test]
  fn extracts_paths_and_connections() {
    let body = r#"{"data":{"organisation":{"site":{"name":"A","list":{"edges":[{"node":{"id":1}},{"node":{"id":2}}],"pageInfo":{"hasNextPage":false}}}}}}"#;
    assert_eq!(
      run(200, body, Extract::Path(&["organisation", "site", "name"])).unwrap(),
      r#""A""#
    );
    assert_eq!(
      run(
        200,
        body,
        Extract::Connection {
          path: &["organisation", "site", "list"],
          items: "things"
        }
      )
      .unwrap(),
      r#"{"things":[{"id":1},{"id":2}],"pageInfo":{"hasNextPage":false}}"#
    );
    let floats = r#"{"data":{"organisation":{"site":{"list":{"edges":[{"node":{"v":0.30000000000000004,"w":-9.172649185213302e85}}],"pageInfo":{}}}}}}"#;
    assert_eq!(
      run(
        200,
        floats,
        Extract::Connection {
          path: &["organisation", "site", "list"],
          items: "things"
        }
      )
      .unwrap(),
      r#"{"things":[{"v":0.30000000000000004,"w":-9.172649185213302e+85}],"pageInfo":{}}"#,
      "numbers pass through a connection exactly"
    );
    let null_site = r#"{"data":{"organisation":{"site":null}}}"#;
    assert_eq!(
      run(200, null_site, Extract::Path(&["organisation", "site"])).unwrap(),
      "null",
      "a null end is returned as calibre@7 does"
    );
    let err = run(
      200,
      null_site,
      Extract::Path(&["organisation", "site", "snapshotsList"]),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::GraphqlError);
    assert!(
      err.message.contains("`organisation.site`"),
      "{}",
      err.message
    );
  }

  #[test]
  fn reads_only_the_path_in_one_pass() {
    let path = Extract::Path(&["organisation", "site"]);
    // Siblings of every kind are skipped; keys with escapes still match; order does not matter.
    let body = r#"{"extensions":{"cost":[1,2,{"x":null}]},"data":{"other":[{"a":"}"}],"organisation":{"n":1.5e3,"s\u0069te":{"name":"\"A\""},"t":true}},"errors":null}"#;
    assert_eq!(run(200, body, path).unwrap(), r#"{"name":"\"A\""}"#);
    let data = r#"{"data":{"organisation":{"site":[1]}}}"#;
    assert_eq!(
      run(200, data, Extract::Data).unwrap(),
      r#"{"organisation":{"site":[1]}}"#
    );
    for (body, missing) in [
      (r#"{"data":{"organisation":null}}"#, "`organisation`"),
      (
        r#"{"data":{"organisation":[1,{"site":1}]}}"#,
        "`organisation`",
      ),
      (r#"{"data":{"organisation":"x"}}"#, "`organisation`"),
      (r#"{"data":{"organisation":{}}}"#, "`organisation.site`"),
      (r#"{"data":{"other":{}}}"#, "`organisation`"),
      (r#"{"data":7}"#, "``"),
    ] {
      let err = run(200, body, path).unwrap_err();
      assert_eq!(err.code, ErrorCode::GraphqlError, "{body}");
      assert!(err.message.contains(missing), "{body}: {}", err.message);
    }
    for body in [
      r#"{"data":null}"#,
      r#"{}"#,
      r#"{"data":{"organisation":{"site":1}}} x"#,
      r#"{"data":{"organisation":{"site":1},"bad":[1,}}}"#,
      r#"[{"data":{}}]"#,
    ] {
      assert_eq!(
        run(200, body, path).unwrap_err().code,
        ErrorCode::InvalidResponse,
        "{body}"
      );
      assert_eq!(
        run(200, body, Extract::Data).unwrap_err().code,
        ErrorCode::InvalidResponse,
        "{body}"
      );
    }
  }

  #[test]
  fn classifies_failures() {
    let cases = [
      (
        200,
        r#"{"errors":[{"message":"m","extensions":{"problems":[{"explanation":"Expected value to not be null"}]}}],"data":null}"#,
        ErrorCode::GraphqlError,
      ),
      (401, r#"{"error":"Unauthorized"}"#, ErrorCode::Unauthorized),
      (
        403,
        r#"{"message":"This API token has expired."}"#,
        ErrorCode::TokenExpired,
      ),
      (
        403,
        r#"{"message":"Requests from IP address 1.2.3.4 are not allowed"}"#,
        ErrorCode::IpNotAllowed,
      ),
      (403, r#"{"message":"nope"}"#, ErrorCode::Forbidden),
      (
        429,
        r#"{"errors":[{"message":"slow down"}]}"#,
        ErrorCode::RateLimited,
      ),
      (
        500,
        "<html><body><h1>Internal Server Error</h1></body></html>",
        ErrorCode::HttpError,
      ),
      (200, "<html>hi</html>", ErrorCode::InvalidResponse),
      (200, "{\"foo\":1}", ErrorCode::InvalidResponse),
    ];
    for (status, body, code) in cases {
      let err = run(status, body, Extract::Data).unwrap_err();
      assert_eq!(err.code, code, "{status} {body}");
      assert_eq!(err.response.as_ref().unwrap().status, status);
      assert!(err.message.starts_with("Site.get: "), "{}", err.message);
    }
    let err = run(200, cases[0].1, Extract::Data).unwrap_err();
    assert!(err.message.contains("Expected value to not be null"));
    assert_eq!(err.errors.len(), 1);
    let err = run(500, cases[6].1, Extract::Data).unwrap_err();
    assert!(
      err
        .message
        .contains("HTTP 500 Internal Server Error.\nCalibre said: Internal Server Error"),
      "{}",
      err.message
    );
    let err = run(401, cases[1].1, Extract::Data).unwrap_err();
    assert!(err
      .message
      .contains("CALIBRE_API_TOKEN environment variable"));
  }
}

/// Property tests: decoding never panics and always classifies; the document scanner
/// never panics. `json_value` is shared with the config-file properties.
#[cfg(test)]
pub(crate) mod proptests {
  use super::*;
  use proptest::prelude::*;

  /// Any JSON value a peer could send or a tool could store (finite numbers only: JSON has
  /// no others), up to 4 levels deep.
  pub(crate) fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
      Just(Value::Null),
      any::<bool>().prop_map(Value::from),
      any::<i64>().prop_map(Value::from),
      any::<u64>().prop_map(Value::from),
      any::<f64>()
        .prop_filter("JSON numbers are finite", |f| f.is_finite())
        .prop_map(Value::from),
      ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
      prop_oneof![
        prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
        prop::collection::vec((".{0,8}", inner), 0..6)
          .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
      ]
    })
  }

  pub(crate) fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((".{0,10}", json_value()), 0..8)
      .prop_map(|pairs| pairs.into_iter().collect())
  }

  fn extract() -> impl Strategy<Value = Extract> {
    prop_oneof![
      Just(Extract::Data),
      Just(Extract::Path(&["organisation"])),
      Just(Extract::Path(&["organisation", "site", "name"])),
      Just(Extract::Connection {
        path: &["organisation", "site", "list"],
        items: "things",
      }),
    ]
  }

  const RESPONSE_CODES: &[ErrorCode] = &[
    ErrorCode::Unauthorized,
    ErrorCode::TokenExpired,
    ErrorCode::IpNotAllowed,
    ErrorCode::Forbidden,
    ErrorCode::RateLimited,
    ErrorCode::GraphqlError,
    ErrorCode::HttpError,
    ErrorCode::InvalidResponse,
  ];

  fn check(status: u16, body: Vec<u8>, extract: Extract) -> Result<(), TestCaseError> {
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
      headers: vec![("content-type".into(), "application/json".into())],
      body,
    };
    match decode(&response, extract, &ctx) {
      Ok(text) => {
        prop_assert!(
          (200..300).contains(&status),
          "a {status} decoded as a result"
        );
        prop_assert!(
          serde_json::from_str::<Value>(&text).is_ok(),
          "the result is JSON: {text}"
        );
      }
      Err(err) => {
        prop_assert!(RESPONSE_CODES.contains(&err.code), "code {:?}", err.code);
        prop_assert_eq!(err.status, Some(status));
        prop_assert!(err.response.is_some() && err.request.is_some());
        prop_assert!(err.message.starts_with("GraphQL.request: "));
      }
    }
    Ok(())
  }

  proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decode_arbitrary_bytes_never_panics(
      status in 100u16..600,
      body in prop::collection::vec(any::<u8>(), 0..300),
      extract in extract(),
    ) {
      check(status, body, extract)?;
    }

    #[test]
    fn decode_arbitrary_envelopes_classifies(
      status in prop_oneof![Just(200u16), Just(201), Just(400), Just(401), Just(403), Just(429), Just(500), Just(503), 100u16..600],
      data in prop::option::of(json_value()),
      errors in prop::option::of(prop::collection::vec(json_value(), 0..3)),
      extract in extract(),
    ) {
      let mut envelope = Map::new();
      if let Some(data) = data {
        envelope.insert("data".into(), data);
      }
      if let Some(errors) = &errors {
        envelope.insert("errors".into(), Value::Array(errors.clone()));
      }
      let body = Value::Object(envelope).to_string().into_bytes();
      let has_errors = errors.is_some_and(|e| !e.is_empty());
      let source = TokenSource::Env;
      let request = RequestInfo { query: "{ a }".into(), variables: Value::Null };
      let ctx = Context { function: "GraphQL.request", source: &source, request: &request, token: None };
      let response = RawResponse { status, headers: vec![], body: body.clone() };
      let outcome = decode(&response, extract, &ctx);
      if has_errors {
        prop_assert!(outcome.is_err(), "GraphQL errors are never a result");
      }
      if has_errors && ![401, 403, 429].contains(&status) {
        prop_assert_eq!(outcome.as_ref().unwrap_err().code, ErrorCode::GraphqlError);
      }
      check(status, body, extract)?;
    }

    #[test]
    fn scanning_any_text_never_panics(document in ".{0,80}") {
      let _ = operation_name(&document);
      let _ = has_mutation(&document);
    }

    #[test]
    fn scanning_graphql_like_text_never_panics(
      parts in prop::collection::vec(
        prop_oneof![
          Just("query"), Just("mutation"), Just("fragment"), Just(" "), Just("\n"), Just("#"),
          Just("{"), Just("}"), Just("("), Just(")"), Just("@"), Just("\""), Just("\"\"\""),
          Just("\\"), Just("é"), Just("日本"), Just("😀"), Just("Name"), Just("$v"),
        ],
        0..40,
      )
    ) {
      let document = parts.concat();
      let _ = operation_name(&document);
      let _ = has_mutation(&document);
      let _ = request_body(&document, &Map::new());
    }
  }
}
