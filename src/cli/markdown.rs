//! Markdown reports on the terminal as calibre@7 shows them (`views/markdown.js`: `marked` with
//! `marked-terminal`): headings keep their `#`s (the first level magenta, underlined and bold, the
//! others bold `#5f5fff`), paragraphs reset, lists indented `  * ` / `  1. `, tables drawn as
//! cli-table3 draws them (grey borders, bold headings, a rule between rows), links read
//! `text (url)`, `:emoji:` short codes replaced. Each block is followed by a blank line.
//! Rarer Markdown (nested lists, HTML, reference links) is printed as written.

use super::term::Term;

const RESET: (&str, &str) = ("0", "0");

pub fn render(markdown: &str, term: Term) -> String {
  let lines: Vec<&str> = markdown.lines().collect();
  let mut out = String::new();
  let mut i = 0;
  while i < lines.len() {
    let line = lines[i];
    let trimmed = line.trim_start();
    if trimmed.is_empty() {
      i += 1;
      continue;
    }
    if let Some((level, text)) = heading(trimmed) {
      let text = format!("{} {}", "#".repeat(level), inline(text, term));
      let styled = if level == 1 {
        term.chain(&[("35", "39"), ("4", "24"), ("1", "22")], &text)
      } else {
        let hex = term.hex_code([0x5f, 0x5f, 0xff]);
        term.chain(&[("1", "22"), (&hex, "39")], &text)
      };
      section(&mut out, &styled);
      i += 1;
      continue;
    }
    if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
      let fence = &trimmed[..3];
      let mut code = Vec::new();
      i += 1;
      while i < lines.len() && !lines[i].trim_start().starts_with(fence) {
        code.push(lines[i]);
        i += 1;
      }
      i += 1;
      let body: Vec<String> = code.iter().map(|l| format!("  {}", term.blue(l))).collect();
      section(&mut out, &body.join("\n"));
      continue;
    }
    if let Some(text) = trimmed.strip_prefix('>') {
      let mut quote = vec![text.trim_start()];
      i += 1;
      while i < lines.len() {
        match lines[i].trim_start().strip_prefix('>') {
          Some(t) => quote.push(t.trim_start()),
          None => break,
        }
        i += 1;
      }
      let body = format!(
        "  {}",
        term.chain(&[RESET], &inline(&quote.join("\n"), term))
      );
      section(&mut out, &term.chain(&[("90", "39"), ("3", "23")], &body));
      continue;
    }
    if list_item(trimmed).is_some() {
      let mut items = Vec::new();
      let mut number = 0;
      while i < lines.len() {
        let Some((ordered, text)) = list_item(lines[i].trim_start()) else {
          break;
        };
        number += 1;
        let bullet = if ordered {
          format!("{number}.")
        } else {
          "*".to_owned()
        };
        items.push(format!(
          "  {bullet} {}",
          term.chain(&[RESET], &inline(text, term))
        ));
        i += 1;
      }
      section(&mut out, &items.join("\n"));
      continue;
    }
    if i + 1 < lines.len() && trimmed.contains('|') && is_delimiter_row(lines[i + 1]) {
      let head = cells(trimmed);
      let mut rows = Vec::new();
      i += 2;
      while i < lines.len() && !lines[i].trim().is_empty() && lines[i].contains('|') {
        rows.push(cells(lines[i].trim()));
        i += 1;
      }
      let table = table(&head, &rows, term);
      section(&mut out, &term.chain(&[RESET], &table));
      continue;
    }
    let mut paragraph: Vec<&str> = Vec::new();
    while i < lines.len() {
      let t = lines[i].trim_start();
      let starts_block = heading(t).is_some()
        || list_item(t).is_some()
        || t.starts_with("```")
        || t.starts_with('>');
      if t.is_empty() || (!paragraph.is_empty() && starts_block) {
        break;
      }
      paragraph.push(lines[i].trim());
      i += 1;
    }
    section(
      &mut out,
      &term.chain(&[RESET], &inline(&paragraph.join("\n"), term)),
    );
  }
  out
}

fn section(out: &mut String, text: &str) {
  out.push_str(text);
  out.push_str("\n\n");
}

fn heading(line: &str) -> Option<(usize, &str)> {
  let level = line.bytes().take_while(|&b| b == b'#').count();
  if !(1..=6).contains(&level) {
    return None;
  }
  let rest = &line[level..];
  if rest.trim().is_empty() {
    return Some((level, ""));
  }
  rest
    .strip_prefix(' ')
    .or_else(|| rest.strip_prefix('\t'))
    .map(|text| (level, text.trim().trim_end_matches('#').trim_end()))
}

