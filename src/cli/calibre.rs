//! The commands of calibre@7's `calibre` CLI. Each one builds the argument object calibre@7's
//! command hands its API function, runs that operation of `src/api` (the same documents and
//! variables as the Node API), and prints `--json` exactly as calibre@7 does
//! (`JSON.stringify(result, null, 2)`); human output is ours.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::ValueEnum;
use serde_json::{Map, Value};

use super::context::{self, execute, parse_duration, Clock, Ctx, Prepared};
use super::formatters as fmt;
use super::human;
use super::json::{self, coerce, object};
use super::term::Term;
use super::tree::*;
use super::{artifacts, cookies, dates};
use crate::api::{
  agent, connection, crux, deploy, device, page, poll, pull_request_review, rum, site, snapshot,
  snapshot_metrics, test, test_profile, time_series,
};
use crate::env::Env;
use crate::error::{CalibreError, ErrorCode};
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::session::Session;

/// From this size on, an answer shows a progress line on a terminal.
const LARGE_TRANSFER: u64 = 4 << 20;

impl Ctx<'_> {
  /// Local wall-clock time to ms since the epoch, as JS `Date` computes it (`process.env.TZ`).
  fn local_ms(&self, [year, month, day, hour, minute, second]: [i32; 6]) -> Option<f64> {
    let script = format!(
      "(() => {{ const d = new Date(0); d.setFullYear({year}, {}, {day}); d.setHours({hour}, {minute}, {second}, 0); return d.getTime() }})()",
      month - 1
    );
    self
      .js
      .run_script::<_, f64>(script)
      .ok()
      .filter(|ms| ms.is_finite())
  }

  /// Runs `work` with a session for `function` (the command's name in error messages). An
  /// answer larger than `LARGE_TRANSFER` shows a progress line on a terminal while it arrives.
  pub fn run<F, Fut>(&self, function: &'static str, work: F) -> Prepared
  where
    F: FnOnce(Session, Term) -> Fut,
    Fut: Future<Output = Result<i32, CalibreError>> + Send + 'static,
  {
    let meter = Arc::new(self.term.meter("Receiving", LARGE_TRANSFER));
    let slot = meter.add();
    let session = self
      .call
      .session_as(function)?
      .with_progress(Arc::new(move |bytes, total| {
        meter.update(slot, bytes, total)
      }));
    let events = Some(Arc::clone(&session.events));
    Ok((Box::pin(work(session, self.term)), events))
  }

  /// One operation; `--json` prints its result as calibre@7 does, else "Connecting to Calibre"
  /// goes to stderr first (ora's line) and `view` prints the result on the JS thread.
  fn show(
    &self,
    function: &'static str,
    op: Result<Operation, CalibreError>,
    json: bool,
    view: View,
  ) -> Prepared {
    let op = op?;
    self.run(function, move |session, term| async move {
      let value = fetch(&session, &op, term, !json).await?;
      if json {
        term.out(&json::pretty(&value));
      } else {
        later(term, move |term, clock| view(&value, term, clock));
      }
      Ok(0)
    })
  }
}

/// What prints a command's result (on the JS thread, with local time).
type View = Box<dyn FnOnce(&Value, Term, &Clock) + Send>;

fn view(f: fn(&Value, Term)) -> View {
  Box::new(move |v, term, _| f(v, term))
}

fn dated(f: fn(&Value, Term, &Clock)) -> View {
  Box::new(f)
}

/// ora's `spinner.succeed(message)` of the result.
fn done(message: impl FnOnce(&Value) -> String + Send + 'static) -> View {
  Box::new(move |v, term, _| term.succeed(&message(v)))
}

/// Runs `op`; with `spinner`, ora's "Connecting to Calibre" line before and its `✖` on failure.
async fn fetch(
  session: &Session,
  op: &Operation,
  term: Term,
  spinner: bool,
) -> Result<Value, CalibreError> {
  if spinner {
    term.spin(CONNECTING);
  }
  let result = execute(session, op).await;
  if spinner && result.is_err() {
    term.fail(CONNECTING);
  }
  result
}

const CONNECTING: &str = "Connecting to Calibre";

/// Prints on the JS thread once the job is done (the spinner stopped first).
fn later(term: Term, render: impl FnOnce(Term, &Clock) + Send + 'static) {
  context::later(Box::new(move |clock| {
    term.spin_stop();
    render(term, clock);
  }));
}

