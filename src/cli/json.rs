//! What calibre@7's CLI prints and parses, byte for byte: `JSON.stringify(value, null, 2)`
//! (JS number formatting: `1e+21`, `-0` as `0`, `1.0` as `1`) and yargs' reading of an
//! untyped option value (`--count 25` is the number 25, `--ref 0123` stays a string).

use serde_json::{Map, Number, Value};

/// `JSON.stringify(value, null, 2)`.
pub fn pretty(value: &Value) -> String {
  let mut out = String::new();
  write_value(&mut out, value, 0);
  out
}

/// `JSON.stringify(value)`.
pub fn compact(value: &Value) -> String {
  match value {
    Value::Number(n) => js_number(n),
    Value::Array(items) => format!(
      "[{}]",
      items.iter().map(compact).collect::<Vec<_>>().join(",")
    ),
    Value::Object(map) => {
      let entries: Vec<String> = map
        .iter()
        .map(|(k, v)| {
          let mut key = String::new();
          write_string(&mut key, k);
          format!("{key}:{}", compact(v))
        })
        .collect();
      format!("{{{}}}", entries.join(","))
    }
    other => pretty(other),
  }
}

fn write_value(out: &mut String, value: &Value, depth: usize) {
  match value {
    Value::Null => out.push_str("null"),
    Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    Value::Number(n) => out.push_str(&js_number(n)),
    Value::String(s) => write_string(out, s),
    Value::Array(items) if items.is_empty() => out.push_str("[]"),
    Value::Array(items) => {
      out.push('[');
      for (i, item) in items.iter().enumerate() {
        if i > 0 {
          out.push(',');
        }
        newline(out, depth + 1);
        write_value(out, item, depth + 1);
      }
      newline(out, depth);
      out.push(']');
    }
    Value::Object(map) if map.is_empty() => out.push_str("{}"),
    Value::Object(map) => {
      out.push('{');
      for (i, (key, item)) in map.iter().enumerate() {
        if i > 0 {
          out.push(',');
        }
        newline(out, depth + 1);
        write_string(out, key);
        out.push_str(": ");
        write_value(out, item, depth + 1);
      }
      newline(out, depth);
      out.push('}');
    }
  }
}

fn newline(out: &mut String, depth: usize) {
  out.push('\n');
  for _ in 0..depth {
    out.push_str("  ");
  }
}

/// JSON.stringify escapes exactly what serde_json escapes (`"`, `\`, control characters
/// with lowercase `\u00xx`, the short forms `\b \f \n \r \t`).
fn write_string(out: &mut String, s: &str) {
  out.push_str(&serde_json::to_string(s).expect("a string serializes"));
}

/// A JSON number as V8 prints the double `JSON.parse` made of it.
pub fn js_number(n: &Number) -> String {
  const SAFE: u64 = 1 << 53;
  if let Some(u) = n.as_u64() {
    if u <= SAFE {
      return u.to_string();
    }
  } else if let Some(i) = n.as_i64() {
    if i.unsigned_abs() <= SAFE {
      return i.to_string();
    }
  }
  js_f64(n.as_f64().unwrap_or(f64::NAN))
}

/// ECMAScript `Number::toString(x)` (radix 10), with `null` for what JSON cannot hold.
pub fn js_f64(x: f64) -> String {
  if !x.is_finite() {
    return "null".to_owned();
  }
  if x == 0.0 {
    return "0".to_owned();
  }
  if x < 0.0 {
    return format!("-{}", js_f64(-x));
  }
  // Shortest round-trip digits (what V8 picks too), read back from ryu's text.
  let mut buffer = ryu::Buffer::new();
  let text = buffer.format_finite(x);
  let (mantissa, exponent) = match text.split_once('e') {
    Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
    None => (text, 0),
  };
  let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
  let mut digits: String = format!("{int}{frac}");
  let mut point = int.len() as i32 + exponent;
  while digits.starts_with('0') && digits.len() > 1 {
    digits.remove(0);
    point -= 1;
  }
  while digits.ends_with('0') && digits.len() > 1 {
    digits.pop();
  }
  let (k, n) = (digits.len() as i32, point);
  if k <= n && n <= 21 {
    format!("{digits}{}", "0".repeat((n - k) as usize))
  } else if 0 < n && n <= 21 {
    format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
  } else if -6 < n && n <= 0 {
    format!("0.{}{digits}", "0".repeat((-n) as usize))
  } else {
    let e = n - 1;
    let sign = if e < 0 { '-' } else { '+' };
    if k == 1 {
      format!("{digits}e{sign}{}", e.abs())
    } else {
      format!("{}.{}e{sign}{}", &digits[..1], &digits[1..], e.abs())
    }
  }
}

/// yargs' `looksLikeNumber`.
fn looks_like_number(s: &str) -> bool {
  let b = s.as_bytes();
  if b.len() > 2 && b[0] == b'0' && (b[1] | 0x20) == b'x' {
    return b[2..].iter().all(u8::is_ascii_hexdigit);
  }
  if b.len() > 1 && b[0] == b'0' && b[1] != b'.' {
    return false;
  }
  // ^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$
  let mut i = usize::from(b.first() == Some(&b'-'));
  let digits = |i: &mut usize| {
    let start = *i;
    while *i < b.len() && b[*i].is_ascii_digit() {
      *i += 1;
    }
    *i - start
  };
  let int = digits(&mut i);
  if i < b.len() && b[i] == b'.' {
    i += 1;
    let frac = digits(&mut i);
    if int == 0 && frac == 0 {
      return false;
    }
  } else if int == 0 {
    return false;
  }
  if i < b.len() && b[i] == b'e' {
    i += 1;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
      i += 1;
    }
    if digits(&mut i) == 0 {
      return false;
    }
  }
  i == b.len()
}

