//! Terminal output for the CLI, decided as calibre@7's libraries decide it, so the bytes match:
//! colours as chalk paints stdout (its `supports-color` level), the status symbols as
//! `log-symbols` colours them (Node's `hasColors()`, which looks at the environment only), and
//! the "Connecting to Calibre" line as `ora` writes it on stderr: a spinner on an interactive
//! terminal, else one `- text` line.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::env::Env;

#[derive(Clone, Copy)]
pub struct Term {
  stdout_tty: bool,
  stderr_tty: bool,
  /// chalk's level for stdout (0: none, 1: 16 colours, 2: 256, 3: true colour).
  level: u8,
  /// `log-symbols` colours its symbols (Node's `tty.WriteStream.prototype.hasColors()`).
  symbol_colors: bool,
  /// `is-unicode-supported`: `✔`/`✖`, else `√`/`×`.
  unicode: bool,
  /// ora animates (stderr is a TTY, `TERM` is not `dumb`, `CI` is unset).
  interactive: bool,
  /// `process.stdout.columns` (columnify's `maxLineWidth: 'auto'`).
  columns: Option<usize>,
  /// `@colors/colors` is enabled (cli-table3's borders in Markdown tables).
  table_colors: bool,
}

impl Term {
  pub fn detect(env: &dyn Env) -> Term {
    let stdout_tty = std::io::stdout().is_terminal();
    let stderr_tty = std::io::stderr().is_terminal();
    let term = env.var("TERM");
    Term {
      stdout_tty,
      stderr_tty,
      level: chalk_level(env, stdout_tty),
      symbol_colors: node_color_depth(env) >= 4,
      unicode: unicode_supported(env),
      interactive: stderr_tty && term.as_deref() != Some("dumb") && env.var("CI").is_none(),
      columns: if stdout_tty { terminal_columns() } else { None },
      table_colors: colors_enabled(env),
    }
  }

  /// No terminal, no colours (unit tests).
  #[cfg(test)]
  pub fn plain() -> Term {
    Term {
      stdout_tty: false,
      stderr_tty: false,
      level: 0,
      symbol_colors: false,
      unicode: true,
      interactive: false,
      columns: None,
      table_colors: false,
    }
  }

  /// Whether stdout is a terminal (calibre@7 asks for `--confirm` only then).
  pub fn stdout_tty(&self) -> bool {
    self.stdout_tty
  }

  /// The terminal's width when stdout is one.
  pub fn columns(&self) -> Option<usize> {
    self.columns
  }

  fn paint(&self, open: &str, close: &str, text: &str) -> String {
    self.chain(&[(open, close)], text)
  }

