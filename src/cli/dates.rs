//! Dates as calibre@7's CLI reads them: date-fns `parseISO` for `--from`/`--to` (a date
//! without a zone is local time) and `new Date(text)` for `--expiresAt`. Local time is the
//! caller's `local` (JS `Date` on the JS thread, so `process.env.TZ` counts as in calibre@7).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::auth::format_time;

/// `Date.prototype.toISOString()`.
pub fn iso(time: SystemTime) -> Value {
  if time < UNIX_EPOCH {
    return Value::Null;
  }
  Value::String(format_time(time))
}

pub fn days_before(time: SystemTime, days: u64) -> SystemTime {
  time - Duration::from_secs(days * 86_400)
}

/// Local wall-clock time (year, month, day, hour, minute, second) to ms since the epoch.
pub type LocalTime<'a> = &'a dyn Fn([i32; 6]) -> Option<f64>;

/// What `JSON.stringify(parseISO(text))` sends: the ISO instant, or `null` for an invalid date.
pub fn parse_iso_value(text: &str, local: LocalTime) -> Value {
  parse_iso(text, local).map(iso).unwrap_or(Value::Null)
}

/// `new Date(text)` is valid: the ISO forms of `parse_iso`.
pub fn parse_js_date(text: &str, local: LocalTime) -> Option<SystemTime> {
  parse_iso(text.trim(), local)
}

/// date-fns `parseISO` (extended and basic ISO 8601 calendar dates with an optional time and
/// zone). Without a zone the time is local.
pub fn parse_iso(text: &str, local: LocalTime) -> Option<SystemTime> {
  let (date, rest) = match text.find(['T', ' ']) {
    Some(i) => (&text[..i], Some(&text[i + 1..])),
    None => (text, None),
  };
  let (year, month, day) = parse_date(date)?;
  let (hour, minute, second, nanos, offset) = match rest {
    Some(time) => parse_time(time)?,
    None => (0, 0, 0, 0, None),
  };
  let fields = [year, month, day, hour, minute, second];
  let seconds = match offset {
    Some(offset) => {
      days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second)
        - offset
    }
    None => {
      let ms = local(fields)?;
      (ms / 1000.0).floor() as i64
    }
  };
  let time = if seconds >= 0 {
    UNIX_EPOCH + Duration::from_secs(seconds as u64)
  } else {
    UNIX_EPOCH - Duration::from_secs(seconds.unsigned_abs())
  };
  Some(time + Duration::from_nanos(u64::from(nanos)))
}

fn number(text: &str, len: usize) -> Option<i32> {
  (text.len() == len && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
}

fn parse_date(date: &str) -> Option<(i32, i32, i32)> {
  let parts: Vec<&str> = date.split('-').collect();
  let (year, month, day) = match parts.as_slice() {
    [y] if y.len() == 8 => (
      number(&y[..4], 4)?,
      number(&y[4..6], 2)?,
      number(&y[6..], 2)?,
    ),
    [y] => (number(y, 4)?, 1, 1),
    [y, m] => (number(y, 4)?, number(m, 2)?, 1),
    [y, m, d] => (number(y, 4)?, number(m, 2)?, number(d, 2)?),
    _ => return None,
  };
  let days_in_month = match month {
    1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
    4 | 6 | 9 | 11 => 30,
    2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
    2 => 28,
    _ => return None,
  };
  (1..=days_in_month)
    .contains(&day)
    .then_some((year, month, day))
}

type Time = (i32, i32, i32, u32, Option<i64>);

fn parse_time(time: &str) -> Option<Time> {
  let (clock, offset) = match time.find(['Z', '+', '-']) {
    Some(i) => (&time[..i], Some(parse_offset(&time[i..])?)),
    None => (time, None),
  };
  let (clock, fraction) = match clock.find(['.', ',']) {
    Some(i) => (&clock[..i], Some(&clock[i + 1..])),
    None => (clock, None),
  };
  let parts: Vec<&str> = if clock.contains(':') {
    clock.split(':').collect()
  } else {
    clock
      .as_bytes()
      .chunks(2)
      .map(|c| std::str::from_utf8(c).unwrap_or(""))
      .collect()
  };
  let field = |i: usize| parts.get(i).map_or(Some(0), |p| number(p, 2));
  let (hour, minute, second) = (field(0)?, field(1)?, field(2)?);
  if parts.is_empty() || parts.len() > 3 || hour > 24 || minute > 59 || second > 59 {
    return None;
  }
  let nanos = match fraction {
    Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
      let digits: String = f.chars().chain(std::iter::repeat('0')).take(9).collect();
      digits.parse().ok()?
    }
    Some(_) => return None,
    None => 0,
  };
  Some((hour, minute, second, nanos, offset))
}

/// `Z`, `±hh`, `±hh:mm`, `±hhmm` -> seconds east of UTC.
fn parse_offset(zone: &str) -> Option<i64> {
  if zone == "Z" {
    return Some(0);
  }
  let sign = if zone.starts_with('-') { -1 } else { 1 };
  let digits = zone[1..].replace(':', "");
  let (hours, minutes) = match digits.len() {
    2 => (number(&digits, 2)?, 0),
    4 => (number(&digits[..2], 2)?, number(&digits[2..], 2)?),
    _ => return None,
  };
  (hours <= 23 && minutes <= 59).then_some(sign * i64::from(hours * 3600 + minutes * 60))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: i32, day: i32) -> i64 {
  let y = i64::from(if month <= 2 { year - 1 } else { year });
  let era = y.div_euclid(400);
  let yoe = y - era * 400;
  let m = i64::from(month);
  let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
  use super::*;

  /// Local time 10 hours ahead of UTC (e.g. Australia/Sydney in winter).
  fn plus_ten([y, mo, d, h, mi, s]: [i32; 6]) -> Option<f64> {
    let days = days_from_civil(y, mo, d);
    Some(((days * 86_400 + i64::from(h * 3600 + mi * 60 + s) - 36_000) * 1000) as f64)
  }

  fn shown(text: &str) -> String {
    parse_iso_value(text, &plus_ten)
      .as_str()
      .unwrap_or("null")
      .to_owned()
  }

  #[test]
  fn zoned_forms_parse_like_date_fns() {
    assert_eq!(shown("2024-01-02T03:04:05Z"), "2024-01-02T03:04:05.000Z");
    assert_eq!(
      shown("2024-01-02T03:04:05.5+02:00"),
      "2024-01-02T01:04:05.500Z"
    );
    assert_eq!(shown("2024-02-29T00:00Z"), "2024-02-29T00:00:00.000Z");
    assert_eq!(shown("20240102T0304Z"), "2024-01-02T03:04:00.000Z");
    assert_eq!(shown("2023-02-29"), "null");
    assert_eq!(shown("yesterday"), "null");
    assert_eq!(shown("2024-13-01"), "null");
  }

  #[test]
  fn dates_without_a_zone_are_local() {
    assert_eq!(shown("2024-06-01"), "2024-05-31T14:00:00.000Z");
    assert_eq!(shown("2024-06-01T12:30"), "2024-06-01T02:30:00.000Z");
  }
}
