//! `columnify` 1.6 as calibre@7 calls it: headings upper-cased, every cell padded to its
//! column's width (the last column too), `maxWidth` columns cut with `…`, each line cut to
//! `maxLineWidth`, widths measured as the `wcwidth` package measures them (UTF-16 code units,
//! ANSI colour codes left out).

/// One column: its key (the heading, upper-cased) and its options.
pub struct Column {
  pub key: String,
  pub max_width: Option<usize>,
  pub align_right: bool,
}

impl Column {
  pub fn new(key: &str) -> Column {
    Column {
      key: key.to_owned(),
      max_width: None,
      align_right: false,
    }
  }

  pub fn max(mut self, width: usize) -> Column {
    self.max_width = Some(width);
    self
  }

  pub fn right(mut self) -> Column {
    self.align_right = true;
    self
  }
}

/// columnify's options other than the columns.
#[derive(Clone, Copy, Default)]
pub struct Options {
  pub truncate: bool,
  /// `None` is `Infinity` (also `'auto'` when stdout is not a terminal).
  pub max_line_width: Option<usize>,
}

/// `columnify(rows, { columnSplitter: ' | ', ... })`; a `None` cell is `null`/`undefined`.
pub fn columnify(columns: &[Column], rows: &[Vec<Option<String>>], options: Options) -> String {
  let marker = "…";
  // Cells as strings, whitespace made spaces; the headings first.
  let mut items: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 1);
  items.push(columns.iter().map(|c| js_upper(&c.key)).collect());
  for row in rows {
    items.push(
      (0..columns.len())
        .map(|i| {
          row
            .get(i)
            .cloned()
            .flatten()
            .unwrap_or_default()
            .chars()
            .map(|c| if is_js_space(c) { ' ' } else { c })
            .collect()
        })
        .collect(),
    );
  }
  let fold = |max: usize, min: usize, cur: usize| {
    if min >= max {
      min
    } else {
      min.max(max.min(cur))
    }
  };
  let mut widths: Vec<usize> = columns
    .iter()
    .enumerate()
    .map(|(i, c)| {
      let max = c.max_width.unwrap_or(usize::MAX);
      items
        .iter()
        .fold(0, |min, item| fold(max, min, width(&item[i])))
    })
    .collect();
  let mut cells: Vec<Vec<Vec<String>>> = items
    .iter()
    .map(|item| {
      item
        .iter()
        .enumerate()
        .map(|(i, cell)| {
          let cell = split_long_words(cell, widths[i], marker);
          let lines = split_into_lines(&cell, widths[i]);
          if options.truncate && lines.len() > 1 {
            let mut first =
              split_into_lines(&cell, widths[i].saturating_sub(width(marker))).swap_remove(0);
            if !first.ends_with(marker) {
              first.push_str(marker);
            }
            vec![first]
          } else {
            lines
          }
        })
        .collect()
    })
    .collect();
  for (i, c) in columns.iter().enumerate() {
    let max = c.max_width.unwrap_or(usize::MAX);
    widths[i] = cells.iter().fold(0, |min, item| {
      let cur = item[i]
        .iter()
        .fold(0, |min, line| fold(max, min, width(line)));
      fold(max, min, cur)
    });
  }
  let mut out: Vec<String> = Vec::new();
  for item in &mut cells {
    let lines = item.iter().map(Vec::len).max().unwrap_or(0);
    for l in 0..lines {
      let line: Vec<String> = item
        .iter()
        .enumerate()
        .map(|(i, cell)| {
          let text = cell.get(l).map(String::as_str).unwrap_or("");
          pad(text, widths[i], columns[i].align_right)
        })
        .collect();
      out.push(truncate_line(&line.join(" | "), options.max_line_width));
    }
  }
  out.join("\n")
}

fn pad(text: &str, to: usize, right: bool) -> String {
  let w = width(text);
  if w >= to {
    return text.to_owned();
  }
  let fill = " ".repeat(to - w);
  if right {
    fill + text
  } else {
    format!("{text}{fill}")
  }
}

/// `String.prototype.toUpperCase` for headings.
fn js_upper(text: &str) -> String {
  text.to_uppercase()
}

/// JS `\s`.
fn is_js_space(c: char) -> bool {
  matches!(
    c,
    '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
      ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
  )
}

/// columnify's `splitLongWords`: words wider than `max` cut, with `marker`, into pieces.
fn split_long_words(text: &str, max: usize, marker: &str) -> String {
  let mut result: Vec<String> = Vec::new();
  let mut words = text.trim_matches(is_js_space).split(' ').map(str::to_owned);
  let mut remainder = String::new();
  loop {
    let word = if !remainder.is_empty() {
      std::mem::take(&mut remainder)
    } else {
      match words.next() {
        Some(word) => word,
        None => break,
      }
    };
    if width(&word) > max {
      let limit = max as isize - width(marker) as isize;
      let mut taken = 0isize;
      let mut cut = 0;
      for (i, c) in word.char_indices() {
        let w = char_width(c) as isize;
        if w + taken > limit {
          cut = i;
          break;
        }
        taken += w;
        cut = i + c.len_utf8();
      }
      if cut == 0 {
        // JavaScript would loop for ever here; keep the word whole.
        result.push(word);
        continue;
      }
      remainder = word[cut..].to_owned();
      result.push(format!("{}{marker}", &word[..cut]));
    } else {
      result.push(word);
    }
  }
  result.join(" ")
}