  /// A chalk chain (`chalk.bold.green(text)`: `[("1", "22"), ("32", "39")]`), with chalk's
  /// re-opening of each style after the same style's close code inside `text`.
  pub fn chain(&self, styles: &[(&str, &str)], text: &str) -> String {
    if self.level == 0 {
      return text.to_owned();
    }
    let mut inner = text.to_owned();
    if inner.contains('\x1b') {
      for (open, close) in styles.iter().rev() {
        let close = format!("\x1b[{close}m");
        inner = inner.replace(&close, &format!("{close}\x1b[{open}m"));
      }
    }
    let opens: String = styles.iter().map(|(o, _)| format!("\x1b[{o}m")).collect();
    let closes: String = styles
      .iter()
      .rev()
      .map(|(_, c)| format!("\x1b[{c}m"))
      .collect();
    // chalk closes and re-opens its styles around each line break.
    if inner.contains('\n') {
      let parts: Vec<&str> = inner.split('\n').collect();
      let mut out = String::new();
      for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
          out.push_str(part);
          break;
        }
        let (body, cr) = part.strip_suffix('\r').map_or((*part, ""), |b| (b, "\r"));
        out.push_str(&format!("{body}{closes}{cr}\n{opens}"));
      }
      inner = out;
    }
    format!("{opens}{inner}{closes}")
  }

  pub fn cyan(&self, text: &str) -> String {
    self.paint("36", "39", text)
  }

  pub fn bold(&self, text: &str) -> String {
    self.paint("1", "22", text)
  }

  pub fn green(&self, text: &str) -> String {
    self.paint("32", "39", text)
  }

  pub fn red(&self, text: &str) -> String {
    self.paint("31", "39", text)
  }

  pub fn yellow(&self, text: &str) -> String {
    self.paint("33", "39", text)
  }

  pub fn blue(&self, text: &str) -> String {
    self.paint("34", "39", text)
  }

  /// chalk's `grey` (bright black).
  pub fn dim(&self, text: &str) -> String {
    self.paint("90", "39", text)
  }

  /// `chalk.hex(color)` for the foreground.
  pub fn hex(&self, rgb: [u8; 3], text: &str) -> String {
    self.paint(&self.hex_code(rgb), "39", text)
  }

  /// The opening code of `chalk.hex(color)` at this level.
  pub fn hex_code(&self, [r, g, b]: [u8; 3]) -> String {
    match self.level {
      0 | 1 => ansi16(r, g, b).to_string(),
      2 => format!("38;5;{}", ansi256(r, g, b)),
      _ => format!("38;2;{r};{g};{b}"),
    }
  }

  /// Whether `@colors/colors` (cli-table3's borders) colours: the environment only.
  pub fn table_colors(&self) -> bool {
    self.table_colors
  }

  /// log-symbols' `success`.
  pub fn success_symbol(&self) -> String {
    self.symbol("32", if self.unicode { "✔" } else { "√" })
  }

  /// log-symbols' `error`.
  pub fn error_symbol(&self) -> String {
    self.symbol("31", if self.unicode { "✖" } else { "×" })
  }

  fn symbol(&self, open: &str, text: &str) -> String {
    if self.symbol_colors {
      format!("\x1b[{open}m{text}\x1b[39m")
    } else {
      text.to_owned()
    }
  }

  /// `console.log(line)`.
  pub fn out(&self, line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
  }

  /// `console.error(line)`.
  pub fn err(&self, line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
    let _ = stderr.flush();
  }

  /// `ora(text).start()`: a spinner frame on an interactive terminal, else `- text`.
  pub fn spin(&self, text: &str) {
    let mut stderr = std::io::stderr().lock();
    if self.interactive {
      let _ = write!(stderr, "\x1b[?25l\r\x1b[2K{} {text}", self.cyan("⠋"));
    } else {
      let _ = writeln!(stderr, "- {text}");
    }
    let _ = stderr.flush();
  }

  /// `spinner.stop()`: clears the spinner line (nothing to do off a terminal).
  pub fn spin_stop(&self) {
    if self.interactive {
      let mut stderr = std::io::stderr().lock();
      let _ = write!(stderr, "\r\x1b[2K\x1b[?25h");
      let _ = stderr.flush();
    }
  }

  /// `spinner.succeed(text)`: `✔ text` on stderr.
  pub fn succeed(&self, text: &str) {
    self.spin_stop();
    self.err(&format!("{} {text}", self.success_symbol()));
  }

  /// `spinner.fail(text)`: `✖ text` on stderr.
  pub fn fail(&self, text: &str) {
    self.spin_stop();
    self.err(&format!("{} {text}", self.error_symbol()));
  }

  /// A progress line: `live` redrawn in place on a TTY (stderr); off a TTY, `plain` once per
  /// change.
  pub fn progress(&self, frame: usize, live: &str, plain: &str, changed: bool) {
    const FRAMES: [&str; 4] = ["|", "/", "-", "\\"];
    let mut stderr = std::io::stderr().lock();
    if self.stderr_tty {
      let _ = write!(stderr, "\r\x1b[2K{} {live}", FRAMES[frame % FRAMES.len()]);
    } else if changed {
      let _ = writeln!(stderr, "{plain}");
    }
    let _ = stderr.flush();
  }

  /// A progress line for transfers, shown only when stdout and stderr are both terminals, and
  /// once `from_bytes` have arrived.
  pub fn meter(&self, label: &'static str, from_bytes: u64) -> Meter {
    Meter {
      shown: self.stdout_tty && self.stderr_tty,
      label,
      from_bytes,
      started: Instant::now(),
      state: Mutex::new(MeterState::default()),
    }
  }

  /// Clears the progress line on a TTY.
  pub fn progress_done(&self) {
    if self.stderr_tty {
      let mut stderr = std::io::stderr().lock();
      let _ = write!(stderr, "\r\x1b[2K");
      let _ = stderr.flush();
    }
  }
}

