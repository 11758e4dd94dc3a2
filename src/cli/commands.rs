//! What each command does. Reading inputs and local files happens here, on the JS thread;
//! anything that talks to Calibre becomes a `Job` for the runtime.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};

use super::term::Term;
use super::{Command, Job, RequestArgs, SiteCommand, TestCommand, TestCreateArgs, TokenCommand};
use crate::api::{poll, site, test};
use crate::auth::{env_token_set, remove_stored_token, status_report, store_user_token};
use crate::call::Call;
use crate::env::Env;
use crate::error::{CalibreError, ErrorCode};
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::session::{self, Session};

type Events = Option<session::Events>;

fn done(code: i32) -> Job {
  Box::pin(async move { Ok(code) })
}

pub(super) fn prepare(
  command: Command,
  call: &Call,
  term: Term,
) -> Result<(Job, Events), CalibreError> {
  match command {
    Command::Token(TokenCommand::Set { token }) => {
      token_set(&token, &call.env, term).map(|code| (done(code), None))
    }
    Command::Token(TokenCommand::Remove) => {
      let (_, removed) = remove_stored_token(&call.env)?;
      if removed {
        term.out(&format!("{} API Token removed.", term.green("✔")));
      } else {
        term.out(&format!("{} API Token is not set.", term.red("✖")));
      }
      Ok((done(0), None))
    }
    Command::Token(TokenCommand::Status { check, json }) => {
      let session = call.session_as("token status")?;
      let events = Some(Arc::clone(&session.events));
      let job: Job = Box::pin(async move {
        let outcome = if check {
          Some(session.check_token().await)
        } else {
          None
        };
        let report = status_report(&session.token(), outcome, session.config_file.as_ref());
        if json {
          term.out(&serde_json::to_string_pretty(&report).expect("a report serializes"));
        } else {
          let from = match &report.path {
            Some(path) => format!("the config file {path}"),
            None if report.source == "env" => "CALIBRE_API_TOKEN".to_owned(),
            None => "the command line".to_owned(),
          };
          term.out(&format!("Token:    {} (from {from})", report.masked));
          let expiry = match (&report.expires_at, report.expires_in_ms) {
            (Some(at), Some(ms)) if ms >= 0.0 => format!("{at} (in {})", human_duration(ms)),
            (Some(at), Some(ms)) => {
              term.red(&format!("{at} (expired {} ago)", human_duration(-ms)))
            }
            _ => term.dim("unknown"),
          };
          term.out(&format!("Expires:  {expiry}"));
          term.out(&format!(
            "Writable: {}",
            if report.writable { "yes" } else { "no" }
          ));
          if report.shadowed_by_env {
            term.out(
              &term.yellow("Note:     CALIBRE_API_TOKEN is set and wins over the stored token."),
            );
          }
          if let Some(state) = report.check {
            let shown = if state == "valid" {
              term.green(state)
            } else {
              term.red(state)
            };
            term.out(&format!("Check:    {shown}"));
            if let Some(message) = &report.check_message {
              term.out(&format!("          {message}"));
            }
          }
        }
        Ok(if report.check.is_none_or(|state| state == "valid") {
          0
        } else {
          1
        })
      });
      Ok((job, events))
    }
    Command::Token(TokenCommand::Refresh { json }) => {
      let session = call.session_as("token refresh")?;
      let events = Some(Arc::clone(&session.events));
      let job: Job = Box::pin(async move {
        let info = session.refresh(&session.token(), false).await?;
        if json {
          let out = serde_json::json!({ "expiresAt": info.expires_at, "persisted": info.persisted, "source": info.source.kind() });
          term.out(&serde_json::to_string_pretty(&out).expect("JSON serializes"));
        } else {
          let expiry = match info.expires_at.as_deref() {
            Some(at) => at,
            None if info.never_expires => "never (this token has no expiry)",
            None => "extended (the server did not say until when)",
          };
          term.out(&format!(
            "{} API Token refreshed. Expires: {expiry}",
            term.green("✔")
          ));
          if info.persisted {
            term.out(&term.dim(&format!(
                "Stored in {}",
                info
                  .source
                  .path()
                  .map(|p| p.display().to_string())
                  .unwrap_or_default()
              )));
          }
        }
        Ok(0)
      });
      Ok((job, events))
    }
    Command::Request(args) => request(args, call, term),
    Command::Site(SiteCommand::List { json }) => {
      let session = call.session_as("site list")?;
      let events = Some(Arc::clone(&session.events));
      let job: Job = Box::pin(async move {
        let sites = session.execute_value(&site::list_op()).await?;
        if json {
          term.out(&print_json(&sites, false));
        } else {
          print_sites(&sites, term);
        }
        Ok(0)
      });
      Ok((job, events))
    }
    Command::Test(TestCommand::Create(args)) => test_create(args, call, term),
  }
}

