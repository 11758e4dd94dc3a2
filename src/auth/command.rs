//! A command that prints the token (`CALIBRE_TOKEN_COMMAND`, a profile's `command`), e.g. a
//! password manager's CLI: `op read op://Private/Calibre/credential`. As AWS's
//! `credential_process`:
//!
//! - run without a shell: the line is split into words as a POSIX shell would (quotes and
//!   backslashes), with no expansion, so nothing in it is interpreted twice;
//! - the child gets the caller's whole `process.env` (captured on the JS thread), so `PATH`
//!   and the password manager's own session variables reach it;
//! - its stderr is the user's (prompts show), and never enters an error message; its stdout,
//!   trimmed, is the token, or JSON `{ "token", "expiresAt" }`;
//! - bounded by a timeout (`CALIBRE_TOKEN_COMMAND_TIMEOUT_MS`, default 60 s): the child is
//!   killed then.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::secret::ApiToken;
use crate::error::{CalibreError, ErrorCode, TokenSource};

pub const COMMAND_ENV: &str = "CALIBRE_TOKEN_COMMAND";
pub const TIMEOUT_ENV: &str = "CALIBRE_TOKEN_COMMAND_TIMEOUT_MS";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// More than any token needs; a command that prints more is not printing a token.
const MAX_OUTPUT: u64 = 64 * 1024;

/// What the command printed.
pub struct Printed {
  pub token: ApiToken,
  pub expires_at: Option<String>,
}

/// The line split into words like `sh` would, without expansions: `'…'` literal, `"…"` with
/// `\"`, `\\`, `\$` and `` \` `` escapes, a backslash outside quotes escapes the next character.
pub fn split_words(line: &str) -> Result<Vec<String>, &'static str> {
  let mut words = Vec::new();
  let mut word = String::new();
  let mut in_word = false;
  let mut chars = line.chars();
  while let Some(c) = chars.next() {
    match c {
      ' ' | '\t' | '\n' => {
        if in_word {
          words.push(std::mem::take(&mut word));
          in_word = false;
        }
      }
      '\'' => {
        in_word = true;
        loop {
          match chars.next() {
            Some('\'') => break,
            Some(c) => word.push(c),
            None => return Err("has an unclosed single quote"),
          }
        }
      }
      '"' => {
        in_word = true;
        loop {
          match chars.next() {
            Some('"') => break,
            Some('\\') => match chars.next() {
              Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
              Some('\n') => {}
              Some(c) => {
                word.push('\\');
                word.push(c);
              }
              None => return Err("has an unclosed double quote"),
            },
            Some(c) => word.push(c),
            None => return Err("has an unclosed double quote"),
          }
        }
      }
      '\\' => {
        in_word = true;
        match chars.next() {
          Some('\n') => {}
          Some(c) => word.push(c),
          None => return Err("ends with a lone backslash"),
        }
      }
      c => {
        in_word = true;
        word.push(c);
      }
    }
  }
  if in_word {
    words.push(word);
  }
  Ok(words)
}

/// Our stderr for the child, duplicated: Node marks its own stderr close-on-exec once it has
/// used it, so plain inheritance would leave the child without one (and its prompts unseen).
fn users_stderr() -> Stdio {
  #[cfg(unix)]
  let copy = {
    use std::os::fd::AsFd;
    std::io::stderr().as_fd().try_clone_to_owned()
  };
  #[cfg(windows)]
  let copy = {
    use std::os::windows::io::AsHandle;
    std::io::stderr().as_handle().try_clone_to_owned()
  };
  #[cfg(not(any(unix, windows)))]
  let copy: std::io::Result<Stdio> = Err(std::io::ErrorKind::Unsupported.into());
  copy.map_or_else(|_| Stdio::inherit(), Stdio::from)
}

/// The program's name for messages: the first word only (arguments could hold anything).
fn program_name(words: &[String]) -> &str {
  words.first().map_or("", String::as_str)
}

