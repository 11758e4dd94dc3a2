//! calibre@7's value formatters (`src/utils/formatters`), JavaScript's `String(value)` and
//! `toFixed`, and the date-fns patterns its views print dates with.

use serde_json::Value;

use super::json;

/// `String(x)` for a number.
pub fn js_f64(x: f64) -> String {
  if x.is_nan() {
    "NaN".to_owned()
  } else if x.is_infinite() {
    if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
  } else {
    json::js_f64(x)
  }
}

/// `String(value)` (`undefined` for a missing value).
pub fn js_string(value: Option<&Value>) -> String {
  match value {
    None => "undefined".to_owned(),
    Some(Value::Null) => "null".to_owned(),
    Some(Value::Bool(b)) => b.to_string(),
    Some(Value::Number(n)) => json::js_number(n),
    Some(Value::String(s)) => s.clone(),
    Some(Value::Array(items)) => items
      .iter()
      .map(|v| match v {
        Value::Null => String::new(),
        v => js_string(Some(v)),
      })
      .collect::<Vec<_>>()
      .join(","),
    Some(Value::Object(_)) => "[object Object]".to_owned(),
  }
}

/// A columnify cell: `null`/`undefined` are empty, anything else `'' + value`.
pub fn cell(value: Option<&Value>) -> Option<String> {
  match value {
    None | Some(Value::Null) => None,
    v => Some(js_string(v)),
  }
}

/// JavaScript truthiness.
pub fn truthy(value: Option<&Value>) -> bool {
  match value {
    None | Some(Value::Null) => false,
    Some(Value::Bool(b)) => *b,
    Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0 && !x.is_nan()),
    Some(Value::String(s)) => !s.is_empty(),
    Some(_) => true,
  }
}

/// `Number(value)`.
pub fn to_number(value: Option<&Value>) -> f64 {
  match value {
    None => f64::NAN,
    Some(Value::Null) => 0.0,
    Some(Value::Bool(b)) => f64::from(u8::from(*b)),
    Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
    Some(Value::String(s)) => match json::to_number(s) {
      Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
      _ => f64::NAN,
    },
    Some(_) => f64::NAN,
  }
}

/// `Number.prototype.toFixed(digits)`: the exact value rounded half up.
pub fn to_fixed(x: f64, digits: usize) -> String {
  if !x.is_finite() || x.abs() >= 1e21 {
    return js_f64(x);
  }
  // The exact decimal expansion (every double has a finite one), then rounded by hand.
  let exact = format!("{:.1100}", x.abs());
  let (int, frac) = exact.split_once('.').unwrap_or((&exact, ""));
  let mut digits_kept: Vec<u8> = int.bytes().chain(frac.bytes().take(digits)).collect();
  if frac.as_bytes().get(digits).is_some_and(|&d| d >= b'5') {
    let mut i = digits_kept.len();
    loop {
      if i == 0 {
        digits_kept.insert(0, b'1');
        break;
      }
      i -= 1;
      if digits_kept[i] == b'9' {
        digits_kept[i] = b'0';
      } else {
        digits_kept[i] += 1;
        break;
      }
    }
  }
  let int_len = digits_kept.len() - digits;
  let text = String::from_utf8(digits_kept).unwrap_or_default();
  let mut out = text[..int_len].to_owned();
  if digits > 0 {
    out.push('.');
    out.push_str(&text[int_len..]);
  }
  let zero = out.bytes().all(|b| b == b'0' || b == b'.');
  if x < 0.0 && !zero {
    out.insert(0, '-');
  }
  out
}

/// `parseInt(String(value))`.
fn parse_int(value: &Value) -> f64 {
  let text = js_string(Some(value));
  let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
  let (sign, rest) = match t.as_bytes().first() {
    Some(b'-') => (-1.0, &t[1..]),
    Some(b'+') => (1.0, &t[1..]),
    _ => (1.0, t),
  };
  let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
  if digits.is_empty() {
    return f64::NAN;
  }
  sign * digits.parse::<f64>().unwrap_or(f64::NAN)
}

/// `duration`: `-` for a falsy value, whole milliseconds, seconds with two decimals above 1000.
pub fn duration(value: Option<&Value>) -> String {
  let Some(value) = value.filter(|v| truthy(Some(v))) else {
    return "-".to_owned();
  };
  let ms = parse_int(value);
  if ms > 1000.0 {
    format!("{} sec", to_fixed(ms / 1000.0, 2))
  } else {
    format!("{} ms", js_f64(ms))
  }
}