fn print_sites(sites: &Value, term: Term) {
  let sites = sites.as_array().map(Vec::as_slice).unwrap_or_default();
  let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
  let rows: Vec<[String; 4]> = sites
    .iter()
    .map(|s| {
      let team = s.get("team").map(|t| text(t, "slug")).unwrap_or_default();
      let created = text(s, "createdAt").chars().take(10).collect();
      [text(s, "slug"), text(s, "name"), team, created]
    })
    .collect();
  let header = ["SLUG", "NAME", "TEAM", "CREATED"];
  let widths: Vec<usize> = (0..4)
    .map(|i| {
      rows
        .iter()
        .map(|r| r[i].chars().count())
        .chain([header[i].len()])
        .max()
        .unwrap_or(0)
    })
    .collect();
  let line = |cells: [&str; 4]| {
    let padded: Vec<String> = cells
      .iter()
      .zip(&widths)
      .map(|(c, w)| format!("{c:<w$}"))
      .collect();
    padded.join("  ").trim_end().to_owned()
  };
  term.out(&term.dim(&line(header)));
  for row in &rows {
    term.out(&line([&row[0], &row[1], &row[2], &row[3]]));
  }
  term.out(&term.dim(&format!("{} site(s)", rows.len())));
}

fn test_create(
  args: TestCreateArgs,
  call: &Call,
  term: Term,
) -> Result<(Job, Events), CalibreError> {
  let mut input = Map::new();
  let fields = [
    ("url", Some(args.url)),
    ("location", Some(args.location)),
    ("device", args.device),
    ("connection", args.connection),
  ];
  for (key, value) in fields {
    if let Some(value) = value {
      input.insert(key.to_owned(), Value::String(value));
    }
  }
  let op = test::create_op(&Args::from_map("test create", input))?;
  let session = call.session_as("test create")?;
  let events = Some(Arc::clone(&session.events));
  let (wait, json) = (args.wait, args.json);
  let interval = poll_interval(&call.env);
  let job: Job = Box::pin(async move {
    let created = session.execute_value(&op).await?;
    let text = |key: &str| {
      created
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
    };
    if json && !wait {
      term.out(&print_json(&created, false));
      return Ok(0);
    }
    if !json {
      term.out(&format!(
        "{} Test scheduled: {}",
        term.green("✔"),
        text("formattedTestUrl")
      ));
    }
    if !wait {
      term.out(&term.dim(&format!("uuid {}", text("uuid"))));
      return Ok(0);
    }
    let result = wait_for(&session, text("uuid"), interval, term).await?;
    if json {
      term.out(&print_json(&result, false));
    } else {
      print_test(&result, term);
    }
    // A test that ended `errored` or `timeout` is a failed run.
    Ok(
      if result.get("status").and_then(Value::as_str) == Some("completed") {
        0
      } else {
        4
      },
    )
  });
  Ok((job, events))
}

/// Polls like `Test.waitForTest` (5 s before each poll), showing the status as it changes:
/// a spinner line on a TTY, one plain line per change otherwise.
async fn wait_for(
  session: &Session,
  uuid: String,
  interval: Duration,
  term: Term,
) -> Result<Value, CalibreError> {
  let op = test::get_op(uuid);
  let polls = AtomicUsize::new(0);
  let last = Mutex::new(String::new());
  let wait = poll::Wait {
    interval,
    limit: None,
  };
  let result = wait
    .until_terminal("test create", || {
      let (op, polls, last) = (&op, &polls, &last);
      async move {
        let test = session.execute_value(op).await?;
        if test.is_null() {
          return Err(poll::not_found(
            "test create",
            "organisation.singlePageTest",
          ));
        }
        let status = test
          .get("status")
          .and_then(Value::as_str)
          .unwrap_or("unknown")
          .to_owned();
        let changed = std::mem::replace(
          &mut *last.lock().unwrap_or_else(|p| p.into_inner()),
          status.clone(),
        ) != status;
        term.progress(
          polls.fetch_add(1, Ordering::Relaxed),
          &format!("Waiting for the test: {status}"),
          changed,
        );
        Ok(test)
      }
    })
    .await;
  term.progress_done();
  let text = result?;
  serde_json::from_str(&text)
    .map_err(|e| CalibreError::new(ErrorCode::InvalidResponse, format!("test create: {e}")))
}