/// Runs `line` and reads the token it prints. Blocking: call it off the JS thread, except
/// from the synchronous `Token.resolve()`.
pub fn run(
  line: &str,
  source: &TokenSource,
  child_env: &[(String, String)],
  timeout: Duration,
) -> Result<Printed, CalibreError> {
  let whence = source.describe();
  let failed = |what: String| {
    CalibreError::new(ErrorCode::TokenCommandFailed, what).with_token_source(source.clone())
  };
  let words = split_words(line).map_err(|why| {
    failed(format!(
      "The token command from {whence} {why}, so it was not run. Fix its quoting (it is split into words like a shell would, without running one)."
    ))
  })?;
  let Some(program) = words.first() else {
    return Err(failed(format!(
      "The token command from {whence} is empty. Set it to a command that prints the token, e.g. `op read op://Private/Calibre/credential`."
    )));
  };
  let name = program_name(&words);
  let mut command = Command::new(program);
  command
    .args(&words[1..])
    .env_clear()
    .envs(child_env.iter().map(|(k, v)| (k, v)))
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(users_stderr());
  let mut child = command.spawn().map_err(|e| {
    failed(format!(
      "The token command `{name}` from {whence} could not be started: {e}. Check that it is installed and on PATH."
    ))
  })?;
  let mut stdout = child.stdout.take().expect("stdout is piped");
  // Read on a thread so a child that fills the pipe cannot block its own exit.
  let reader = std::thread::Builder::new()
    .stack_size(crate::runtime::THREAD_STACK_SIZE)
    .spawn(move || {
      let mut out = Vec::new();
      let read = (&mut stdout).take(MAX_OUTPUT + 1).read_to_end(&mut out);
      // Drain the rest so the child is never blocked writing.
      let _ = std::io::copy(&mut stdout, &mut std::io::sink());
      read.map(|_| out)
    })
    .map_err(|e| {
      let _ = child.kill();
      failed(format!(
        "The token command `{name}` could not be read: {e}."
      ))
    })?;
  let deadline = Instant::now() + timeout;
  let status = loop {
    match child.try_wait() {
      Ok(Some(status)) => break status,
      Ok(None) if Instant::now() >= deadline => {
        let _ = child.kill();
        let _ = child.wait();
        return Err(failed(format!(
          "The token command `{name}` from {whence} did not finish within {} ms and was stopped. If it waits for you (a password manager prompt), answer it sooner or raise {TIMEOUT_ENV}.",
          timeout.as_millis()
        )));
      }
      Ok(None) => std::thread::sleep(Duration::from_millis(5)),
      Err(e) => {
        return Err(failed(format!(
          "The token command `{name}` from {whence} could not be waited for: {e}."
        )))
      }
    }
  };
  let out = reader.join().ok().and_then(Result::ok).unwrap_or_default();
  if !status.success() {
    let how = match status.code() {
      Some(code) => format!("exited with status {code}"),
      None => "was killed by a signal".to_owned(),
    };
    return Err(failed(format!(
      "The token command `{name}` from {whence} {how}; its own messages, if any, are above on standard error. Run it yourself to see why (is the password manager signed in?)."
    )));
  }
  if out.len() as u64 > MAX_OUTPUT {
    return Err(failed(format!(
      "The token command `{name}` from {whence} printed more than {MAX_OUTPUT} bytes; it should print only the token."
    )));
  }
  parse_output(&String::from_utf8_lossy(&out)).map_err(|why| {
    failed(format!(
      "The token command `{name}` from {whence} {why}. It must print the token (or JSON {{ \"token\", \"expiresAt\" }}) on standard output."
    ))
  })
}