/// columnify's `splitIntoLines`: words joined while the line stays under `max`.
fn split_into_lines(text: &str, max: usize) -> Vec<String> {
  let mut lines: Vec<Vec<&str>> = Vec::new();
  for word in text.trim_matches(is_js_space).split(' ') {
    match lines.last_mut() {
      Some(line) if width(&line.join(" ")) + width(word) < max => line.push(word),
      _ => lines.push(vec![word]),
    }
  }
  lines.into_iter().map(|l| l.join(" ")).collect()
}

/// columnify's `truncateString` (it counts the colour codes' characters, as columnify does).
fn truncate_line(line: &str, max: Option<usize>) -> String {
  let Some(max) = max else {
    return line.to_owned();
  };
  let mut taken = 0;
  for (i, c) in line.char_indices() {
    let w = char_width(c);
    if w + taken > max {
      return line[..i].to_owned();
    }
    taken += w;
  }
  line.to_owned()
}

/// `wcwidth(stripAnsi(text))`.
pub fn width(text: &str) -> usize {
  let mut total = 0;
  let mut chars = text.chars().peekable();
  while let Some(c) = chars.next() {
    if c == '\x1b' && chars.peek() == Some(&'[') {
      chars.next();
      for c in chars.by_ref() {
        if c.is_ascii_alphabetic() {
          break;
        }
      }
      continue;
    }
    total += char_width(c);
  }
  total
}

/// The wcwidth package's width of one character, summed over its UTF-16 code units.
fn char_width(c: char) -> usize {
  let ucs = c as u32;
  if ucs > 0xffff {
    return 2;
  }
  if ucs == 0 || ucs < 32 || (0x7f..0xa0).contains(&ucs) {
    return 0;
  }
  let unit = ucs as u16;
  if COMBINING
    .binary_search_by(|&(lo, hi)| {
      if hi < unit {
        std::cmp::Ordering::Less
      } else if lo > unit {
        std::cmp::Ordering::Greater
      } else {
        std::cmp::Ordering::Equal
      }
    })
    .is_ok()
  {
    return 0;
  }
  let wide = ucs >= 0x1100
    && (ucs <= 0x115f
      || ucs == 0x2329
      || ucs == 0x232a
      || ((0x2e80..=0xa4cf).contains(&ucs) && ucs != 0x303f)
      || (0xac00..=0xd7a3).contains(&ucs)
      || (0xf900..=0xfaff).contains(&ucs)
      || (0xfe10..=0xfe19).contains(&ucs)
      || (0xfe30..=0xfe6f).contains(&ucs)
      || (0xff00..=0xff60).contains(&ucs)
      || (0xffe0..=0xffe6).contains(&ucs));
  1 + usize::from(wide)
}