/// 5000 ms like calibre@7, unless CALIBRE_POLL_INTERVAL_MS says otherwise (tests, demos).
fn poll_interval(env: &dyn Env) -> Duration {
  let ms = env
    .var("CALIBRE_POLL_INTERVAL_MS")
    .and_then(|v| v.parse().ok())
    .unwrap_or(5000);
  Duration::from_millis(ms)
}

fn print_test(test: &Value, term: Term) {
  let text = |key: &str| {
    test
      .get(key)
      .and_then(Value::as_str)
      .unwrap_or("")
      .to_owned()
  };
  let status = text("status");
  let shown = if status == "completed" {
    term.green(&status)
  } else {
    term.red(&status)
  };
  term.out(&format!("Status:  {shown}"));
  term.out(&format!("Report:  {}", text("formattedTestUrl")));
  for m in test
    .get("metrics")
    .and_then(Value::as_array)
    .map(Vec::as_slice)
    .unwrap_or_default()
  {
    let label = m
      .get("label")
      .or_else(|| m.get("name"))
      .and_then(Value::as_str)
      .unwrap_or("");
    let value = m.get("value").map(Value::to_string).unwrap_or_default();
    term.out(&format!("  {label:<36} {value}"));
  }
}

fn token_set(raw: &str, env: &dyn Env, term: Term) -> Result<i32, CalibreError> {
  let raw = if raw == "-" {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).map_err(|e| {
      CalibreError::invalid_argument(
        "token set",
        format!("could not read the token from standard input ({e})."),
      )
    })?;
    input
  } else {
    raw.to_owned()
  };
  let file = store_user_token(&raw, "token set", env)?;
  term.out(&format!(
    "{} API Token saved to {}",
    term.green("✔"),
    file.path().display()
  ));
  if env_token_set(env) {
    term.err(&term.yellow("Warning: CALIBRE_API_TOKEN is set and takes precedence over the stored token; unset it to use the stored one."));
  }
  Ok(0)
}

/// `@path` reads the file; anything else is the value itself.
fn text_or_file(value: &str, what: &str) -> Result<String, CalibreError> {
  match value.strip_prefix('@') {
    Some(path) => std::fs::read_to_string(path).map_err(|e| {
      CalibreError::invalid_argument("request", format!("cannot read {what} from {path}: {e}"))
    }),
    None => Ok(value.to_owned()),
  }
}

fn request(args: RequestArgs, call: &Call, term: Term) -> Result<(Job, Events), CalibreError> {
  let query = text_or_file(&args.query, "--query")?;
  let variables = match &args.variables {
    None => Map::new(),
    Some(raw) => match serde_json::from_str::<Value>(&text_or_file(raw, "--variables")?) {
      Ok(Value::Object(map)) => map,
      _ => {
        return Err(CalibreError::invalid_argument(
          "request",
          "--variables must be a JSON object, e.g. '{\"slug\":\"my-site\"}'.",
        ))
      }
    },
  };
  let session = call.session_as("request")?;
  let events = Some(Arc::clone(&session.events));
  let op = Operation {
    query: query.into(),
    variables,
    extract: Extract::Data,
  };
  let job: Job = Box::pin(async move {
    let data: Value = session.execute_value(&op).await?;
    term.out(&print_json(&data, args.json));
    Ok(0)
  });
  Ok((job, events))
}

pub(super) fn print_json(value: &Value, compact: bool) -> String {
  if compact {
    value.to_string()
  } else {
    serde_json::to_string_pretty(value).expect("JSON serializes")
  }
}

fn human_duration(ms: f64) -> String {
  let minutes = (ms / 60_000.0).round() as u64;
  match minutes {
    0 => "less than a minute".to_owned(),
    1..=119 => format!("{minutes} min"),
    120..=2879 => format!("{} h", minutes / 60),
    _ => format!("{} days", minutes / 1440),
  }
}
