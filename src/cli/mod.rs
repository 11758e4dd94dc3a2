//! The `calibre-native` command. Parsed with clap and run here, in Rust; `bin/calibre-native.js`
//! only hands it `process.argv` and sets the exit code.
//!
//! Exit codes (documented in the README):
//! 0 success · 1 no usable token (missing, invalid, or a failed `token status --check`) ·
//! 2 usage or invalid argument · 3 token refused (401/403) · 4 GraphQL error ·
//! 5 network, timeout, rate limit or unexpected response · 6 config file unreadable or corrupt ·
//! 130 interrupted.

mod artifacts;
mod calibre;
mod columns;
mod commands;
mod completions;
mod context;
mod cookies;
mod dates;
mod formatters;
mod human;
mod json;
mod markdown;
mod term;
mod tree;

use clap::{Args, Parser, Subcommand};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::call::{launch, Call};
use crate::config::{self, default_client};
use crate::env::Env as EnvVars;
use crate::error::{CalibreError, ErrorCode};
use crate::session::{Events, TokenEvent};
use term::Term;

const AFTER_HELP: &str = "\
Token sources, first found wins: --profile NAME (or CALIBRE_PROFILE), CALIBRE_API_TOKEN,
CALIBRE_API_TOKEN_FILE, CALIBRE_TOKEN_COMMAND, the default profile (`token use`), then the file the
official `calibre` CLI writes (${XDG_CONFIG_HOME:-~/.config}/configstore/calibre.json) or the OS
keyring (`token set --keyring`). CALIBRE_HOST points at another API host.

Examples:
  printf '%s' \"$TOKEN\" | calibre-native token set -
  calibre-native token status --check
  calibre-native site list --json
  calibre-native request --query '{ organisation { sites { slug } } }'
  calibre-native test create --url https://example.com --location NorthVirginia --wait";

/// Calibre API tokens and quick API calls, from the command line.
#[derive(Parser)]
#[command(name = "calibre-native", version, about, after_help = AFTER_HELP)]
struct Cli {
  /// Use this profile's token and host (see `token list`); beats CALIBRE_PROFILE and the
  /// environment's tokens
  #[arg(long, global = true, value_name = "NAME")]
  profile: Option<String>,
  #[command(subcommand)]
  command: Command,
}

#[derive(Subcommand)]
enum Command {
  /// Manage your Sites.
  #[command(
    subcommand,
    after_help = "Examples:\n  calibre-native site list --json\n  calibre-native site create \"My Site\" --url https://example.com --location NorthVirginia"
  )]
  Site(tree::SiteCommand),
  /// Synthetic monitoring — manage scheduled Lighthouse tests, Pages, Test Profiles, Snapshots, and Pull Request Reviews.
  #[command(
    subcommand,
    after_help = "Examples:\n  calibre-native synthetic snapshots --site my-site --json\n  calibre-native synthetic metrics --site my-site --30-day --csv"
  )]
  Synthetic(tree::SyntheticCommand),
  /// Manage deployment markers — annotate your performance charts across Synthetic, CrUX, and RUM data.
  #[command(
    subcommand,
    after_help = "Example:\n  calibre-native deploy create --site my-site --revision \"$GITHUB_SHA\" --json"
  )]
  Deploy(tree::DeployCommand),
  /// Chrome UX Report (CrUX) — real-world performance data from Chrome users.
  #[command(
    subcommand,
    after_help = "Example:\n  calibre-native crux summary --site my-site --formFactor phone"
  )]
  Crux(tree::CruxCommand),
  /// Real User Metrics (RUM) — field performance data from your real users.
  #[command(
    subcommand,
    after_help = "Example:\n  calibre-native rum summary --site my-site --duration 30 --json"
  )]
  Rum(tree::RumCommand),
  /// Run Single Page Tests, list them, show their results and download their artifacts.
  #[command(
    subcommand,
    after_help = "Examples:\n  calibre-native test create https://example.com --location NorthVirginia --json\n  calibre-native test list"
  )]
  Test(tree::TestCommand),
  /// Use the team command to manage Teams.
  #[command(subcommand, after_help = "Example:\n  calibre-native team list --json")]
  Team(tree::TeamCommand),
  /// Use the token command to store or revoke a Calibre API token (and to inspect or refresh it).
  /// You can also save your token with the CALIBRE_API_TOKEN environment variable.
  #[command(
    subcommand,
    after_help = "Examples:\n  printf '%s' \"$TOKEN\" | calibre-native token set -\n  calibre-native token status --check\n  calibre-native token refresh\n  calibre-native token remove"
  )]
  Token(TokenCommand),
  /// Send a GraphQL document and print its `data`
  #[command(
    after_help = "Variables: --variables '<JSON object>' or @file, and/or named flags as in calibre@7 (--slug=my-site).\n\nExamples:\n  calibre-native request --query '{ organisation { sites { slug } } }'\n  calibre-native request --query @query.graphql --variables '{\"slug\":\"my-site\"}' --json\n  calibre-native request --query \"$(cat query.gql)\" --slug=my-site"
  )]
  Request(RequestArgs),
  /// List available web performance metrics. Returns synthetic metrics by default.
  #[command(after_help = "Example:\n  calibre-native metric-list --type rum --json")]
  MetricList(tree::MetricList),
  /// Print a shell completion script (bash, zsh or fish)
  #[command(
    after_help = "Examples:\n  calibre-native completions bash > /etc/bash_completion.d/calibre-native\n  echo 'source <(calibre-native completions zsh)' >> ~/.zshrc\n  calibre-native completions fish > ~/.config/fish/completions/calibre-native.fish"
  )]
  Completions {
    /// The shell
    #[arg(value_enum)]
    shell: completions::Shell,
  },
}

