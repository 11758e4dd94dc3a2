//! Terminal output for the CLI: colours only on a TTY and never with `NO_COLOR`, a spinner
//! on a TTY while waiting, plain lines otherwise.

use std::io::{IsTerminal, Write};

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

  /// Clears the progress line on a TTY.
  pub fn progress_done(&self) {
    if self.stderr_tty {
      let mut stderr = std::io::stderr().lock();
      let _ = write!(stderr, "\r\x1b[2K");
      let _ = stderr.flush();
    }
  }
}