/// `humanize.numberFormat(number, decimals)` with `.` and `,`.
fn number_format(number: f64, decimals: usize) -> String {
  let sign = if number < 0.0 { "-" } else { "" };
  let number = if number.is_nan() { 0.0 } else { number.abs() };
  let int_part = {
    let fixed = to_fixed(number, decimals);
    let digits: String = fixed.chars().take_while(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').to_owned()
  };
  let int_part = if int_part.is_empty() {
    "0".to_owned()
  } else {
    int_part
  };
  let mut grouped = String::new();
  let lead = if int_part.len() > 3 {
    int_part.len() % 3
  } else {
    0
  };
  if lead > 0 {
    grouped.push_str(&int_part[..lead]);
    grouped.push(',');
  }
  let rest = &int_part[lead..];
  for (i, chunk) in rest.as_bytes().chunks(3).enumerate() {
    if i > 0 {
      grouped.push(',');
    }
    grouped.push_str(std::str::from_utf8(chunk).unwrap_or(""));
  }
  let mut out = format!("{sign}{grouped}");
  if decimals > 0 {
    let int_value: f64 = int_part.parse().unwrap_or(0.0);
    let frac = to_fixed((number - int_value).abs(), decimals);
    out.push('.');
    out.push_str(frac.get(2..).unwrap_or(""));
  }
  out
}

/// `humanize.filesize(bytes)`: 1024-based, `bytes` without decimals, two decimals above.
pub fn filesize(value: Option<&Value>) -> String {
  let n = to_number(value);
  if value.is_none() || n.is_nan() {
    return "0.00 PB".to_owned();
  }
  if n <= 0.0 {
    return "0 bytes".to_owned();
  }
  let units = ["bytes", "KB", "MB", "GB", "TB", "PB"];
  let decimals = if n < 1024.0 { 0 } else { 2 };
  let unit = (0..units.len())
    .find(|&i| n < 1024f64.powi(i as i32 + 1))
    .unwrap_or(units.len() - 1);
  let shown = n / 1024f64.powi(unit as i32);
  format!("{} {}", number_format(shown, decimals), units[unit])
}

/// `milliunit`: `-` for null, else `value / 1000` (`0` for a falsy value).
pub fn milliunit(value: Option<&Value>) -> String {
  match value {
    None | Some(Value::Null) => "-".to_owned(),
    v if !truthy(v) => "0".to_owned(),
    v => js_f64(to_number(v) / 1000.0),
  }
}

/// calibre@7's `format({ formatter, value })`: a formatted string, or the value itself.
pub fn format(formatter: Option<&str>, value: Option<&Value>) -> Value {
  match formatter {
    Some("humanDuration" | "milliseconds") => Value::String(duration(value)),
    Some("fileSize") => Value::String(filesize(value)),
    Some("milliunit") => Value::String(milliunit(value)),
    _ => value.cloned().unwrap_or(Value::Null),
  }
}

/// Local wall-clock fields of an instant: year, month (0-11), day, hours, minutes.
pub type LocalFields = [i32; 5];

const MONTHS: [&str; 12] = [
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn year(y: i32) -> String {
  if y < 0 {
    format!("{:04}", 1 - y)
  } else {
    format!("{y:04}")
  }
}

/// date-fns `format(date, 'h:mma d-MMM-yyyy')`.
pub fn time_and_date([y, m, d, h, min]: LocalFields) -> String {
  let hour = if h % 12 == 0 { 12 } else { h % 12 };
  let period = if h < 12 { "AM" } else { "PM" };
  format!(
    "{hour}:{min:02}{period} {d}-{}-{}",
    MONTHS[m.clamp(0, 11) as usize],
    year(y)
  )
}

/// date-fns `format(date, 'd-MMM-yyyy')`.
pub fn date([y, m, d, _, _]: LocalFields) -> String {
  format!("{d}-{}-{}", MONTHS[m.clamp(0, 11) as usize], year(y))
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn to_fixed_rounds_the_exact_value_half_up() {
    assert_eq!(to_fixed(1.125, 2), "1.13");
    assert_eq!(to_fixed(1.005, 2), "1.00");
    assert_eq!(to_fixed(2.1, 2), "2.10");
    assert_eq!(to_fixed(0.999, 2), "1.00");
    assert_eq!(to_fixed(45.0, 1), "45.0");
    assert_eq!(to_fixed(-0.001, 2), "0.00");
    assert_eq!(to_fixed(-1.5, 0), "-2");
  }

  #[test]
  fn formatters_write_what_calibre_7_writes() {
    assert_eq!(duration(Some(&json!(2100))), "2.10 sec");
    assert_eq!(duration(Some(&json!(1000))), "1000 ms");
    assert_eq!(duration(Some(&json!(180.7))), "180 ms");
    assert_eq!(duration(Some(&json!(0))), "-");
    assert_eq!(duration(None), "-");
    assert_eq!(filesize(Some(&json!(1023))), "1,023 bytes");
    assert_eq!(filesize(Some(&json!(1_572_864))), "1.50 MB");
    assert_eq!(filesize(Some(&json!(0))), "0 bytes");
    assert_eq!(milliunit(Some(&json!(120))), "0.12");
    assert_eq!(milliunit(Some(&Value::Null)), "-");
    assert_eq!(format(Some("unitless"), Some(&json!(0.05))), json!(0.05));
  }

  #[test]
  fn dates_as_date_fns_formats_them() {
    assert_eq!(time_and_date([2019, 0, 17, 0, 0]), "12:00AM 17-Jan-2019");
    assert_eq!(time_and_date([2019, 0, 22, 16, 5]), "4:05PM 22-Jan-2019");
    assert_eq!(date([2024, 11, 3, 9, 0]), "3-Dec-2024");
  }
}