#[derive(Subcommand)]
enum TokenCommand {
  /// Store your API Token to use the CLI (saved in ~/.config/configstore/calibre.json, shared with
  /// the official `calibre` CLI; $XDG_CONFIG_HOME replaces ~/.config when set), or in the OS
  /// keyring (--keyring), or as a profile (--profile NAME, with --command or --host)
  #[command(
    after_help = "Examples:\n  printf '%s' \"$TOKEN\" | calibre-native token set -    # keeps it out of shell history\n  printf '%s' \"$TOKEN\" | calibre-native token set --keyring -\n  printf '%s' \"$TOKEN\" | calibre-native token set --profile work --keyring --host https://api.calibreapp.com -\n  calibre-native token set --profile ci --command \"op read op://Private/Calibre/credential\""
  )]
  Set {
    /// The token, or `-` to read it from standard input (none with --command)
    #[arg(required_unless_present = "command")]
    token: Option<String>,
    /// Keep the token in the OS keyring (Secret Service, Keychain, Credential Manager); the
    /// config file records only that it is there
    #[arg(long, conflicts_with = "command")]
    keyring: bool,
    /// A command that prints the token (with --profile), e.g. a password manager's CLI
    #[arg(
      long,
      value_name = "COMMAND",
      requires = "profile",
      conflicts_with = "token"
    )]
    command: Option<String>,
    /// The profile's API host (with --profile)
    #[arg(long, value_name = "URL", requires = "profile")]
    host: Option<String>,
  },
  /// List the profiles: where each token lives (masked), its known expiry and host, the default
  #[command(
    after_help = "Examples:\n  calibre-native token list\n  calibre-native token list --json"
  )]
  List {
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
  },
  /// Use profile NAME when none is named (`default`: the token the official CLI reads)
  #[command(
    after_help = "Examples:\n  calibre-native token use work\n  calibre-native token use default"
  )]
  Use {
    /// The profile
    name: String,
  },
  /// Remove the saved API Token used for CLI commands (from ~/.config/configstore/calibre.json;
  /// writes `"token": null`, like `calibre token remove`, and deletes a keyring item), or with
  /// --profile, that profile
  #[command(after_help = "Example:\n  calibre-native token remove")]
  Remove,
  /// Show where the token comes from, its known expiry, and (with --check) whether it works
  #[command(
    after_help = "Examples:\n  calibre-native token status\n  calibre-native token status --check --json\n\nExits 1 when there is no usable token."
  )]
  Status {
    /// Make one cheap authenticated request and report valid / expired / ip-not-allowed / invalid
    #[arg(long)]
    check: bool,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
  },
  /// Refresh the token for the duration it was created with (POST /api/refresh_token)
  #[command(
    after_help = "Examples:\n  calibre-native token refresh\n  calibre-native token refresh --json"
  )]
  Refresh {
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
  },
}

#[derive(Args)]
struct RequestArgs {
  /// The GraphQL document, or @file to read it from a file
  #[arg(long)]
  query: String,
  /// Variables as a JSON object, or @file
  #[arg(long)]
  variables: Option<String>,
  /// Print compact JSON on one line
  #[arg(long)]
  json: bool,
  /// calibre@7's named variables (`--slug=my-site`), collected before clap reads the rest
  #[arg(skip)]
  named: Vec<(String, serde_json::Value)>,
}