/// `- x`, `* x`, `+ x` (unordered) or `1. x` (ordered).
fn list_item(line: &str) -> Option<(bool, &str)> {
  for bullet in ["- ", "* ", "+ "] {
    if let Some(text) = line.strip_prefix(bullet) {
      return Some((false, text));
    }
  }
  let digits = line.bytes().take_while(u8::is_ascii_digit).count();
  if digits > 0 {
    if let Some(text) = line[digits..].strip_prefix(". ") {
      return Some((true, text));
    }
  }
  None
}

fn is_delimiter_row(line: &str) -> bool {
  let cells = cells(line.trim());
  !cells.is_empty()
    && cells.iter().all(|c| {
      let c = c.trim_start_matches(':').trim_end_matches(':');
      !c.is_empty() && c.bytes().all(|b| b == b'-')
    })
}

/// A table row's cells (outer pipes optional, `\|` kept in the cell).
fn cells(row: &str) -> Vec<String> {
  let row = row.strip_prefix('|').unwrap_or(row);
  let row = row.strip_suffix('|').unwrap_or(row);
  let mut out = Vec::new();
  let mut cell = String::new();
  let mut chars = row.chars().peekable();
  while let Some(c) = chars.next() {
    if c == '\\' && chars.peek() == Some(&'|') {
      cell.push('|');
      chars.next();
    } else if c == '|' {
      out.push(cell.trim().to_owned());
      cell.clear();
    } else {
      cell.push(c);
    }
  }
  out.push(cell.trim().to_owned());
  out
}

/// cli-table3's table: one space of padding, a rule between every row, bold headings,
/// grey borders (when `@colors/colors` colours).
fn table(head: &[String], rows: &[Vec<String>], term: Term) -> String {
  let columns = head.len();
  let head: Vec<String> = head.iter().map(|c| inline(c, term)).collect();
  let rows: Vec<Vec<String>> = rows
    .iter()
    .map(|r| {
      (0..columns)
        .map(|i| inline(r.get(i).map_or("", String::as_str), term))
        .collect()
    })
    .collect();
  let widths: Vec<usize> = (0..columns)
    .map(|i| {
      std::iter::once(&head[i])
        .chain(rows.iter().map(|r| &r[i]))
        .map(|c| string_width(c))
        .max()
        .unwrap_or(0)
        + 2
    })
    .collect();
  let grey = |s: &str| {
    if term.table_colors() {
      format!("\x1b[90m{s}\x1b[39m")
    } else {
      s.to_owned()
    }
  };
  let rule = |left: &str, mid: &str, right: &str| {
    let parts: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    let mut line = String::new();
    for (i, part) in parts.iter().enumerate() {
      let lead = if i == 0 { left } else { mid };
      if i + 1 == parts.len() {
        line.push_str(&grey(&format!("{lead}{part}{right}")));
      } else {
        line.push_str(&grey(&format!("{lead}{part}")));
      }
    }
    line
  };
  let row = |cells: &[String], bold: bool| {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
      let padded = format!(" {cell}{} ", " ".repeat(widths[i] - 2 - string_width(cell)));
      line.push_str(&grey("│"));
      if bold && term.table_colors() {
        line.push_str(&format!("\x1b[1m{padded}\x1b[22m"));
      } else {
        line.push_str(&padded);
      }
    }
    line.push_str(&grey("│"));
    line
  };
  let mut lines = vec![rule("┌", "┬", "┐"), row(&head, true)];
  for r in &rows {
    lines.push(rule("├", "┼", "┤"));
    lines.push(row(r, false));
  }
  lines.push(rule("└", "┴", "┘"));
  lines.join("\n")
}

/// `string-width`: colour codes left out, wide and emoji characters 2, combining marks 0.
fn string_width(text: &str) -> usize {
  let mut width = 0;
  let mut chars = text.chars().peekable();
  while let Some(c) = chars.next() {
    match c {
      '\x1b' if chars.peek() == Some(&'[') => {
        for c in chars.by_ref() {
          if c.is_ascii_alphabetic() {
            break;
          }
        }
      }
      '\u{1F1E6}'..='\u{1F1FF}' => {
        // A flag is a pair of regional indicators.
        if chars
          .peek()
          .is_some_and(|n| ('\u{1F1E6}'..='\u{1F1FF}').contains(n))
        {
          chars.next();
        }
        width += 2;
      }
      '\u{200B}'..='\u{200F}' | '\u{FE00}'..='\u{FE0F}' | '\u{0300}'..='\u{036F}' => {}
      c if (c as u32) >= 0x1F000 => width += 2,
      c => width += super::columns::width(&c.to_string()),
    }
  }
  width
}