fn args(
  function: &'static str,
  entries: impl IntoIterator<Item = (&'static str, Option<Value>)>,
) -> Args {
  Args::from_map(function, object(entries))
}

fn s(value: &str) -> Option<Value> {
  Some(Value::String(value.to_owned()))
}

fn opt(value: &Option<String>) -> Option<Value> {
  value.as_deref().and_then(s)
}

fn enum_name<T: ValueEnum>(value: &T) -> String {
  value
    .to_possible_value()
    .map(|v| v.get_name().to_owned())
    .unwrap_or_default()
}

fn invalid(function: &str, message: impl Into<String>) -> CalibreError {
  CalibreError::invalid_argument(function, message.into())
}

/// `new URL(value)` must not throw (calibre@7 checks URLs before any request).
fn check_url(function: &str, value: &str, message: &str) -> Result<(), CalibreError> {
  reqwest::Url::parse(value)
    .map(drop)
    .map_err(|_| invalid(function, format!("{message} (got {value:?}).")))
}

/// calibre@7 refuses a deletion without `--confirm` when stdout is a terminal.
fn confirm(function: &str, term: Term, confirmed: bool, what: &str) -> Result<(), CalibreError> {
  if term.stdout_tty() && !confirmed {
    return Err(invalid(
      function,
      format!(
        "Add the --confirm flag to confirm the immediate and irreversible deletion of this {what}."
      ),
    ));
  }
  Ok(())
}

pub fn site(command: SiteCommand, ctx: &Ctx) -> Prepared {
  use SiteCommand as S;
  match command {
    S::Create(a) => site_create(a, ctx),
    S::List(a) => ctx.show(
      "site list",
      Ok(site::list_op()),
      a.json,
      dated(human::sites),
    ),
    S::Delete(a) => {
      const F: &str = "site delete";
      confirm(F, ctx.term, a.confirm, "Site")?;
      let op = site::destroy_op(&args(F, [("slug", s(&a.slug))]));
      ctx.show(
        F,
        op,
        a.out.json,
        done(|v| format!("Site deleted: {}", human::js(v, "name"))),
      )
    }
  }
}

fn site_create(a: SiteCreate, ctx: &Ctx) -> Prepared {
  const F: &str = "site create";
  check_url(F, &a.url, "Please enter a valid URL")?;
  let profile = |name: &str, device: &str, connection: &str| {
    Value::Object(object([
      ("name", s(name)),
      ("device", s(device)),
      ("connection", s(connection)),
    ]))
  };
  let op = site::create_op(&args(
    F,
    [
      ("name", s(&a.name)),
      ("team", opt(&a.team)),
      (
        "pages",
        Some(Value::Array(vec![Value::Object(object([
          ("url", s(&a.url)),
          ("name", s("Home")),
        ]))])),
      ),
      (
        "agentSettings",
        Some(Value::Object(object([
          ("location", s(&a.location)),
          ("scheduleInterval", s(&a.schedule)),
          ("scheduleAnchor", Some(coerce(&a.interval))),
        ]))),
      ),
      (
        "testProfiles",
        Some(Value::Array(vec![
          profile("Chrome Desktop", "Desktop", "cable"),
          profile("iPhone, 4G LTE", "iPhone12", "LTE"),
          profile(
            "Motorola Moto G Power, 3G connection",
            "MotorolaMotoGPower",
            "regular3G",
          ),
        ])),
      ),
    ],
  ));
  ctx.show(
    F,
    op,
    a.out.json,
    done(|v| format!("{} added to Calibre", human::js(v, "name"))),
  )
}

pub fn synthetic(command: SyntheticCommand, ctx: &Ctx) -> Prepared {
  use SyntheticCommand as C;
  match command {
    C::Pages(a) => {
      const F: &str = "synthetic pages";
      let op = page::list_op(&list_args(F, &a));
      let site = a.site.site.clone();
      let view: View = Box::new(move |v, term, _| human::pages(v, term, &site));
      ctx.show(F, op, a.out.json, view)
    }
    C::CreatePage(a) => {
      const F: &str = "synthetic create-page";
      check_url(F, &a.url, "Please enter a valid URL")?;
      let op = page::create_op(&args(
        F,
        [
          ("site", s(&a.site.site)),
          ("name", s(&a.name)),
          ("url", s(&a.url)),
        ],
      ));
      ctx.show(
        F,
        op,
        a.out.json,
        done(|v| {
          format!(
            "Page added: {} ({})",
            human::js(v, "name"),
            human::js(v, "uuid")
          )
        }),
      )
    }
    C::UpdatePage(a) => {
      const F: &str = "synthetic update-page";
      if let Some(url) = &a.url {
        check_url(F, url, "Please enter a valid URL")?;
      }
      let op = page::update_op(&args(
        F,
        [
          ("site", s(&a.site.site)),
          ("uuid", s(&a.uuid)),
          ("name", opt(&a.name)),
          ("url", opt(&a.url)),
        ],
      ));
      ctx.show(
        F,
        op,
        a.out.json,
        done(|v| {
          format!(
            "Page updated: {} ({})",
            human::js(v, "name"),
            human::js(v, "uuid")
          )
        }),
      )
    }
    C::DeletePage(a) => {
      const F: &str = "synthetic delete-page";
      confirm(F, ctx.term, a.confirm, "Page")?;
      let op = page::destroy_op(&args(F, [("site", s(&a.site.site)), ("uuid", s(&a.uuid))]));
      ctx.show(
        F,
        op,
        a.out.json,
        done(|v| {
          format!(
            "Page deleted: {} ({})",
            human::js(v, "name"),
            human::js(v, "uuid")
          )
        }),
      )
    }
    C::Snapshots(a) => {
      const F: &str = "synthetic snapshots";
      let op = snapshot::list_op(&list_args(F, &a));
      let site = a.site.site.clone();
      let view: View = Box::new(move |v, term, clock| human::snapshots(v, term, clock, &site));
      ctx.show(F, op, a.out.json, view)
    }
    C::CreateSnapshot(a) => {
      const F: &str = "synthetic create-snapshot";
      let reference = a.reference.as_deref().map(coerce);
      let op = snapshot::create_op(&args(F, [("site", s(&a.site.site)), ("ref", reference)]));
      ctx.show(
        F,
        op,
        a.out.json,
        done(|v| format!("Snapshot created: {}", human::js(v, "iid"))),
      )
    }
    C::DeleteSnapshot(a) => {
      const F: &str = "synthetic delete-snapshot";
      confirm(F, ctx.term, a.confirm, "Snapshot")?;
      let op = snapshot::destroy_op(&args(
        F,
        [("site", s(&a.site.site)), ("id", Some(coerce(&a.id)))],
      ));
      ctx.show(
        F,
        op,
        a.out.json,
        done(|v| format!("Snapshot deleted: {}", human::js(v, "iid"))),
      )
    }
    C::DownloadArtifacts(a) => artifacts::snapshot(a, ctx),
    C::GetSnapshotMetrics(a) => snapshot_metrics(a, ctx),
    C::Metrics(a) => metrics(a, ctx),
    C::TestProfiles(a) => {
      const F: &str = "synthetic test-profiles";
      let op = test_profile::list_op(&args(F, [("site", s(&a.site.site))]));
      ctx.show(F, op, a.out.json, view(human::test_profiles))
    }
    C::CreateTestProfile(a) => {
      const F: &str = "synthetic create-test-profile";
      let cookies = cookies::read_jar(F, a.cookie_jar.as_deref())?;
      let op = test_profile::create_op(&args(
        F,
        [
          ("site", s(&a.site.site)),
          ("name", s(&a.name)),
          ("device", s(&a.device)),
          ("connection", opt(&a.connection)),
          ("cookies", Some(cookies)),
          ("javascript", Some(Value::Bool(a.javascript.value()))),
        ],
      ));
      let view: View = Box::new(|v, term, clock| {
        term.succeed("Created Test Profile");
        term.out(&human::test_profile(v, term, clock));
      });
      ctx.show(F, op, a.out.json, view)
    }
    C::UpdateTestProfile(a) => {
      const F: &str = "synthetic update-test-profile";
      let cookies = cookies::read_jar(F, a.cookie_jar.as_deref())?;
      let op = test_profile::update_op(&args(
        F,
        [
          ("uuid", s(&a.uuid)),
          ("site", s(&a.site.site)),
          ("device", opt(&a.device)),
          ("connection", opt(&a.connection)),
          ("cookies", Some(cookies)),
          ("javascript", Some(Value::Bool(a.javascript.value()))),
        ],
      ));
      let view: View = Box::new(|v, term, clock| {
        term.succeed(&format!(
          "Test Profile updated: {} ({})",
          human::js(v, "name"),
          human::js(v, "uuid")
        ));
        term.out(&human::test_profile(v, term, clock));
      });
      ctx.show(F, op, a.out.json, view)
    }
    C::DeleteTestProfile(a) => {
      const F: &str = "synthetic delete-test-profile";
      confirm(F, ctx.term, a.confirm, "Test Profile")?;
      let op =
        test_profile::destroy_op(&args(F, [("site", s(&a.site.site)), ("uuid", s(&a.uuid))]));
      ctx.show(
        F,
        op,
        a.out.json,
        done(|v| {
          format!(
            "Test Profile deleted: {} ({})",
            human::js(v, "name"),
            human::js(v, "uuid")
          )
        }),
      )
    }
    C::PullRequestReviews(a) => {
      const F: &str = "synthetic pull-request-reviews";
      let op = pull_request_review::list_op(&args(F, [("site", s(&a.site.site))]));
      ctx.show(F, op, a.out.json, dated(human::reviews))
    }
    C::CreatePullRequestReview(a) => create_review(a, ctx),
    C::PullRequestReview(a) => {
      const F: &str = "synthetic pull-request-review";
      let op = pull_request_review::branch_op(a.site.site.clone(), s(&a.branch));
      let (json, markdown) = (a.out.json, a.markdown);
      ctx.run(F, move |session, term| async move {
        let reviews = fetch(&session, &op, term, !json && !markdown).await?;
        term.spin_stop();
        // calibre@7: `const [response] = reviews`.
        let review = reviews.get(0).cloned();
        print_review(review.as_ref(), json, markdown, term);
        Ok(0)
      })
    }
    C::MetricList(a) => metric_list(a, ctx),
    C::Connections(a) => ctx.show(
      "synthetic connections",
      Ok(connection::list_op()),
      a.json,
      view(human::connections),
    ),
    C::Devices(a) => ctx.show(
      "synthetic devices",
      Ok(device::list_op()),
      a.json,
      view(human::devices),
    ),
    C::Locations(a) => ctx.show(
      "synthetic locations",
      Ok(agent::list_op()),
      a.json,
      view(human::locations),
    ),
  }
}

/// The `{ site, count, cursor }` of the paginated lists (yargs reads `--count 10` as a number).
fn list_args(function: &'static str, a: &PagesList) -> Args {
  args(
    function,
    [
      ("site", s(&a.site.site)),
      ("count", Some(coerce(&a.page.count))),
      ("cursor", opt(&a.page.cursor)),
    ],
  )
}

/// `console.log(JSON.stringify(x, null, 2))` of a value that may be `undefined`.
fn print_json_or_undefined(value: Option<&Value>, term: Term) {
  match value {
    Some(value) => term.out(&json::pretty(value)),
    None => term.out("undefined"),
  }
}

/// `console.log(review.markdownReport)`.
fn print_markdown(value: Option<&Value>, term: Term) {
  match value.and_then(|v| v.get("markdownReport")) {
    Some(Value::String(text)) => term.out(text),
    Some(other) => term.out(&json::pretty(other)),
    None => term.out("undefined"),
  }
}

fn print_review(review: Option<&Value>, json: bool, markdown: bool, term: Term) {
  if json {
    print_json_or_undefined(review, term);
  } else if markdown {
    print_markdown(review, term);
  } else {
    match review {
      // A queued review has no report yet (calibre@7 crashes in `marked()` there).
      Some(review) if review.get("markdownReport").is_none_or(Value::is_null) => {}
      Some(review) => human::report(review.get("markdownReport"), term),
      None => term.err("No Pull Request Review found for this branch."),
    }
  }
}

fn create_review(a: CreatePullRequestReview, ctx: &Ctx) -> Prepared {
  const F: &str = "synthetic create-pull-request-review";
  let config = match &a.config_path {
    Some(path) => Some(Value::String(std::fs::read_to_string(path).map_err(
      |e| invalid(F, format!("cannot read the --configPath file {path}: {e}")),
    )?)),
    None => None,
  };
  let op = pull_request_review::create_op(&args(
    F,
    [
      ("site", s(&a.site.site)),
      ("title", s(&a.title)),
      ("url", s(&a.url)),
      ("branch", s(&a.branch)),
      ("sha", s(&a.sha)),
      ("config", config),
    ],
  ))?;
  let wait = Waiting::from_args(F, &a.wait, &ctx.call.env)?;
  let poll = pull_request_review::branch_op(a.site.site.clone(), s(&a.branch));
  let (json, markdown) = (a.out.json, a.markdown);
  let (site, branch) = (a.site.site, a.branch);
  let (wait_for_result, fail_on_unmet) = (a.wait_for_result, a.fail_on_unmet_budget);
  ctx.run(F, move |session, term| async move {
    let human = !json && !markdown;
    let created = fetch(&session, &op, term, human).await?;
    if !wait_for_result {
      if human {
        term.succeed(&format!("Pull Request Review queued: {branch}."));
        term.out(&format!(
          "View progress by running `calibre synthetic pull-request-review {branch} --site={site}`"
        ));
      }
      print_review(Some(&created), json, markdown, term);
      return Ok(0);
    }
    if human {
      term.succeed(&format!("Pull Request Review queued: {branch}"));
      term.spin("Waiting for Pull Request Review to complete");
    }
    let review = wait
      .until_done(
        &session,
        term,
        "the Pull Request Review",
        &poll,
        |reviews| {
          // The newest review of the branch; none yet means "keep polling".
          Ok(reviews.get(0).cloned().unwrap_or(Value::Null))
        },
      )
      .await?;
    if human {
      term.succeed("Pull Request Review completed");
    }
    print_review(Some(&review), json, markdown, term);
    // calibre@7 looks for `unmet`; the API also answers `over_budget`.
    let unmet = matches!(
      review.get("metricBudgetStatus").and_then(Value::as_str),
      Some("unmet" | "over_budget")
    );
    if fail_on_unmet && unmet {
      term.err(&format!(
        "{} Pull Request Review failed due to unmet budget",
        term.error_symbol()
      ));
      return Ok(1);
    }
    Ok(0)
  })
}

fn snapshot_metrics(a: GetSnapshotMetrics, ctx: &Ctx) -> Prepared {
  const F: &str = "synthetic get-snapshot-metrics";
  let op = snapshot_metrics::snapshot_op(&args(
    F,
    [
      ("site", s(&a.site.site)),
      ("snapshotId", Some(coerce(&a.snapshot))),
    ],
  ))?;
  let (json, csv) = (a.out.json, a.csv);
  ctx.run(F, move |session, term| async move {
    let human = !json && !csv;
    let payload = fetch(&session, &op, term, human).await?;
    let not_found = |what: &str| {
      if human {
        term.fail(CONNECTING);
      }
      CalibreError::new(ErrorCode::GraphqlError, format!("{F}: {what}"))
    };
    let snapshot = match payload.get("snapshot") {
      Some(snapshot) if !snapshot.is_null() => snapshot,
      _ if payload.is_null() => return Err(not_found("Site not found")),
      _ => return Err(not_found("Snapshot not found")),
    };
    let tests = snapshot.get("tests").and_then(Value::as_array);
    if tests.is_none_or(|t| t.is_empty()) {
      return Err(not_found("No data found"));
    }
    if json {
      term.out(&json::pretty(&payload));
    } else if csv {
      term.out(&human::snapshot_metrics_csv(&payload));
    } else {
      later(term, move |term, clock| {
        human::snapshot_metrics(&payload, term, clock)
      });
    }
    Ok(0)
  })
}

fn metrics(a: Metrics, ctx: &Ctx) -> Prepared {
  const F: &str = "synthetic metrics";
  let list = |v: &Option<Vec<String>>| {
    v.as_ref()
      .map(|items| Value::Array(items.iter().map(|i| Value::String(i.clone())).collect()))
  };
  let local = |fields| ctx.local_ms(fields);
  let (from, to) = if a.thirty_day {
    let now = std::time::SystemTime::now();
    let from = dates::days_before(now, 30);
    (Some(dates::iso(from)), Some(dates::iso(now)))
  } else {
    (
      a.from.as_deref().map(|t| dates::parse_iso_value(t, &local)),
      a.to.as_deref().map(|t| dates::parse_iso_value(t, &local)),
    )
  };
  let op = time_series::list_op(&args(
    F,
    [
      ("site", s(&a.site.site)),
      ("pages", list(&a.pages)),
      ("measurements", list(&a.metrics)),
      ("profiles", list(&a.profiles)),
      ("from", from),
      ("to", to),
    ],
  ))?;
  let (json, csv) = (a.out.json, a.csv);
  ctx.run(F, move |session, term| async move {
    let mut series = fetch(&session, &op, term, !json && !csv).await?;
    // calibre@7: `const { csv, ...timeSeries } = result`.
    let text = match &mut series {
      Value::Object(map) => map.shift_remove("csv"),
      _ => None,
    };
    if csv {
      match text {
        Some(Value::String(text)) => term.out(&text),
        Some(other) => term.out(&json::pretty(&other)),
        None => term.out("undefined"),
      }
    } else if json {
      term.out(&json::pretty(&series));
    } else {
      term.spin_stop();
      human::time_series(&series, term);
    }
    Ok(0)
  })
}

const METRICS_QUERY: &str = r#"
  query {
    metrics {
      __typename
      name
      value
      label
      shortLabel
      budgetThreshold
      formatter
      docsPath
      goodStop
      poorStop
      recommended
      category {
        name
        label
      }
    }
  }
"#;

const CRUX_METRICS_QUERY: &str = r#"
  query {
    cruxMetrics {
      __typename
      name
      value
      label
      shortLabel
      budgetThreshold
      formatter
      docsPath
      goodStop
      poorStop
      recommended
      category {
        name
        label
      }
    }
  }
"#;

const RUM_METRICS_QUERY: &str = r#"
  query {
    rumMetrics {
      __typename
      name
      value
      label
      shortLabel
      budgetThreshold
      formatter
      docsPath
      goodStop
      poorStop
      recommended
    }
  }
"#;

const TEAMS_QUERY: &str = r#"
  query {
    organisation {
      teams {
        name
        description
        slug
      }
    }
  }
"#;

/// `metric-list` (calibre@7 `src/api/metric.js`, a CLI-only query; not part of the Node API).
pub fn metric_list(a: MetricList, ctx: &Ctx) -> Prepared {
  let op = match a.kind {
    None | Some(MetricType::Synthetic) => {
      Operation::new(METRICS_QUERY, Map::new(), Extract::Path(&["metrics"]))
    }
    Some(MetricType::Crux) => Operation::new(
      CRUX_METRICS_QUERY,
      Map::new(),
      Extract::Path(&["cruxMetrics"]),
    ),
    Some(MetricType::Rum) => Operation::new(
      RUM_METRICS_QUERY,
      Map::new(),
      Extract::Path(&["rumMetrics"]),
    ),
  };
  ctx.show("metric-list", Ok(op), a.out.json, view(human::metrics))
}

/// `team list` (calibre@7 `src/api/team.js`, a CLI-only query).
pub fn team(command: TeamCommand, ctx: &Ctx) -> Prepared {
  let TeamCommand::List(a) = command;
  let op = Operation::new(
    TEAMS_QUERY,
    Map::new(),
    Extract::Path(&["organisation", "teams"]),
  );
  ctx.show("team list", Ok(op), a.json, view(human::teams))
}

pub fn deploy(command: DeployCommand, ctx: &Ctx) -> Prepared {
  match command {
    DeployCommand::List(a) => {
      const F: &str = "deploy list";
      let op = deploy::list_op(&list_args(F, &a));
      let site = a.site.site.clone();
      let view: View = Box::new(move |v, term, clock| human::deploys(v, term, clock, &site));
      ctx.show(F, op, a.out.json, view)
    }
    DeployCommand::Create(a) => {
      const F: &str = "deploy create";
      let op = deploy::create_op(&args(
        F,
        [
          ("site", s(&a.site.site)),
          ("revision", opt(&a.revision)),
          ("repository", opt(&a.repository)),
          ("username", opt(&a.username)),
        ],
      ));
      ctx.show(
        F,
        op,
        a.out.json,
        done(|v| format!("Deploy created: {}", human::js(v, "uuid"))),
      )
    }
    DeployCommand::Delete(a) => {
      const F: &str = "deploy delete";
      confirm(F, ctx.term, a.confirm, "deploy")?;
      let op = deploy::destroy_op(&args(F, [("site", s(&a.site.site)), ("uuid", s(&a.uuid))]));
      ctx.show(
        F,
        op,
        a.out.json,
        done(|v| format!("Deploy deleted: {}", human::js(v, "uuid"))),
      )
    }
  }
}

pub fn crux(command: CruxCommand, ctx: &Ctx) -> Prepared {
  let form = |f: &Option<FormFactor>| f.as_ref().map(|f| Value::String(enum_name(f)));
  match command {
    CruxCommand::Summary(a) => {
      const F: &str = "crux summary";
      let op = crux::summary_op(&args(
        F,
        [
          ("site", s(&a.site.site)),
          ("formFactor", form(&a.form_factor)),
        ],
      ));
      ctx.show(F, op, a.out.json, view(human::crux_summary))
    }
    CruxCommand::Urls(a) => {
      const F: &str = "crux urls";
      let op = crux::urls_op(&args(
        F,
        [
          ("site", s(&a.site.site)),
          ("formFactor", form(&a.form_factor)),
        ],
      ));
      ctx.show(F, op, a.out.json, view(human::crux_urls))
    }
    CruxCommand::History(a) => {
      const F: &str = "crux history";
      let op = crux::history_op(&args(
        F,
        [
          ("site", s(&a.site.site)),
          ("formFactor", form(&a.form_factor)),
          ("timePeriod", Some(Value::String(enum_name(&a.time_period)))),
        ],
      ))?;
      let limit = a.limit;
      let view: View = Box::new(move |v, term, clock| human::crux_history(v, limit, term, clock));
      ctx.show(F, Ok(op), a.out.json, view)
    }
    CruxCommand::Url(a) => {
      const F: &str = "crux url";
      let h = &a.history;
      let op = crux::url_op(&args(
        F,
        [
          ("site", s(&h.site.site)),
          ("uuid", s(&a.uuid)),
          ("formFactor", form(&h.form_factor)),
          ("timePeriod", Some(Value::String(enum_name(&h.time_period)))),
        ],
      ))?;
      let limit = h.limit;
      let view: View = Box::new(move |v, term, clock| human::crux_url(v, limit, term, clock));
      ctx.show(F, Ok(op), h.out.json, view)
    }
  }
}

/// calibre@7 hands `rum.*` its whole argv; these are the keys its `buildFilter` and
/// `pages` read, in yargs' order.
fn rum_args(
  function: &'static str,
  site: &SiteArg,
  f: &RumFilter,
  extra: Vec<(&'static str, Option<Value>)>,
) -> Args {
  let mut entries = vec![
    ("site", s(&site.site)),
    ("duration", Some(json::to_number(&f.duration))),
    ("dateBin", Some(Value::String(enum_name(&f.date_bin)))),
    ("country", opt(&f.country)),
    (
      "device",
      f.device.as_ref().map(|d| Value::String(enum_name(d))),
    ),
    ("path", opt(&f.path)),
    ("pageGrouping", opt(&f.page_grouping)),
  ];
  entries.extend(extra);
  args(function, entries)
}

pub fn rum(command: RumCommand, ctx: &Ctx) -> Prepared {
  match command {
    RumCommand::Summary(a) => {
      const F: &str = "rum summary";
      let op = rum::summary_op(&rum_args(F, &a.site, &a.filter, vec![]));
      ctx.show(F, op, a.out.json, view(human::rum_summary))
    }
    RumCommand::History(a) => {
      const F: &str = "rum history";
      let op = rum::history_op(&rum_args(F, &a.site, &a.filter, vec![]))?;
      let limit = json::to_number(&a.limit).as_u64().unwrap_or(25) as usize;
      let view: View = Box::new(move |v, term, clock| human::rum_history(v, limit, term, clock));
      ctx.show(F, Ok(op), a.out.json, view)
    }
    RumCommand::Pages(a) => {
      const F: &str = "rum pages";
      let extra = vec![
        ("limit", Some(json::to_number(&a.limit))),
        ("offset", Some(json::to_number(&a.offset))),
        ("sortBy", s(&a.sort_by)),
      ];
      let op = rum::pages_op(&rum_args(F, &a.site, &a.filter, extra))?;
      let number = |v: &str| fmt::to_number(Some(&json::to_number(v)));
      let (site, limit, offset) = (a.site.site.clone(), number(&a.limit), number(&a.offset));
      let view: View = Box::new(move |v, term, _| human::rum_pages(v, term, &site, limit, offset));
      ctx.show(F, Ok(op), a.out.json, view)
    }
    RumCommand::Config(a) => {
      const F: &str = "rum config";
      let op = rum::config_op(&args(F, [("site", s(&a.site.site))]));
      ctx.show(F, op, a.out.json, view(human::rum_config))
    }
  }
}

pub fn test(command: TestCommand, ctx: &Ctx) -> Prepared {
  match command {
    TestCommand::Create(a) => test_create(*a, ctx),
    TestCommand::DownloadArtifacts(a) => artifacts::test(a, ctx),
    TestCommand::List(a) => ctx.show(
      "test list",
      Ok(test::list_op()),
      a.json,
      dated(human::tests),
    ),
    TestCommand::Show(a) => {
      const F: &str = "test show";
      let op = test::get_op(a.uuid);
      let (json, markdown) = (a.out.json, a.markdown);
      ctx.run(F, move |session, term| async move {
        let human = !json && !markdown;
        let value = fetch(&session, &op, term, human).await?;
        if json {
          term.out(&json::pretty(&value));
        } else if markdown {
          print_markdown(Some(&value), term);
        } else if value.is_null() {
          term.fail(CONNECTING);
          return Err(poll::not_found(F, "organisation.singlePageTest"));
        } else {
          term.spin_stop();
          human::report(value.get("markdownReport"), term);
        }
        Ok(0)
      })
    }
  }
}

/// `--headers`: JSON, else a JSON file; each object gives `{ name, value }` of its first key.
fn read_headers(function: &str, raw: &str) -> Result<Value, CalibreError> {
  let parsed = match serde_json::from_str::<Value>(raw) {
    Ok(value) => value,
    Err(_) => {
      let text = std::fs::read_to_string(raw).map_err(|e| {
        invalid(
          function,
          format!("--headers is neither JSON nor a readable JSON file ({raw}: {e})."),
        )
      })?;
      serde_json::from_str(&text)
        .map_err(|e| invalid(function, format!("--headers file {raw} is not JSON: {e}")))?
    }
  };
  let list = match parsed {
    Value::Array(items) => items,
    other => vec![other],
  };
  Ok(Value::Array(
    list
      .into_iter()
      .map(|header| {
        let first = header.as_object().and_then(|m| m.iter().next());
        Value::Object(object([
          ("name", first.map(|(k, _)| Value::String(k.clone()))),
          ("value", first.map(|(_, v)| v.clone())),
        ]))
      })
      .collect(),
  ))
}

/// `--blockedHosts`: a JSON array, a JSON file, or a comma-separated list.
fn read_blocked_hosts(raw: &str) -> Value {
  let parsed = serde_json::from_str::<Value>(raw).ok().or_else(|| {
    std::fs::read_to_string(raw)
      .ok()
      .and_then(|text| serde_json::from_str(&text).ok())
  });
  match parsed {
    Some(Value::Array(items)) => Value::Array(items),
    Some(other) => Value::Array(vec![other]),
    None => Value::Array(
      raw
        .split(',')
        .map(|host| Value::String(host.trim().to_owned()))
        .collect(),
    ),
  }
}

fn test_create(a: TestCreate, ctx: &Ctx) -> Prepared {
  const F: &str = "test create";
  let cookies = cookies::read_jar(F, a.cookie_jar.as_deref())?;
  let headers = match &a.headers {
    Some(raw) => read_headers(F, raw)?,
    None => Value::Array(Vec::new()),
  };
  let blocked = match &a.blocked_hosts {
    Some(raw) => read_blocked_hosts(raw),
    None => Value::Array(Vec::new()),
  };
  let url = a.url.or(a.url_flag).unwrap_or_default();
  check_url(F, &url, "Please enter a valid URL")?;
  if let Some(webhook) = &a.webhook_url {
    check_url(F, webhook, "Please enter a valid webhook URL")?;
  }
  if let Some(expires) = &a.expires_at {
    if dates::parse_js_date(expires, &|fields| ctx.local_ms(fields)).is_none() {
      return Err(invalid(
        F,
        "Please enter a valid `expiresAt` ISO8601 date time string",
      ));
    }
  }
  let op = test::create_op(&args(
    F,
    [
      ("url", Some(Value::String(url))),
      ("location", s(&a.location)),
      ("device", opt(&a.device)),
      ("connection", opt(&a.connection)),
      ("cookies", Some(cookies)),
      ("headers", Some(headers)),
      ("isPrivate", Some(Value::Bool(a.private))),
      ("webhookUrl", opt(&a.webhook_url)),
      ("webhookSecret", opt(&a.webhook_secret)),
      ("expiresAt", opt(&a.expires_at)),
      ("blockedHosts", Some(blocked)),
    ],
  ))?;
  let wait = Waiting::from_args(F, &a.wait, &ctx.call.env)?;
  let (json, markdown) = (a.out.json, a.markdown);
  let waits = json || markdown || a.wait_for_test;
  ctx.run(F, move |session, term| async move {
    let human = !json && !markdown;
    let created = fetch(&session, &op, term, human).await?;
    let link = human::js(&created, "formattedTestUrl");
    if !waits {
      term.succeed(&format!("Test scheduled: {link}"));
      return Ok(0);
    }
    let poll = test::get_op(human::text(&created, "uuid"));
    let result = wait
      .until_done(&session, term, "the test", &poll, |test| match test {
        Value::Null => Err(poll::not_found(F, "organisation.singlePageTest")),
        test => Ok(test),
      })
      .await?;
    if json {
      term.out(&json::pretty(&result));
    } else if markdown {
      print_markdown(Some(&result), term);
    } else if result.get("status").and_then(Value::as_str) == Some("completed") {
      term.succeed(&format!("Test complete: {link}"));
      human::report(result.get("markdownReport"), term);
    } else {
      term.fail("Test complete");
    }
    // A test that ended `errored` or `timeout` is a failed run.
    Ok(
      if result.get("status").and_then(Value::as_str) == Some("completed") {
        0
      } else {
        4
      },
    )
  })
}

/// `--timeout` and `--interval` of a wait, read before anything is sent.
struct Waiting {
  interval: Duration,
  limit: Option<Duration>,
  shown_limit: String,
}

impl Waiting {
  fn from_args(function: &str, a: &WaitArgs, env: &dyn Env) -> Result<Waiting, CalibreError> {
    let interval = match &a.interval {
      Some(raw) => parse_duration(function, "--interval", raw)?,
      // 5000 ms like calibre@7, unless CALIBRE_POLL_INTERVAL_MS says otherwise (tests, demos).
      None => Duration::from_millis(
        env
          .var("CALIBRE_POLL_INTERVAL_MS")
          .and_then(|v| v.parse().ok())
          .unwrap_or(5000),
      ),
    };
    let raw_limit = a.timeout.as_deref().unwrap_or("30m");
    let limit = parse_duration(function, "--timeout", raw_limit)?;
    Ok(Waiting {
      interval,
      limit: (!limit.is_zero()).then_some(limit),
      shown_limit: raw_limit.to_owned(),
    })
  }

  /// Polls `op` (calibre@7's sleep-then-fetch loop) until the item's status is terminal,
  /// showing the status: a spinner line on a TTY, one plain line per change otherwise.
  async fn until_done(
    &self,
    session: &Session,
    term: Term,
    what: &str,
    op: &Operation,
    item_of: fn(Value) -> Result<Value, CalibreError>,
  ) -> Result<Value, CalibreError> {
    let polls = AtomicUsize::new(0);
    let last = Mutex::new(String::new());
    let started = std::time::Instant::now();
    let wait = poll::Wait {
      interval: self.interval,
      limit: self.limit,
    };
    let result = wait
      .until_terminal(session.function, || {
        let (polls, last) = (&polls, &last);
        async move {
          let item = item_of(execute(session, op).await?)?;
          let status = item
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("not started")
            .to_owned();
          let changed = std::mem::replace(
            &mut *last.lock().unwrap_or_else(|p| p.into_inner()),
            status.clone(),
          ) != status;
          term.progress(
            polls.fetch_add(1, Ordering::Relaxed),
            &format!(
              "Waiting for {what}: {status} ({}s)",
              started.elapsed().as_secs()
            ),
            &format!("Waiting for {what}: {status}"),
            changed,
          );
          Ok(item)
        }
      })
      .await;
    term.progress_done();
    let text = result.map_err(|err| {
      if err.code == ErrorCode::Timeout {
        let status = last.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let seen = if status.is_empty() {
          "no status seen yet".to_owned()
        } else {
          format!("the last status was {status:?}")
        };
        CalibreError::new(
          ErrorCode::Timeout,
          format!(
            "{}: gave up waiting for {what} after {} (--timeout); {seen}. Raise --timeout (0 waits for ever).",
            session.function, self.shown_limit
          ),
        )
      } else {
        err
      }
    })?;
    serde_json::from_str(&text).map_err(|e| {
      CalibreError::new(
        ErrorCode::InvalidResponse,
        format!("{}: {e}", session.function),
      )
    })
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn durations_too_long_for_a_duration_are_refused_not_a_panic() {
    assert_eq!(
      parse_duration("Test.create", "--timeout", "90").unwrap(),
      Duration::from_secs(90)
    );
    let err = parse_duration("Test.create", "--timeout", "1e20").unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert!(err.message.contains("too long"), "{}", err.message);
  }
}