/// Maps an error class to the documented exit code.
fn exit_code(code: ErrorCode) -> i32 {
  use ErrorCode::*;
  match code {
    TokenMissing | TokenInvalid | KeyringUnavailable | TokenCommandFailed => 1,
    InvalidArgument => 2,
    Unauthorized | TokenExpired | IpNotAllowed | Forbidden => 3,
    GraphqlError => 4,
    RateLimited | HttpError | InvalidResponse | NetworkError | Timeout => 5,
    ConfigCorrupt | ConfigAccess => 6,
    Aborted => 130,
  }
}

/// What a command does once its inputs are read: a future for the runtime.
type Job = std::pin::Pin<
  Box<dyn std::future::Future<Output = std::result::Result<i32, CalibreError>> + Send>,
>;

/// Runs the `calibre-native` command with `argv` (without `node` and the script) and
/// resolves to the process exit code. Used by the package's `bin` shim only, so it is left out
/// of the typings.
#[napi(skip_typescript)]
pub fn run_cli<'env>(env: &'env Env, argv: Vec<String>) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  // The CLI runs in Node too: its environment is `process.env`, like every call's.
  let call = Call::plain(env, default_client(), "calibre-native");
  let term = Term::detect(&call.env);
  let (argv, notice) = follow_deprecated_names(argv, &call.env);
  let (argv, named) = split_request_variables(argv);
  let words = argv.clone();
  let cli = match Cli::try_parse_from(std::iter::once("calibre-native".to_owned()).chain(argv)) {
    Ok(mut cli) => {
      // calibre@7 prints it from the command's handler: after its arguments were accepted.
      if let Some(notice) = notice {
        term.err(&term.yellow(&notice));
      }
      if let Command::Request(request) = &mut cli.command {
        request.named = named;
      }
      cli
    }
    Err(err) => {
      let code = if err.use_stderr() { 2 } else { 0 };
      match yargs_message(&err) {
        // calibre@7's (yargs') words, then the command's help, as its `fail` handler prints them.
        Some(message) => term.err(&format!(
          "\n\n {} \n\n {}",
          term.chain(&[("1", "22"), ("31", "39")], &message),
          command_help(&words).trim_end()
        )),
        None => {
          let _ = err.print();
        }
      }
      return resolve_code(env, Ok(Box::pin(async move { Ok(code) })), term, None);
    }
  };
  let call = match cli.profile {
    Some(profile) => {
      match config::ClientConfig::for_profile(profile.trim().to_owned(), "--profile") {
        Ok(client) => Call::plain(env, std::sync::Arc::new(client), "calibre-native"),
        Err(err) => return resolve_code(env, Err(err), term, None),
      }
    }
    None => call,
  };
  let prepared = commands::prepare(cli.command, &call, term, *env);
  let events = prepared
    .as_ref()
    .ok()
    .and_then(|(_, events)| events.clone());
  let job = prepared.map(|(job, _)| job);
  resolve_code(env, job, term, events)
}

/// What yargs says for a missing argument, a missing value or a missing subcommand.
fn yargs_message(err: &clap::Error) -> Option<String> {
  use clap::error::{ContextKind, ContextValue, ErrorKind};
  let names = |value: Option<&ContextValue>| -> Vec<String> {
    let list = match value {
      Some(ContextValue::Strings(list)) => list.clone(),
      Some(ContextValue::String(one)) => vec![one.clone()],
      _ => Vec::new(),
    };
    list
      .iter()
      .map(|a| {
        let name = a.trim_start_matches('-');
        name.split([' ', '=']).next().unwrap_or(name).to_owned()
      })
      .collect()
  };
  match err.kind() {
    ErrorKind::MissingRequiredArgument => {
      let missing = err.get(ContextKind::InvalidArg);
      let all = names(missing);
      let positional = all.iter().filter(|n| n.starts_with('<')).count();
      if positional > 0 {
        // yargs checks the positional arguments first.
        return Some(format!(
          "Not enough non-option arguments: got 0, need at least {positional}"
        ));
      }
      let flags: Vec<&String> = all.iter().collect();
      let flags: Vec<&str> = flags.iter().map(|n| n.as_str()).collect();
      Some(if flags.len() == 1 {
        format!("Missing required argument: {}", flags[0])
      } else {
        format!("Missing required arguments: {}", flags.join(", "))
      })
    }
    ErrorKind::InvalidValue if matches!(err.get(ContextKind::InvalidValue), Some(ContextValue::String(v)) if v.is_empty()) =>
    {
      let name = names(err.get(ContextKind::InvalidArg)).into_iter().next()?;
      Some(format!("Not enough arguments following: {name}"))
    }
    ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
      Some("Not enough non-option arguments: got 0, need at least 1".to_owned())
    }
    _ => None,
  }
}