/// Stdout trimmed is the token, or JSON `{ "token", "expiresAt" }`.
fn parse_output(out: &str) -> Result<Printed, &'static str> {
  let out = out.trim();
  let (raw, expires_at) = if out.starts_with('{') {
    let value: serde_json::Value =
      serde_json::from_str(out).map_err(|_| "printed JSON that could not be read")?;
    let token = value
      .get("token")
      .and_then(|t| t.as_str())
      .ok_or("printed JSON without a string `token`")?;
    let at = value
      .get("expiresAt")
      .and_then(|a| a.as_str())
      .map(str::to_owned);
    (token.to_owned(), at)
  } else {
    (out.to_owned(), None)
  };
  match ApiToken::parse(&raw) {
    Ok(Some(token)) => Ok(Printed { token, expires_at }),
    Ok(None) => Err("printed no token"),
    Err(_) => {
      Err("printed something that is not a token (whitespace, control or non-ASCII characters)")
    }
  }
}

/// `CALIBRE_TOKEN_COMMAND_TIMEOUT_MS`, when a positive number.
pub fn timeout_from(value: Option<String>) -> Duration {
  value
    .and_then(|v| v.trim().parse::<u64>().ok())
    .filter(|ms| *ms > 0)
    .map_or(DEFAULT_TIMEOUT, Duration::from_millis)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn splits_like_a_shell_without_expanding() {
    assert_eq!(
      split_words(
        r#"op read  "op://Private/Calibre Token/credential" --account 'my team' a\ b "\$HOME""#
      )
      .unwrap(),
      [
        "op",
        "read",
        "op://Private/Calibre Token/credential",
        "--account",
        "my team",
        "a b",
        "$HOME"
      ]
    );
    assert_eq!(split_words("  ").unwrap(), Vec::<String>::new());
    assert_eq!(split_words("a ''").unwrap(), ["a", ""]);
    assert!(split_words("a 'b").is_err());
    assert!(split_words("a \"b").is_err());
    assert!(split_words("a \\").is_err());
  }

  #[test]
  fn output_is_the_token_or_json() {
    let p = parse_output(" tok-1\n").unwrap();
    assert_eq!((p.token.expose(), p.expires_at), ("tok-1", None));
    let p = parse_output(r#"{"token":"t2","expiresAt":"2027-01-01T00:00:00Z"}"#).unwrap();
    assert_eq!(p.token.expose(), "t2");
    assert_eq!(p.expires_at.as_deref(), Some("2027-01-01T00:00:00Z"));
    assert!(parse_output("").is_err());
    assert!(parse_output("two words").is_err());
    assert!(parse_output("{\"nope\":1}").is_err());
  }

  #[cfg(unix)]
  #[test]
  fn runs_with_the_given_environment_and_reports_failures_without_output() {
    let env = vec![
      ("PATH".to_owned(), "/usr/bin:/bin".to_owned()),
      ("SECRET_X".to_owned(), "tok-9".to_owned()),
    ];
    let source = TokenSource::Command { profile: None };
    let got = run(
      "sh -c 'printf %s \"$SECRET_X\"'",
      &source,
      &env,
      DEFAULT_TIMEOUT,
    )
    .unwrap();
    assert_eq!(got.token.expose(), "tok-9");
    let err = run(
      "sh -c 'echo leaked-secret; exit 3'",
      &source,
      &env,
      DEFAULT_TIMEOUT,
    )
    .err()
    .unwrap();
    assert_eq!(err.code, ErrorCode::TokenCommandFailed);
    assert!(
      err.message.contains("exited with status 3"),
      "{}",
      err.message
    );
    assert!(!err.message.contains("leaked-secret") && !err.message.contains("-c"));
    let started = Instant::now();
    let err = run("sleep 5", &source, &env, Duration::from_millis(200))
      .err()
      .unwrap();
    assert!(
      err.message.contains("did not finish within 200 ms"),
      "{}",
      err.message
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    let err = run("no-such-program-xyz", &source, &env, DEFAULT_TIMEOUT)
      .err()
      .unwrap();
    assert!(
      err.message.contains("could not be started"),
      "{}",
      err.message
    );
  }
}
