//! `--cookie-jar`: a Netscape cookie file read as calibre@7 reads it (the `cookiefile`
//! package): lines of exactly seven tab-separated fields, each trimmed; a `#HttpOnly_` domain
//! prefix marks an HttpOnly cookie; a later cookie of the same name replaces an earlier one
//! in its place.

use serde_json::{Map, Value};

use crate::error::CalibreError;

/// The `cookies` argument: `[{ name, value, domain, path, httpOnly, secure }]`, empty without
/// a jar.
pub fn read_jar(function: &str, path: Option<&str>) -> Result<Value, CalibreError> {
  let Some(path) = path else {
    return Ok(Value::Array(Vec::new()));
  };
  let text = std::fs::read_to_string(path).map_err(|e| {
    CalibreError::invalid_argument(
      function,
      format!(
        "cannot read the --cookie-jar file {path} ({e}); give the path of a Netscape cookie file."
      ),
    )
  })?;
  Ok(parse(&text))
}

pub fn parse(text: &str) -> Value {
  let mut cookies: Map<String, Value> = Map::new();
  for line in text.split('\n') {
    let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
    let [domain, _cross_domain, path, https, _expire, name, value] = fields.as_slice() else {
      continue;
    };
    let (domain, http_only) = match domain.strip_prefix("#HttpOnly_") {
      Some(domain) => (domain, true),
      None => (*domain, false),
    };
    let mut cookie = Map::new();
    cookie.insert("name".into(), Value::String((*name).into()));
    cookie.insert("value".into(), Value::String((*value).into()));
    cookie.insert("domain".into(), Value::String(domain.into()));
    cookie.insert("path".into(), Value::String((*path).into()));
    cookie.insert("httpOnly".into(), Value::Bool(http_only));
    cookie.insert("secure".into(), Value::Bool(*https == "TRUE"));
    cookies.insert((*name).to_owned(), Value::Object(cookie));
  }
  Value::Array(cookies.into_iter().map(|(_, cookie)| cookie).collect())
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn reads_netscape_lines_like_cookiefile() {
    let jar = "# Netscape HTTP Cookie File\n\n.example.com\tTRUE\t/\tTRUE\t0\tsession\tabc\r\n#HttpOnly_x.test\tFALSE\t/app\tFALSE\t1700000000\tid\t1=2\nbad\tline\n.example.com\tTRUE\t/\tFALSE\t0\tsession\tnew\n";
    assert_eq!(
      parse(jar),
      json!([
        {"name": "session", "value": "new", "domain": ".example.com", "path": "/", "httpOnly": false, "secure": false},
        {"name": "id", "value": "1=2", "domain": "x.test", "path": "/app", "httpOnly": true, "secure": false}
      ])
    );
  }
}