/// chalk 5's `supports-color` for stdout (without its `--color` argv flags).
fn chalk_level(env: &dyn Env, tty: bool) -> u8 {
  let has = |name: &str| env.var(name).is_some();
  let force = env.var("FORCE_COLOR").map(|v| match v.as_str() {
    "true" | "" => 1,
    "false" => 0,
    other => leading_int(other).map_or(0, |n| n.clamp(0, 3) as u8),
  });
  if force == Some(0) {
    return 0;
  }
  if has("TF_BUILD") && has("AGENT_NAME") {
    return 1;
  }
  if !tty && force.is_none() {
    return 0;
  }
  let min = force.unwrap_or(0);
  let term = env.var("TERM").unwrap_or_default();
  if term == "dumb" {
    return min;
  }
  if cfg!(windows) {
    // Windows 10 build 14931 and later (every supported Windows): true colour.
    return 3;
  }
  if has("CI") {
    if ["GITHUB_ACTIONS", "GITEA_ACTIONS", "CIRCLECI"]
      .iter()
      .any(|k| has(k))
    {
      return 3;
    }
    if ["TRAVIS", "APPVEYOR", "GITLAB_CI", "BUILDKITE", "DRONE"]
      .iter()
      .any(|k| has(k))
      || env.var("CI_NAME").as_deref() == Some("codeship")
    {
      return 1;
    }
    return min;
  }
  if let Some(version) = env.var("TEAMCITY_VERSION") {
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or("");
    let minor = parts.next();
    let ok = (major == "9"
      && minor.is_some_and(|m| {
        !m.is_empty()
          && m.bytes().all(|b| b.is_ascii_digit())
          && !m.trim_start_matches('0').is_empty()
      }))
      || (major.len() >= 2 && major.bytes().all(|b| b.is_ascii_digit()) && minor.is_some());
    return u8::from(ok);
  }
  if env.var("COLORTERM").as_deref() == Some("truecolor")
    || ["xterm-kitty", "xterm-ghostty", "wezterm"].contains(&term.as_str())
  {
    return 3;
  }
  if let Some(program) = env.var("TERM_PROGRAM") {
    let version = env
      .var("TERM_PROGRAM_VERSION")
      .and_then(|v| leading_int(v.split('.').next().unwrap_or("")));
    match program.as_str() {
      "iTerm.app" => {
        return if version.is_some_and(|v| v >= 3) {
          3
        } else {
          2
        }
      }
      "Apple_Terminal" => return 2,
      _ => {}
    }
  }
  let lower = term.to_ascii_lowercase();
  if lower.ends_with("-256") || lower.ends_with("-256color") {
    return 2;
  }
  let starts = ["screen", "xterm", "vt100", "vt220", "rxvt"];
  let contains = ["color", "ansi", "cygwin", "linux"];
  if starts.iter().any(|s| lower.starts_with(s)) || contains.iter().any(|s| lower.contains(s)) {
    return 1;
  }
  if has("COLORTERM") {
    return 1;
  }
  min
}

/// `Number.parseInt(text, 10)` for the non-negative values that matter here.
fn leading_int(text: &str) -> Option<i64> {
  let digits: String = text
    .trim_start()
    .chars()
    .take_while(char::is_ascii_digit)
    .collect();
  digits.parse().ok()
}

/// `@colors/colors`' `supportsColor()` without a stream (what decides `colors.enabled`).
fn colors_enabled(env: &dyn Env) -> bool {
  let has = |name: &str| env.var(name).is_some();
  let force = env
    .var("FORCE_COLOR")
    .map(|v| v.is_empty() || leading_int(&v) != Some(0));
  if force == Some(false) {
    return false;
  }
  let min = force == Some(true);
  if cfg!(windows) {
    return true;
  }
  if has("CI") {
    return ["TRAVIS", "CIRCLECI", "APPVEYOR", "GITLAB_CI"]
      .iter()
      .any(|k| has(k))
      || env.var("CI_NAME").as_deref() == Some("codeship")
      || min;
  }
  if has("TEAMCITY_VERSION") {
    return chalk_level(env, true) > 0;
  }
  if matches!(
    env.var("TERM_PROGRAM").as_deref(),
    Some("iTerm.app" | "Hyper" | "Apple_Terminal")
  ) {
    return true;
  }
  let term = env.var("TERM").unwrap_or_default().to_ascii_lowercase();
  let starts = ["screen", "xterm", "vt100", "rxvt"];
  let contains = ["color", "ansi", "cygwin", "linux"];
  if term.ends_with("-256")
    || term.ends_with("-256color")
    || starts.iter().any(|s| term.starts_with(s))
    || contains.iter().any(|s| term.contains(s))
    || has("COLORTERM")
  {
    return true;
  }
  min
}