/// The zero-width (combining) UTF-16 code units of the wcwidth package columnify uses.
const COMBINING: [(u16, u16); 129] = [
  (0x0300, 0x036F),
  (0x0483, 0x0486),
  (0x0488, 0x0489),
  (0x0591, 0x05BD),
  (0x05BF, 0x05BF),
  (0x05C1, 0x05C2),
  (0x05C4, 0x05C5),
  (0x05C7, 0x05C7),
  (0x0600, 0x0603),
  (0x0610, 0x0615),
  (0x064B, 0x065E),
  (0x0670, 0x0670),
  (0x06D6, 0x06E4),
  (0x06E7, 0x06E8),
  (0x06EA, 0x06ED),
  (0x070F, 0x070F),
  (0x0711, 0x0711),
  (0x0730, 0x074A),
  (0x07A6, 0x07B0),
  (0x07EB, 0x07F3),
  (0x0901, 0x0902),
  (0x093C, 0x093C),
  (0x0941, 0x0948),
  (0x094D, 0x094D),
  (0x0951, 0x0954),
  (0x0962, 0x0963),
  (0x0981, 0x0981),
  (0x09BC, 0x09BC),
  (0x09C1, 0x09C4),
  (0x09CD, 0x09CD),
  (0x09E2, 0x09E3),
  (0x0A01, 0x0A02),
  (0x0A3C, 0x0A3C),
  (0x0A41, 0x0A42),
  (0x0A47, 0x0A48),
  (0x0A4B, 0x0A4D),
  (0x0A70, 0x0A71),
  (0x0A81, 0x0A82),
  (0x0ABC, 0x0ABC),
  (0x0AC1, 0x0AC5),
  (0x0AC7, 0x0AC8),
  (0x0ACD, 0x0ACD),
  (0x0AE2, 0x0AE3),
  (0x0B01, 0x0B01),
  (0x0B3C, 0x0B3C),
  (0x0B3F, 0x0B3F),
  (0x0B41, 0x0B43),
  (0x0B4D, 0x0B4D),
  (0x0B56, 0x0B56),
  (0x0B82, 0x0B82),
  (0x0BC0, 0x0BC0),
  (0x0BCD, 0x0BCD),
  (0x0C3E, 0x0C40),
  (0x0C46, 0x0C48),
  (0x0C4A, 0x0C4D),
  (0x0C55, 0x0C56),
  (0x0CBC, 0x0CBC),
  (0x0CBF, 0x0CBF),
  (0x0CC6, 0x0CC6),
  (0x0CCC, 0x0CCD),
  (0x0CE2, 0x0CE3),
  (0x0D41, 0x0D43),
  (0x0D4D, 0x0D4D),
  (0x0DCA, 0x0DCA),
  (0x0DD2, 0x0DD4),
  (0x0DD6, 0x0DD6),
  (0x0E31, 0x0E31),
  (0x0E34, 0x0E3A),
  (0x0E47, 0x0E4E),
  (0x0EB1, 0x0EB1),
  (0x0EB4, 0x0EB9),
  (0x0EBB, 0x0EBC),
  (0x0EC8, 0x0ECD),
  (0x0F18, 0x0F19),
  (0x0F35, 0x0F35),
  (0x0F37, 0x0F37),
  (0x0F39, 0x0F39),
  (0x0F71, 0x0F7E),
  (0x0F80, 0x0F84),
  (0x0F86, 0x0F87),
  (0x0F90, 0x0F97),
  (0x0F99, 0x0FBC),
  (0x0FC6, 0x0FC6),
  (0x102D, 0x1030),
  (0x1032, 0x1032),
  (0x1036, 0x1037),
  (0x1039, 0x1039),
  (0x1058, 0x1059),
  (0x1160, 0x11FF),
  (0x135F, 0x135F),
  (0x1712, 0x1714),
  (0x1732, 0x1734),
  (0x1752, 0x1753),
  (0x1772, 0x1773),
  (0x17B4, 0x17B5),
  (0x17B7, 0x17BD),
  (0x17C6, 0x17C6),
  (0x17C9, 0x17D3),
  (0x17DD, 0x17DD),
  (0x180B, 0x180D),
  (0x18A9, 0x18A9),
  (0x1920, 0x1922),
  (0x1927, 0x1928),
  (0x1932, 0x1932),
  (0x1939, 0x193B),
  (0x1A17, 0x1A18),
  (0x1B00, 0x1B03),
  (0x1B34, 0x1B34),
  (0x1B36, 0x1B3A),
  (0x1B3C, 0x1B3C),
  (0x1B42, 0x1B42),
  (0x1B6B, 0x1B73),
  (0x1DC0, 0x1DCA),
  (0x1DFE, 0x1DFF),
  (0x200B, 0x200F),
  (0x202A, 0x202E),
  (0x2060, 0x2063),
  (0x206A, 0x206F),
  (0x20D0, 0x20EF),
  (0x302A, 0x302F),
  (0x3099, 0x309A),
  (0xA806, 0xA806),
  (0xA80B, 0xA80B),
  (0xA825, 0xA826),
  (0xFB1E, 0xFB1E),
  (0xFE00, 0xFE0F),
  (0xFE20, 0xFE23),
  (0xFEFF, 0xFEFF),
  (0xFFF9, 0xFFFB),
];

#[cfg(test)]
mod tests {
  use super::*;

  fn cells(rows: &[&[&str]]) -> Vec<Vec<Option<String>>> {
    rows
      .iter()
      .map(|r| r.iter().map(|c| Some((*c).to_owned())).collect())
      .collect()
  }

  #[test]
  fn pads_every_column_and_cuts_max_width_columns() {
    let columns = [Column::new("title"), Column::new("sha").max(8)];
    let rows = cells(&[
      &["First", "241ccbb0d2c396c9413adb816fa3ca212aff00da"],
      &["Second one", "78f9"],
    ]);
    let options = Options {
      truncate: true,
      max_line_width: None,
    };
    assert_eq!(
      columnify(&columns, &rows, options),
      "TITLE      | SHA     \nFirst      | 241ccbb…\nSecond one | 78f9    "
    );
  }

  #[test]
  fn widths_skip_colours_and_count_wide_characters() {
    assert_eq!(width("\x1b[32m✔\x1b[39m"), 1);
    assert_eq!(width("日本"), 4);
    assert_eq!(width("🚀"), 2);
    assert_eq!(width("e\u{301}"), 1);
  }
}