/// `:name:` short codes marked-terminal's `emoji: true` replaces (an emoji, then a space).
const EMOJI: [(&str, &str); 14] = [
  ("white_check_mark", "✅"),
  ("heavy_check_mark", "✔️"),
  ("x", "❌"),
  ("warning", "⚠️"),
  ("rocket", "🚀"),
  ("tada", "🎉"),
  ("red_circle", "🔴"),
  ("green_circle", "🟢"),
  ("yellow_circle", "🟡"),
  ("chart_with_upwards_trend", "📈"),
  ("chart_with_downwards_trend", "📉"),
  ("arrow_up", "⬆️"),
  ("arrow_down", "⬇️"),
  ("zap", "⚡"),
];

/// Bold, italics, code spans, links, bare URLs and emoji short codes.
fn inline(text: &str, term: Term) -> String {
  let link = |label: &str, href: &str| {
    let href = term.hex([0x00, 0x80, 0x80], href);
    if label.is_empty() {
      term.blue(&href)
    } else {
      term.blue(&format!("{label} ({href})"))
    }
  };
  let mut out = String::new();
  let mut rest = text;
  while let Some(c) = rest.chars().next() {
    if let Some(after) = rest.strip_prefix("**").or_else(|| rest.strip_prefix("__")) {
      let close = &rest[..2];
      if let Some(end) = after.find(close).filter(|&e| e > 0) {
        out.push_str(&term.bold(&inline(&after[..end], term)));
        rest = &after[end + 2..];
        continue;
      }
    }
    if c == '*' || (c == '_' && !out.ends_with(|p: char| p.is_alphanumeric())) {
      let after = &rest[1..];
      if let Some(end) = after.find(c).filter(|&e| e > 0 && !after.starts_with(' ')) {
        out.push_str(&term.chain(&[("3", "23")], &inline(&after[..end], term)));
        rest = &after[end + 1..];
        continue;
      }
    }
    if c == '`' {
      if let Some(end) = rest[1..].find('`') {
        out.push_str(&term.yellow(&rest[1..1 + end]));
        rest = &rest[end + 2..];
        continue;
      }
    }
    if c == '[' {
      if let Some(close) = rest.find("](") {
        if let Some(end) = rest[close..].find(')') {
          let label = &rest[1..close];
          let href = &rest[close + 2..close + end];
          let label = if label == href {
            String::new()
          } else {
            inline(label, term)
          };
          out.push_str(&link(&label, href));
          rest = &rest[close + end + 1..];
          continue;
        }
      }
    }
    if (rest.starts_with("https://") || rest.starts_with("http://"))
      && !out.ends_with(|p: char| p.is_alphanumeric())
    {
      let end = rest
        .find(|c: char| c.is_whitespace() || c == '<')
        .unwrap_or(rest.len());
      let url = rest[..end].trim_end_matches(['.', ',', ')', '!', '?', ';', ':']);
      out.push_str(&link("", url));
      rest = &rest[url.len()..];
      continue;
    }
    if c == ':' {
      if let Some((name, emoji)) = EMOJI
        .iter()
        .find(|(name, _)| rest[1..].starts_with(name) && rest[1 + name.len()..].starts_with(':'))
      {
        out.push_str(emoji);
        out.push(' ');
        rest = &rest[name.len() + 2..];
        continue;
      }
    }
    out.push(c);
    rest = &rest[c.len_utf8()..];
  }
  out
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn blocks_as_marked_terminal_prints_them_off_a_terminal() {
    let term = Term::plain();
    assert_eq!(render("# Markdown here", term), "# Markdown here\n\n");
    assert_eq!(
      render(
        "## Head\n\nSome **bold** and [link](https://x.y) :white_check_mark: text\n\n- item\n- item2\n",
        term
      ),
      "## Head\n\nSome bold and link (https://x.y) ✅  text\n\n  * item\n  * item2\n\n"
    );
    assert_eq!(
      render("| a | b |\n| --- | ---: |\n| 1 | 22 |\n\n1. x\n2. y", term),
      "┌───┬────┐\n│ a │ b  │\n├───┼────┤\n│ 1 │ 22 │\n└───┴────┘\n\n  1. x\n  2. y\n\n"
    );
  }
}