/// Node's `getColorDepth()` (`lib/internal/tty.js`), in bits.
fn node_color_depth(env: &dyn Env) -> u8 {
  let has = |name: &str| env.var(name).is_some();
  if let Some(force) = env.var("FORCE_COLOR") {
    return match force.as_str() {
      "" | "1" | "true" => 4,
      "2" => 8,
      "3" => 24,
      _ => 1,
    };
  }
  let term = env.var("TERM");
  if has("NODE_DISABLE_COLORS") || has("NO_COLOR") || term.as_deref() == Some("dumb") {
    return 1;
  }
  if cfg!(windows) {
    return 24;
  }
  if has("TMUX") {
    return 24;
  }
  if has("CI") {
    let known = [
      "APPVEYOR",
      "BUILDKITE",
      "CIRCLECI",
      "DRONE",
      "GITHUB_ACTIONS",
      "GITLAB_CI",
      "TRAVIS",
    ];
    if known.iter().any(|k| has(k)) || env.var("CI_NAME").as_deref() == Some("codeship") {
      return 8;
    }
    return 1;
  }
  if has("TEAMCITY_VERSION") {
    return 4;
  }
  match env.var("TERM_PROGRAM").as_deref() {
    Some("iTerm.app") => return 24,
    Some("HyperTerm" | "MacTerm") => return 24,
    Some("Apple_Terminal") => return 8,
    _ => {}
  }
  if matches!(env.var("COLORTERM").as_deref(), Some("truecolor" | "24bit")) {
    return 24;
  }
  if let Some(term) = term {
    if term.starts_with("xterm-256") {
      return 8;
    }
    let lower = term.to_ascii_lowercase();
    let sixteen_m = ["mosh", "rxvt-unicode-24bit", "terminator"];
    let sixteen = [
      "eterm", "cons25", "console", "cygwin", "dtterm", "gnome", "hurd", "jfbterm", "konsole",
      "kterm", "mlterm", "putty", "st",
    ];
    if sixteen_m.contains(&lower.as_str()) {
      return 24;
    }
    if sixteen.contains(&lower.as_str()) {
      return 4;
    }
    if lower.contains("ansi")
      || lower.contains("color")
      || lower.contains("linux")
      || lower.starts_with("rxvt")
      || lower.starts_with("screen")
      || lower.starts_with("xterm")
      || lower.starts_with("vt100")
      || (lower.starts_with("con")
        && lower[3..].split_once('x').is_some_and(|(a, b)| {
          a.bytes().all(|c| c.is_ascii_digit()) && b.starts_with(|c: char| c.is_ascii_digit())
        }))
    {
      return 4;
    }
  }
  if has("COLORTERM") {
    return 4;
  }
  1
}

/// `is-unicode-supported`.
fn unicode_supported(env: &dyn Env) -> bool {
  let term = env.var("TERM");
  if !cfg!(windows) {
    return term.as_deref() != Some("linux");
  }
  env.var("WT_SESSION").is_some_and(|v| !v.is_empty())
    || env.var("TERMINUS_SUBLIME").is_some_and(|v| !v.is_empty())
    || env.var("ConEmuTask").as_deref() == Some("{cmd::Cmder}")
    || matches!(
      env.var("TERM_PROGRAM").as_deref(),
      Some("Terminus-Sublime" | "vscode")
    )
    || matches!(
      term.as_deref(),
      Some("xterm-256color" | "alacritty" | "rxvt-unicode" | "rxvt-unicode-256color")
    )
    || env.var("TERMINAL_EMULATOR").as_deref() == Some("JetBrains-JediTerm")
}

/// The terminal's width in columns (stdout), as Node's `process.stdout.columns`.
fn terminal_columns() -> Option<usize> {
  #[cfg(unix)]
  {
    // SAFETY: TIOCGWINSZ fills a `winsize` we own; the descriptor is stdout.
    unsafe {
      let mut size: libc::winsize = std::mem::zeroed();
      if libc::ioctl(1, libc::TIOCGWINSZ, &mut size) == 0 && size.ws_col > 0 {
        return Some(usize::from(size.ws_col));
      }
    }
    None
  }
  #[cfg(not(unix))]
  {
    None
  }
}

/// chalk's `hex` at level 1 (ansi-styles `rgbToAnsi`).
fn ansi16(r: u8, g: u8, b: u8) -> u8 {
  let value = (f64::from(r.max(g).max(b)) / 255.0 * 100.0).round() as u32 / 50;
  if value == 0 {
    return 30;
  }
  let code = 30
    + (((f64::from(b) / 255.0).round() as u8) << 2
      | ((f64::from(g) / 255.0).round() as u8) << 1
      | (f64::from(r) / 255.0).round() as u8);
  if value == 2 {
    code + 60
  } else {
    code
  }
}

