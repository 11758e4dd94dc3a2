//! What each command does. Reading inputs and local files happens here, on the JS thread;
//! anything that talks to Calibre becomes a `Job` for the runtime.

use std::io::Read;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::calibre;
use super::context::{self, Ctx};
use super::term::Term;
use super::{json, Command, Job, RequestArgs, TokenCommand};
use crate::auth::{
  env_token_set, list_profiles, remove_stored_token, status_report, store_user_token, use_profile,
  Place, StoreRequest, TokenList,
};
use crate::call::Call;
use crate::error::{CalibreError, TokenSource};
use crate::graphql::{Extract, Operation};
use crate::session;

type Events = Option<session::Events>;

fn done(code: i32) -> Job {
  Box::pin(async move { Ok(code) })
}

pub(super) fn prepare(
  command: Command,
  call: &Call,
  term: Term,
  js: napi::Env,
) -> Result<(Job, Events), CalibreError> {
  match command {
    Command::Token(TokenCommand::Set {
      token,
      keyring,
      command,
      host,
    }) => {
      let place = match command {
        Some(line) => Place::Command(line),
        None if keyring => Place::Keyring,
        None => Place::File,
      };
      token_set(token.as_deref(), place, host, call, term).map(|code| (done(code), None))
    }
    Command::Token(TokenCommand::Remove) => {
      let profile = call.client.profile();
      let (_, removed) = remove_stored_token(profile, "token remove", &call.env)?;
      let what = match profile {
        Some(name) => format!("Profile \"{name}\""),
        None => "API Token".to_owned(),
      };
      if removed {
        term.out(&format!("{} {what} removed.", term.green("✔")));
      } else {
        term.out(&format!("{} {what} is not set.", term.red("✖")));
      }
      Ok((done(0), None))
    }
    Command::Token(TokenCommand::List { json }) => {
      let list = list_profiles(&call.env)?;
      if json {
        term.out(&serde_json::to_string_pretty(&list).expect("a list serializes"));
      } else {
        print_profiles(&list, term);
      }
      Ok((done(0), None))
    }
    Command::Token(TokenCommand::Use { name }) => {
      let file = use_profile(&name, "token use", &call.env)?;
      term.out(&format!(
        "{} Profile \"{}\" is now the default (in {}).",
        term.green("✔"),
        name.trim(),
        file.path().display()
      ));
      Ok((done(0), None))
    }
    Command::Token(TokenCommand::Status { check, json }) => {
      let session = call.session_as("token status")?;
      let events = Some(Arc::clone(&session.events));
      let job: Job = Box::pin(async move {
        session.token().await?;
        let outcome = if check {
          Some(session.check_token().await)
        } else {
          None
        };
        let token = session.token().await?;
        let report = status_report(&token, outcome, session.config_file.as_ref());
        if json {
          term.out(&serde_json::to_string_pretty(&report).expect("a report serializes"));
        } else {
          let from = match &token.source {
            TokenSource::Env => "CALIBRE_API_TOKEN".to_owned(),
            other => other.describe(),
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
        let token = session.token().await?;
        let info = session.refresh(&token, false).await?;
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
    Command::Completions { shell } => {
      let command = <super::Cli as clap::CommandFactory>::command();
      term.out(super::completions::script(shell, &command).trim_end());
      Ok((done(0), None))
    }
    command => calibre_command(command, &Ctx { call, term, js }),
  }
}

/// The commands of calibre@7's `calibre` CLI.
fn calibre_command(command: Command, ctx: &Ctx) -> context::Prepared {
  match command {
    Command::Site(c) => calibre::site(c, ctx),
    Command::Synthetic(c) => calibre::synthetic(c, ctx),
    Command::Deploy(c) => calibre::deploy(c, ctx),
    Command::Crux(c) => calibre::crux(c, ctx),
    Command::Rum(c) => calibre::rum(c, ctx),
    Command::Test(c) => calibre::test(c, ctx),
    Command::Team(c) => calibre::team(c, ctx),
    Command::MetricList(a) => calibre::metric_list(a, ctx),
    Command::Token(_) | Command::Request(_) | Command::Completions { .. } => {
      unreachable!("handled by prepare")
    }
  }
}

fn token_set(
  raw: Option<&str>,
  place: Place,
  host: Option<String>,
  call: &Call,
  term: Term,
) -> Result<i32, CalibreError> {
  let raw = match raw {
    Some("-") => {
      let mut input = String::new();
      std::io::stdin().read_to_string(&mut input).map_err(|e| {
        CalibreError::invalid_argument(
          "token set",
          format!("could not read the token from standard input ({e})."),
        )
      })?;
      Some(input)
    }
    other => other.map(str::to_owned),
  };
  let request = StoreRequest {
    profile: call.client.profile(),
    place,
    host,
  };
  let stored = store_user_token(raw.as_deref(), &request, "token set", &call.env)?;
  let whose = match &stored.profile {
    Some(name) => format!("Profile \"{name}\""),
    None => "API Token".to_owned(),
  };
  let path = stored.file.path().display();
  term.out(&match stored.store {
    "keyring" => format!(
      "{} {whose} saved to the OS keyring (recorded in {path})",
      term.green("✔")
    ),
    "command" => format!(
      "{} {whose} will run its command for the token (saved to {path})",
      term.green("✔")
    ),
    _ => format!("{} {whose} saved to {path}", term.green("✔")),
  });
  if stored.profile.is_none() && env_token_set(&call.env) {
    term.err(&term.yellow("Warning: CALIBRE_API_TOKEN is set and takes precedence over the stored token; unset it to use the stored one."));
  }
  Ok(0)
}

/// `token list` as a table: one profile per line, the default marked with `*`.
fn print_profiles(list: &TokenList, term: Term) {
  term.out(&term.dim(&format!("Profiles in {}", list.path)));
  for profile in &list.profiles {
    let mark = if profile.default { "*" } else { " " };
    let mut line = format!(
      "{mark} {:<16} {:<8} {:<8}",
      profile.name,
      profile.store,
      profile.masked.as_deref().unwrap_or("-")
    );
    if let Some(at) = &profile.expires_at {
      line.push_str(&format!(" expires {at}"));
    }
    if let Some(host) = &profile.host {
      line.push_str(&format!(" {host}"));
    }
    if let Some(problem) = &profile.problem {
      line.push_str(&format!(" ({})", term.red(problem)));
    }
    term.out(line.trim_end());
  }
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
  let mut variables = match &args.variables {
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
  variables.extend(args.named);
  let session = call.session_as("request")?;
  let events = Some(Arc::clone(&session.events));
  let op = Operation {
    query: query.into(),
    variables,
    extract: Extract::Data,
  };
  let job: Job = Box::pin(async move {
    // calibre@7's `request` always starts its spinner ("- Connecting to Calibre" off a terminal).
    let spinner = !args.json;
    if spinner {
      term.spin("Connecting to Calibre");
    }
    let data = context::execute(&session, &op).await;
    if spinner {
      match &data {
        Ok(_) => term.spin_stop(),
        Err(_) => term.fail("Connecting to Calibre"),
      }
    }
    let data: Value = data?;
    // Without --json, `JSON.stringify(data, null, 2)` like calibre@7's `request`.
    term.out(&if args.json {
      json::compact(&data)
    } else {
      json::pretty(&data)
    });
    Ok(0)
  });
  Ok((job, events))
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
