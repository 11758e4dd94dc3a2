//! Markdown reports on the terminal as calibre@7 shows them (`marked` with `marked-terminal`,
//! `views/markdown.js`): headings keep their `#`s (bold, `#5f5fff`), paragraphs and lists are
//! followed by a blank line, list items are indented with `  * `, links read `text (url)`.
//! The common block and inline forms of Calibre's reports are covered; anything else is
//! passed through as written.

use super::term::Term;

pub fn render(markdown: &str, term: Term) -> String {
  let mut out = String::new();
  let lines: Vec<&str> = markdown.lines().collect();
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
      out.push_str(&term.hex([0x5f, 0x5f, 0xff], &term.bold(&text)));
      out.push_str("\n\n");
      i += 1;
      continue;
    }
    if list_item(trimmed).is_some() {
      while i < lines.len() {
        let Some((marker, text)) = list_item(lines[i].trim_start()) else {
          break;
        };
        out.push_str(&format!("  {marker} {}\n", inline(text, term)));
        i += 1;
      }
      out.push('\n');
      continue;
    }
    // A paragraph: the lines up to a blank line or another block.
    let mut paragraph: Vec<&str> = Vec::new();
    while i < lines.len() {
      let t = lines[i].trim_start();
      if t.is_empty() || (!paragraph.is_empty() && (heading(t).is_some() || list_item(t).is_some()))
      {
        break;
      }
      paragraph.push(lines[i].trim());
      i += 1;
    }
    out.push_str(&inline(&paragraph.join("\n"), term));
    out.push_str("\n\n");
  }
  out
}

fn heading(line: &str) -> Option<(usize, &str)> {
  let level = line.bytes().take_while(|&b| b == b'#').count();
  if !(1..=6).contains(&level) {
    return None;
  }
  let rest = &line[level..];
  if rest.is_empty() {
    return Some((level, ""));
  }
  rest
    .strip_prefix(' ')
    .or_else(|| rest.strip_prefix('\t'))
    .map(|text| (level, text.trim().trim_end_matches('#').trim_end()))
}

fn list_item(line: &str) -> Option<(String, &str)> {
  for bullet in ["- ", "* ", "+ "] {
    if let Some(text) = line.strip_prefix(bullet) {
      return Some(("*".to_owned(), text));
    }
  }
  let digits = line.bytes().take_while(u8::is_ascii_digit).count();
  if digits > 0 {
    if let Some(text) = line[digits..].strip_prefix(". ") {
      return Some((format!("{}.", &line[..digits]), text));
    }
  }
  None
}

/// Bold, italics, code spans and links.
fn inline(text: &str, term: Term) -> String {
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
          if label.is_empty() || label == href {
            out.push_str(&term.hex([0x00, 0x80, 0x80], href));
          } else {
            out.push_str(&format!(
              "{} ({})",
              term.blue(&inline(label, term)),
              term.hex([0x00, 0x80, 0x80], href)
            ));
          }
          rest = &rest[close + end + 1..];
          continue;
        }
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
  fn headings_paragraphs_lists_and_links_as_marked_terminal_prints_them() {
    let term = Term::plain();
    assert_eq!(render("# Markdown here", term), "# Markdown here\n\n");
    assert_eq!(
      render(
        "## Head\n\nSome **bold** and [link](https://x.y) text\n\n- item\n- item2\n",
        term
      ),
      "## Head\n\nSome bold and link (https://x.y) text\n\n  * item\n  * item2\n\n"
    );
  }
}