/// chalk's `hex` at level 2 (ansi-styles `rgbToAnsi256`).
fn ansi256(r: u8, g: u8, b: u8) -> u8 {
  if r == g && g == b {
    if r < 8 {
      return 16;
    }
    if r > 248 {
      return 231;
    }
    return ((f64::from(r) - 8.0) / 247.0 * 24.0).round() as u8 + 232;
  }
  let c = |v: u8| (f64::from(v) / 255.0 * 5.0).round() as u8;
  16 + 36 * c(r) + 6 * c(g) + c(b)
}

/// The progress of transfers that run together (the files of a download): bytes so far, the
/// total when every transfer announced one, and the rate; redrawn on stderr at most every
/// `REDRAW` while stdout is a terminal.
pub struct Meter {
  shown: bool,
  label: &'static str,
  /// Small transfers show nothing.
  from_bytes: u64,
  started: Instant,
  state: Mutex<MeterState>,
}

#[derive(Default)]
struct MeterState {
  /// Per transfer: bytes received by its current attempt, and its announced size.
  transfers: Vec<(u64, Option<u64>)>,
  drawn_at: Option<Instant>,
}

const REDRAW: Duration = Duration::from_millis(100);

impl Meter {
  /// A slot for one more transfer; report its progress with `update`.
  pub fn add(&self) -> usize {
    let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
    state.transfers.push((0, None));
    state.transfers.len() - 1
  }

  /// Transfer `slot` has received `bytes` of `total`.
  pub fn update(&self, slot: usize, bytes: u64, total: Option<u64>) {
    if !self.shown {
      return;
    }
    let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(transfer) = state.transfers.get_mut(slot) {
      *transfer = (bytes, total);
    }
    // Every transfer done: the line goes, before whatever is printed next.
    let done = |(bytes, total): &(u64, Option<u64>)| total.is_some_and(|t| *bytes >= t);
    if state.transfers.iter().all(done) {
      if state.drawn_at.take().is_some() {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K");
        let _ = stderr.flush();
      }
      return;
    }
    if state.transfers.iter().map(|(bytes, _)| bytes).sum::<u64>() < self.from_bytes {
      return;
    }
    let now = Instant::now();
    if state.drawn_at.is_some_and(|at| now - at < REDRAW) {
      return;
    }
    state.drawn_at = Some(now);
    let line = self.line(&state.transfers, now - self.started);
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "\r\x1b[2K{line}");
    let _ = stderr.flush();
  }

  fn line(&self, transfers: &[(u64, Option<u64>)], elapsed: Duration) -> String {
    let received: u64 = transfers.iter().map(|(bytes, _)| bytes).sum();
    let total: Option<u64> = transfers.iter().map(|(_, total)| *total).sum();
    let rate = received as f64 / elapsed.as_secs_f64().max(0.001);
    let of = total.map_or(String::new(), |t| format!(" of {}", size(t as f64)));
    format!(
      "{} {}{of}, {}/s",
      self.label,
      size(received as f64),
      size(rate)
    )
  }

  /// Removes the line (before other output, and at the end); it comes back with the next update.
  pub fn clear(&self) {
    let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
    if self.shown && state.drawn_at.take().is_some() {
      let mut stderr = std::io::stderr().lock();
      let _ = write!(stderr, "\r\x1b[2K");
      let _ = stderr.flush();
    }
  }
}

/// A byte count in B, KB, MB or GB (powers of 1024), as the CLI's tables and the meter show it.
pub fn binary_units(bytes: f64) -> (f64, &'static str) {
  const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
  let mut value = bytes;
  let mut unit = 0;
  while value.abs() >= 1024.0 && unit < UNITS.len() - 1 {
    value /= 1024.0;
    unit += 1;
  }
  (value, UNITS[unit])
}

/// The meter's sizes: whole bytes, else one decimal.
fn size(bytes: f64) -> String {
  match binary_units(bytes) {
    (value, "B") => format!("{value:.0} B"),
    (value, unit) => format!("{value:.1} {unit}"),
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn the_meter_line_says_bytes_total_and_rate() {
    let meter = Meter {
      shown: false,
      label: "Downloading",
      from_bytes: 0,
      started: Instant::now(),
      state: Mutex::new(MeterState::default()),
    };
    let second = Duration::from_secs(1);
    assert_eq!(
      meter.line(&[(1536, Some(4096)), (512, Some(1024))], second),
      "Downloading 2.0 KB of 5.0 KB, 2.0 KB/s"
    );
    assert_eq!(
      meter.line(&[(3 << 20, None), (0, Some(10))], 2 * second),
      "Downloading 3.0 MB, 1.5 MB/s",
      "no total unless every transfer announced one"
    );
  }
}
