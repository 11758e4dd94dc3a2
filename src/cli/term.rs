//! Terminal output for the CLI: colours only on a TTY and never with `NO_COLOR`, a spinner
//! on a TTY while waiting, plain lines otherwise.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::env::Env;

#[derive(Clone, Copy)]
pub struct Term {
  stdout_tty: bool,
  stderr_tty: bool,
  color: bool,
}

impl Term {
  pub fn detect(env: &dyn Env) -> Term {
    let stdout_tty = std::io::stdout().is_terminal();
    let stderr_tty = std::io::stderr().is_terminal();
    let no_color = env.var("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = env.var("TERM").is_some_and(|t| t == "dumb");
    Term {
      stdout_tty,
      stderr_tty,
      color: stdout_tty && !no_color && !dumb,
    }
  }

  /// Whether stdout is a terminal (calibre@7 asks for `--confirm` only then).
  pub fn stdout_tty(&self) -> bool {
    self.stdout_tty
  }

  pub fn cyan(&self, text: &str) -> String {
    self.paint("36", text)
  }

  pub fn bold(&self, text: &str) -> String {
    self.paint("1", text)
  }

  fn paint(&self, code: &str, text: &str) -> String {
    if self.color {
      format!("\x1b[{code}m{text}\x1b[0m")
    } else {
      text.to_owned()
    }
  }

  pub fn green(&self, text: &str) -> String {
    self.paint("32;1", text)
  }

  pub fn red(&self, text: &str) -> String {
    self.paint("31;1", text)
  }

  pub fn yellow(&self, text: &str) -> String {
    self.paint("33", text)
  }

  pub fn dim(&self, text: &str) -> String {
    self.paint("2", text)
  }

  pub fn out(&self, line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
  }

  pub fn err(&self, line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
    let _ = stderr.flush();
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