/// JS `Number(s)` for strings that pass `looks_like_number` (hex included).
fn js_number_of(s: &str) -> f64 {
  let b = s.as_bytes();
  if b.len() > 2 && b[0] == b'0' && (b[1] | 0x20) == b'x' {
    return u128::from_str_radix(&s[2..], 16)
      .map(|v| v as f64)
      .unwrap_or(f64::INFINITY);
  }
  let t = s.strip_prefix('.').map(|r| format!("0.{r}"));
  let t = t.as_deref().unwrap_or(s).replace("-.", "-0.");
  t.parse::<f64>().unwrap_or(f64::NAN)
}

/// A number as JSON would carry it (`NaN`/`Infinity` become `null`, as JSON.stringify does).
pub fn number_value(x: f64) -> Value {
  if x.is_finite() && x.fract() == 0.0 && x.abs() <= 9_007_199_254_740_992.0 {
    if x == 0.0 {
      return Value::from(0);
    }
    return Value::from(x as i64);
  }
  Number::from_f64(x)
    .map(Value::Number)
    .unwrap_or(Value::Null)
}

/// An untyped yargs option value: a number when it looks like one and its integer part is
/// safe, else the string.
pub fn coerce(s: &str) -> Value {
  if looks_like_number(s) {
    let n = js_number_of(s);
    if n.floor().abs() <= 9_007_199_254_740_991.0 && n.is_finite() {
      return number_value(n);
    }
  }
  Value::String(s.to_owned())
}

/// A `type: 'number'` yargs option: always `Number(value)` (NaN is sent as `null`).
pub fn to_number(s: &str) -> Value {
  let t = s.trim();
  let n = if t.is_empty() {
    0.0
  } else if looks_like_number(t) {
    js_number_of(t)
  } else {
    match t {
      "Infinity" | "+Infinity" => f64::INFINITY,
      "-Infinity" => f64::NEG_INFINITY,
      _ => t.parse::<f64>().unwrap_or(f64::NAN),
    }
  };
  number_value(n)
}

/// A map built in insertion order: `obj!["a" => x, "b" => y]`, absent (`None`) entries left
/// out like `undefined` in a JS object literal.
pub fn object(
  entries: impl IntoIterator<Item = (&'static str, Option<Value>)>,
) -> Map<String, Value> {
  let mut map = Map::new();
  for (key, value) in entries {
    if let Some(value) = value {
      map.insert(key.to_owned(), value);
    }
  }
  map
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn numbers_print_as_v8_prints_them() {
    let cases = [
      ("1e21", "1e+21"),
      ("1e20", "100000000000000000000"),
      ("-0", "0"),
      ("-0.0", "0"),
      ("1.0", "1"),
      ("0.1", "0.1"),
      ("1e-7", "1e-7"),
      ("0.000001", "0.000001"),
      ("1.5e-7", "1.5e-7"),
      ("12345678901234567890123", "1.2345678901234568e+22"),
      ("9007199254740993", "9007199254740992"),
      ("123.456", "123.456"),
      ("-2.5e30", "-2.5e+30"),
      ("5e-324", "5e-324"),
      ("1.7976931348623157e308", "1.7976931348623157e+308"),
      ("100", "100"),
      ("-42", "-42"),
      ("0.30000000000000004", "0.30000000000000004"),
    ];
    for (input, expected) in cases {
      let value: Value = serde_json::from_str(input).unwrap();
      assert_eq!(pretty(&value), expected, "{input}");
    }
  }

  #[test]
  fn pretty_matches_json_stringify_layout() {
    let value = json!({"a": [], "b": {}, "c": [1, {"d": null}], "e": "q\"\n\u{1}"});
    assert_eq!(
      pretty(&value),
      "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1,\n    {\n      \"d\": null\n    }\n  ],\n  \"e\": \"q\\\"\\n\\u0001\"\n}"
    );
  }

  #[test]
  fn untyped_values_coerce_like_yargs() {
    assert_eq!(coerce("25"), json!(25));
    assert_eq!(coerce("-5"), json!(-5));
    assert_eq!(coerce("1.5"), json!(1.5));
    assert_eq!(coerce(".5"), json!(0.5));
    assert_eq!(coerce("1e3"), json!(1000));
    assert_eq!(coerce("0x1F"), json!(31));
    assert_eq!(coerce("0123"), json!("0123"));
    assert_eq!(coerce("0.5"), json!(0.5));
    assert_eq!(coerce("0"), json!(0));
    assert_eq!(coerce("1E3"), json!("1E3"));
    assert_eq!(coerce("abc"), json!("abc"));
    assert_eq!(coerce("9c72279"), json!("9c72279"));
    assert_eq!(
      coerce("12345678901234567890"),
      json!("12345678901234567890")
    );
    assert_eq!(coerce("1."), json!(1));
    assert_eq!(coerce(""), json!(""));
    assert_eq!(to_number("abc"), Value::Null);
    assert_eq!(to_number("10"), json!(10));
  }
}