/// The help of the (sub)command `words` name, as `--help` prints it.
fn command_help(words: &[String]) -> String {
  use clap::CommandFactory;
  let mut command = Cli::command();
  command.build();
  let mut current = &mut command;
  for word in words.iter().filter(|w| !w.starts_with('-')) {
    let found = current
      .get_subcommands()
      .any(|c| c.get_name() == word || c.get_all_aliases().any(|a| a == word));
    if !found {
      break;
    }
    current = current
      .find_subcommand_mut(word)
      .expect("the subcommand was just found");
  }
  current.render_help().to_string()
}

/// calibre@7's deprecated names (`site pages`, `device-list`, ...) run their new command after
/// calibre@7's notice on stderr (unless `CALIBRE_SUPPRESS_DEPRECATIONS` is set).
fn follow_deprecated_names(argv: Vec<String>, env: &dyn EnvVars) -> (Vec<String>, Option<String>) {
  for (old, new) in tree::DEPRECATED {
    if argv.len() >= old.len() && argv.iter().zip(old.iter()).all(|(a, o)| a == o) {
      let notice = env.var("CALIBRE_SUPPRESS_DEPRECATIONS").is_none().then(|| {
        format!(
          "[calibre:deprecated] \"{}\" has moved to \"{}\"",
          old.join(" "),
          new.join(" ")
        )
      });
      let rest = argv[old.len()..].iter().cloned();
      return (
        new.iter().map(|s| (*s).to_owned()).chain(rest).collect(),
        notice,
      );
    }
  }
  (argv, None)
}

/// calibre@7's `request` sends every flag other than `--query` as a GraphQL variable
/// (`--slug=my-site`, `--count 5`), read as yargs reads an untyped option. Those flags are
/// taken out here; clap reads the rest.
fn split_request_variables(argv: Vec<String>) -> (Vec<String>, Vec<(String, serde_json::Value)>) {
  const OURS: [&str; 5] = ["query", "variables", "json", "help", "version"];
  if argv.first().map(String::as_str) != Some("request") {
    return (argv, Vec::new());
  }
  let mut kept = Vec::new();
  let mut named = Vec::new();
  let mut args = argv.into_iter().peekable();
  while let Some(arg) = args.next() {
    let Some(flag) = arg.strip_prefix("--").filter(|f| !f.is_empty()) else {
      kept.push(arg);
      continue;
    };
    let (name, inline) = match flag.split_once('=') {
      Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
      None => (flag.to_owned(), None),
    };
    if OURS.contains(&name.as_str()) {
      kept.push(arg);
      if inline.is_none() && name != "json" && name != "help" && name != "version" {
        kept.extend(args.next());
      }
      continue;
    }
    let value = match inline {
      Some(value) => json::coerce(&value),
      None => match args.next_if(|next| !next.starts_with('-') || next.parse::<f64>().is_ok()) {
        Some(value) => json::coerce(&value),
        None => serde_json::Value::Bool(true),
      },
    };
    named.push((name, value));
  }
  (kept, named)
}

fn resolve_code<'env>(
  env: &'env Env,
  job: std::result::Result<Job, CalibreError>,
  term: Term,
  events: Option<Events>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  let report = move |_: &Env, events: Vec<TokenEvent>| {
    for event in events {
      if let TokenEvent::RefreshFailed(err) = event {
        term.err(&term.yellow(&format!(
          "Warning: automatic token refresh failed: {}",
          err.message
        )));
      }
    }
  };
  // Every failure becomes an exit code: the work itself never fails.
  let work = async move {
    Ok(match job {
      Ok(job) => job.await,
      Err(err) => Err(err),
    })
  };
  launch(env, None, events, report, work, move |env, result| {
    let code = match result {
      Ok(code) => {
        context::finish(env);
        code
      }
      Err(err) => {
        term.err(&format!("{} {}", term.red("✖"), err.message));
        exit_code(err.code)
      }
    };
    env
      .create_int32(code)
      .map(|v| v.to_unknown())
      .map_err(|e| CalibreError::new(ErrorCode::InvalidResponse, e.reason))
  })
}
