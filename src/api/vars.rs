//! Building variables the way calibre@7's object literals do: a key whose value is
//! `undefined` disappears from the JSON body, `null` is sent.

use serde_json::{Map, Value};

use crate::error::CalibreError;
use crate::js::Args;

/// `vars! { "site" => args.get("site"), "count" => Some(json!(25)) }`: entries whose value
/// is `None` are left out.
#[macro_export]
macro_rules! vars {
  ($($key:literal => $value:expr),* $(,)?) => {{
    #[allow(unused_mut)]
    let mut map = serde_json::Map::new();
    $( $crate::api::vars::put(&mut map, $key, $value); )*
    map
  }};
}

pub fn put(map: &mut Map<String, Value>, key: &str, value: impl Into<Option<Value>>) {
  if let Some(value) = value.into() {
    map.insert(key.to_owned(), value);
  }
}

/// A required `String!` variable that calibre@7 passes through unchanged (`site`, `slug`,
/// `uuid`, ...). calibre@7 sent `undefined` and let the server reject the request; we reject
/// it before any request with `CALIBRE_INVALID_ARGUMENT` (see COMPATIBILITY.md). For a
/// string, the value sent is the same.
pub fn required_string(args: &Args, key: &str) -> Result<Option<Value>, CalibreError> {
  args.string(key).map(|s| Some(Value::String(s)))
}

/// A required non-string variable (`Int!` such as `count`, `snapshotId`): must be present
/// and not null; sent unchanged.
pub fn required(args: &Args, key: &str) -> Result<Option<Value>, CalibreError> {
  match args.get(key) {
    None | Some(Value::Null) => Err(CalibreError::invalid_argument(
      args.function,
      format!("`{key}` is required."),
    )),
    value => Ok(value),
  }
}

/// JS `String(x)` of a JSON-converted argument (`undefined` when absent).
pub fn js_string(value: Option<&Value>) -> String {
  match value {
    None => "undefined".to_owned(),
    Some(Value::String(s)) => s.clone(),
    Some(Value::Null) => "null".to_owned(),
    Some(Value::Array(items)) => items
      .iter()
      .map(|v| {
        if v.is_null() {
          String::new()
        } else {
          js_string(Some(v))
        }
      })
      .collect::<Vec<_>>()
      .join(","),
    Some(Value::Object(_)) => "[object Object]".to_owned(),
    Some(other) => other.to_string(),
  }
}

/// JS `Number(x)` of a JSON-converted argument, as it would be serialised (`NaN` -> null).
pub fn js_number(value: Option<&Value>) -> Value {
  let number = match value {
    None => f64::NAN,
    Some(Value::Null) => 0.0,
    Some(Value::Bool(b)) => f64::from(u8::from(*b)),
    Some(Value::Number(n)) => return Value::Number(n.clone()),
    Some(Value::String(s)) => {
      let t = s.trim();
      if t.is_empty() {
        0.0
      } else {
        t.parse::<f64>().unwrap_or(f64::NAN)
      }
    }
    Some(Value::Array(a)) if a.is_empty() => 0.0,
    Some(Value::Array(a)) if a.len() == 1 => {
      return js_number(Some(&Value::String(js_string(a.first()))))
    }
    Some(_) => f64::NAN,
  };
  if number.is_finite() && number.fract() == 0.0 && number.abs() < 9.0e15 {
    Value::from(number as i64)
  } else {
    serde_json::Number::from_f64(number)
      .map(Value::Number)
      .unwrap_or(Value::Null)
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn vars_drops_absent_keeps_null() {
    let map = crate::vars! { "a" => Some(json!(1)), "b" => None, "c" => Some(Value::Null) };
    assert_eq!(Value::Object(map), json!({"a": 1, "c": null}));
  }

  #[test]
  fn string_and_number_follow_js() {
    assert_eq!(js_string(None), "undefined");
    assert_eq!(js_string(Some(&json!(12))), "12");
    assert_eq!(js_string(Some(&json!(null))), "null");
    assert_eq!(js_number(Some(&json!("12"))), json!(12));
    assert_eq!(js_number(Some(&json!("abc"))), Value::Null);
    assert_eq!(js_number(None), Value::Null);
    assert_eq!(js_number(Some(&json!(""))), json!(0));
    assert_eq!(js_number(Some(&json!("1.5"))), json!(1.5));
  }
}
