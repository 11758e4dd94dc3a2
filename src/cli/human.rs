//! Human output of the calibre@7 commands: the same information as calibre@7's tables, as
//! aligned columns, metric values with their units, colours only on a TTY.

use serde_json::Value;

use super::json;
use super::term::{binary_units, Term};

/// A string field, or "" (numbers and booleans as JSON shows them).
pub fn text(value: &Value, key: &str) -> String {
  plain(value.get(key))
}

pub fn plain(value: Option<&Value>) -> String {
  match value {
    None | Some(Value::Null) => String::new(),
    Some(Value::String(s)) => s.clone(),
    Some(Value::Number(n)) => json::js_number(n),
    Some(other) => other.to_string(),
  }
}

fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
  path.iter().try_fold(value, |v, key| v.get(key))
}

fn list(value: Option<&Value>) -> &[Value] {
  value
    .and_then(Value::as_array)
    .map(Vec::as_slice)
    .unwrap_or_default()
}

/// `✔ message`
pub fn done(term: Term, message: &str) {
  term.out(&format!("{} {message}", term.green("✔")));
}

/// An ISO time as `2024-01-02 03:04` (UTC as sent).
fn when(value: &Value, key: &str) -> String {
  let t = text(value, key);
  if t.len() >= 16 {
    format!("{} {}", &t[..10], &t[11..16])
  } else {
    t
  }
}

/// Columns padded to their widest cell; the header dimmed on a TTY.
pub struct Table {
  header: Vec<&'static str>,
  rows: Vec<Vec<String>>,
}

impl Table {
  pub fn new(header: &[&'static str]) -> Table {
    Table {
      header: header.to_vec(),
      rows: Vec::new(),
    }
  }

  pub fn row(&mut self, cells: Vec<String>) {
    self.rows.push(cells);
  }

  pub fn print(&self, term: Term) {
    let width = |i: usize| {
      self
        .rows
        .iter()
        .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
        .chain([self.header[i].len()])
        .max()
        .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..self.header.len()).map(width).collect();
    let line = |cells: Vec<&str>| {
      let padded: Vec<String> = cells
        .iter()
        .zip(&widths)
        .map(|(c, w)| format!("{c:<w$}"))
        .collect();
      padded.join("  ").trim_end().to_owned()
    };
    term.out(&term.dim(&line(self.header.clone())));
    for row in &self.rows {
      term.out(&line(row.iter().map(String::as_str).collect()));
    }
  }
}

/// A metric value with its unit, from the metric's `formatter` (or, for test measurements
/// that carry none, from its name).
pub fn metric_value(formatter: Option<&str>, name: &str, value: Option<&Value>) -> String {
  let Some(number) = value.and_then(Value::as_f64) else {
    return match value {
      None | Some(Value::Null) => "—".to_owned(),
      Some(other) => plain(Some(other)),
    };
  };
  let kind = formatter.unwrap_or_else(|| {
    let name = name.to_ascii_lowercase();
    if name.contains("score") {
      "score"
    } else if name.contains("bytes") || name.ends_with("-weight") {
      "fileSize"
    } else if name.contains("layout-shift") || name == "cls" {
      "unitless"
    } else if name.contains("count") || name.contains("dom-size") || name.contains("requests") {
      "number"
    } else {
      "milliseconds"
    }
  });
  match kind {
    "humanDuration" | "milliseconds" | "duration" => {
      if number.abs() >= 1000.0 {
        format!("{:.2} s", number / 1000.0)
      } else {
        format!("{} ms", number.round())
      }
    }
    "fileSize" | "humanBytes" | "bytes" => match binary_units(number) {
      (size, "B") => format!("{size} B"),
      (size, unit) => format!("{size:.2} {unit}"),
    },
    "milliunit" => json::js_f64(number / 1000.0),
    "score" => format!("{} / 100", number.round()),
    _ => json::js_f64((number * 1000.0).round() / 1000.0),
  }
}

fn graded(term: Term, shown: String, grading: Option<&Value>) -> String {
  match grading.and_then(Value::as_str) {
    Some("good" | "GOOD" | "pass") => term.green(&shown),
    Some("average" | "needs-improvement" | "NEEDS_IMPROVEMENT") => term.yellow(&shown),
    Some("poor" | "POOR" | "fail") => term.red(&shown),
    _ => shown,
  }
}

fn grading(term: Term, value: Option<&Value>) -> String {
  let shown = match value.and_then(Value::as_str) {
    None | Some("ungraded" | "not_assessed") => "—",
    Some("good" | "GOOD") => "Good",
    Some("average" | "needs-improvement" | "NEEDS_IMPROVEMENT") => "Needs Improvement",
    Some("poor" | "POOR") => "Poor",
    Some("pass") => "Pass",
    Some("fail") => "Fail",
    Some(other) => other,
  };
  graded(term, shown.to_owned(), value)
}

pub fn sites(value: &Value, term: Term) {
  let mut table = Table::new(&["SLUG", "NAME", "TEAM", "CREATED", "MONITORING"]);
  for s in list(Some(value)) {
    let status = s.get("monitoringStatus");
    let on: Vec<&str> = ["synthetic", "crux", "rum"]
      .into_iter()
      .filter(|k| status.and_then(|m| m.get(*k)).is_some_and(Value::is_null))
      .collect();
    table.row(vec![
      text(s, "slug"),
      text(s, "name"),
      s.get("team").map(|t| text(t, "slug")).unwrap_or_default(),
      text(s, "createdAt").chars().take(10).collect(),
      if on.is_empty() {
        "—".into()
      } else {
        on.join(" ")
      },
    ]);
  }
  table.print(term);
  term.out(&term.dim(&format!("{} site(s)", list(Some(value)).len())));
}

fn more(term: Term, value: &Value, command: &str) {
  if at(value, &["pageInfo", "hasNextPage"]) == Some(&Value::Bool(true)) {
    term.out(&term.dim(&format!(
      "More: {command} --cursor={}",
      plain(at(value, &["pageInfo", "endCursor"]))
    )));
  }
}

pub fn pages(value: &Value, term: Term) {
  let items = list(value.get("pages"));
  let mut table = Table::new(&["UUID", "NAME", "URL"]);
  for p in items {
    table.row(vec![text(p, "uuid"), text(p, "name"), text(p, "url")]);
  }
  term.out(&format!("{} pages", items.len()));
  table.print(term);
  more(term, value, "calibre-native synthetic pages --site=<slug>");
}

pub fn snapshots(value: &Value, term: Term) {
  let items = list(value.get("snapshots"));
  let mut table = Table::new(&["ID", "URL", "REF", "CLIENT", "STATUS", "CREATED"]);
  for s in items {
    table.row(vec![
      text(s, "iid"),
      text(s, "htmlUrl"),
      text(s, "ref"),
      text(s, "client"),
      text(s, "status"),
      when(s, "createdAt"),
    ]);
  }
  term.out(&format!("{} snapshots", items.len()));
  table.print(term);
  more(
    term,
    value,
    "calibre-native synthetic snapshots --site=<slug>",
  );
}

pub fn deploys(value: &Value, term: Term) {
  let items = list(value.get("deploys"));
  let mut table = Table::new(&["UUID", "REVISION", "REPOSITORY", "USERNAME", "CREATED"]);
  for d in items {
    table.row(vec![
      text(d, "uuid"),
      text(d, "revision"),
      text(d, "repository"),
      text(d, "username"),
      when(d, "createdAt"),
    ]);
  }
  term.out(&format!("{} deploys", items.len()));
  table.print(term);
  more(term, value, "calibre-native deploy list --site=<slug>");
}

fn title_or(value: &Value, key: &str, default: &str) -> String {
  value
    .get(key)
    .filter(|v| !v.is_null())
    .map(|v| text(v, "title"))
    .unwrap_or_else(|| default.to_owned())
}

pub fn test_profiles(value: &Value, term: Term) {
  let mut table = Table::new(&[
    "UUID",
    "NAME",
    "DEVICE",
    "CONNECTION",
    "JAVASCRIPT DISABLED",
    "COOKIES",
  ]);
  for p in list(Some(value)) {
    let cookies: Vec<String> = list(p.get("cookies"))
      .iter()
      .map(|c| text(c, "name"))
      .collect();
    table.row(vec![
      text(p, "uuid"),
      text(p, "name"),
      title_or(p, "device", "Desktop"),
      title_or(p, "bandwidth", "Not Throttled"),
      if p.get("jsIsDisabled") == Some(&Value::Bool(true)) {
        "Yes"
      } else {
        "No"
      }
      .into(),
      if cookies.is_empty() {
        "None".into()
      } else {
        cookies.join(", ")
      },
    ]);
  }
  table.print(term);
}

pub fn test_profile(p: &Value, term: Term) {
  term.out(&format!(
    "{} ({})",
    term.cyan(&format!("⬢ {}", text(p, "name"))),
    text(p, "uuid")
  ));
  term.out(&term.dim(&format!(
    "Created: {}  Updated: {}",
    when(p, "createdAt"),
    when(p, "updatedAt")
  )));
  if p.get("device").is_some_and(|d| !d.is_null()) {
    term.out(&format!("• {}", title_or(p, "device", "")));
  }
  if p.get("bandwidth").is_some_and(|d| !d.is_null()) {
    term.out(&format!("• {}", title_or(p, "bandwidth", "")));
  }
  if p.get("jsIsDisabled") == Some(&Value::Bool(true)) {
    term.out("• JavaScript disabled");
  }
  for c in list(p.get("cookies")) {
    term.out(&format!(
      "• Cookie {}={} (domain {}, path {}{}{})",
      text(c, "name"),
      text(c, "value"),
      text(c, "domain"),
      text(c, "path"),
      if c.get("secure") == Some(&Value::Bool(true)) {
        ", secure"
      } else {
        ""
      },
      if c.get("httpOnly") == Some(&Value::Bool(true)) {
        ", HttpOnly"
      } else {
        ""
      },
    ));
  }
}

pub fn reviews(value: &Value, term: Term) {
  let mut table = Table::new(&["TITLE", "BRANCH", "SHA", "STATUS", "CREATED"]);
  for r in list(Some(value)) {
    table.row(vec![
      text(r, "title"),
      text(r, "branch"),
      text(r, "sha").chars().take(8).collect(),
      text(r, "status"),
      when(r, "createdAt"),
    ]);
  }
  table.print(term);
}

pub fn review(review: Option<&Value>, term: Term) {
  let Some(review) = review.filter(|r| !r.is_null()) else {
    term.err("No Pull Request Review found for this branch.");
    return;
  };
  term.out(&format!(
    "{} — {} ({})",
    term.bold(&text(review, "title")),
    text(review, "status"),
    text(review, "branch")
  ));
  if let Some(budget) = review.get("metricBudgetStatus").and_then(Value::as_str) {
    term.out(&format!("Budgets: {budget}"));
  }
  if let Some(report) = review.get("markdownReport").and_then(Value::as_str) {
    term.out("");
    term.out(report);
  }
}

pub fn connections(value: &Value, term: Term) {
  let items = list(Some(value));
  term.out(&format!("{} emulated connection speeds", items.len()));
  for c in items {
    term.out(&term.cyan(&text(c, "name")));
  }
}

pub fn devices(value: &Value, term: Term) {
  let items = list(Some(value));
  term.out(&format!("{} test devices", items.len()));
  let mut table = Table::new(&[
    "IDENTIFIER",
    "NAME",
    "TYPE",
    "SCREEN WIDTH",
    "SCREEN HEIGHT",
    "STATUS",
  ]);
  for d in items {
    table.row(vec![
      text(d, "tag"),
      text(d, "title"),
      text(d, "type"),
      text(d, "screenWidth"),
      text(d, "screenHeight"),
      if d.get("isDiscontinued") == Some(&Value::Bool(true)) {
        "Discontinued"
      } else {
        "Current"
      }
      .into(),
    ]);
  }
  table.print(term);
}

pub fn locations(value: &Value, term: Term) {
  let items = list(Some(value));
  term.out(&format!("{} test locations", items.len()));
  let mut table = Table::new(&["IDENTIFIER", "NAME", "IPV4 ADDRESS"]);
  for l in items {
    let ips: Vec<String> = list(l.get("agents"))
      .iter()
      .map(|a| text(a, "ipv4"))
      .collect();
    table.row(vec![text(l, "tag"), text(l, "name"), ips.join(", ")]);
  }
  table.print(term);
}

pub fn metrics(value: &Value, term: Term) {
  let items = list(Some(value));
  term.out(&format!("{} metrics", items.len()));
  let mut table = Table::new(&[
    "IDENTIFIER",
    "NAME",
    "CATEGORY",
    "GOOD",
    "POOR",
    "RECOMMENDED",
  ]);
  for m in items {
    let higher = text(m, "budgetThreshold") == "GreaterThan";
    let formatter = m.get("formatter").and_then(Value::as_str);
    let name = text(m, "value");
    let stop = |key| metric_value(formatter, &name, m.get(key));
    let category = at(m, &["category", "label"])
      .map(|v| plain(Some(v)))
      .unwrap_or_else(|| "—".into());
    table.row(vec![
      name.clone(),
      text(m, "label"),
      category,
      format!("{} {}", if higher { ">" } else { "<" }, stop("goodStop")),
      format!("{} {}", if higher { "<" } else { ">" }, stop("poorStop")),
      if m.get("recommended") == Some(&Value::Bool(true)) {
        "✔"
      } else {
        ""
      }
      .into(),
    ]);
  }
  table.print(term);
}

pub fn teams(value: &Value, term: Term) {
  let items = list(Some(value));
  term.out(&format!("{} teams", items.len()));
  let mut table = Table::new(&["SLUG", "NAME", "DESCRIPTION"]);
  for t in items {
    table.row(vec![
      text(t, "slug"),
      text(t, "name"),
      text(t, "description"),
    ]);
  }
  table.print(term);
}

fn crux_metric_rows(term: Term, entries: &[Value]) {
  let mut table = Table::new(&["METRIC", "P75"]);
  for e in entries {
    let name = text(e, "name");
    let label = at(e, &["metric", "label"])
      .map(|v| plain(Some(v)))
      .unwrap_or_else(|| name.clone());
    let formatter = at(e, &["metric", "formatter"]).and_then(Value::as_str);
    let shown = metric_value(formatter, &name, e.get("value"));
    table.row(vec![label, graded(term, shown, e.get("grading"))]);
  }
  table.print(term);
}

pub fn crux_summary(value: &Value, term: Term) {
  let metrics = list(value.get("cruxAggregateMetrics"));
  if metrics.is_empty() {
    term.err("No CrUX data available for this site. CrUX requires sufficient Chrome user traffic.");
    return;
  }
  term.out(&format!(
    "CrUX Assessment: {}",
    grading(term, value.get("cruxCvwAssessment"))
  ));
  if let Some(d) = value.get("cruxFormFactorDensity").filter(|d| !d.is_null()) {
    let pct = |k| d.get(k).and_then(Value::as_f64).unwrap_or(0.0) * 100.0;
    term.out(&format!(
      "Form factors: desktop {:.1}% | phone {:.1}% | tablet {:.1}%",
      pct("desktop"),
      pct("phone"),
      pct("tablet")
    ));
  }
  term.out("");
  crux_metric_rows(term, metrics);
}

pub fn crux_urls(value: &Value, term: Term) {
  let edges = list(at(value, &["cruxUrlsList", "edges"]));
  if edges.is_empty() {
    term.err(
      "No CrUX URL data available for this site. CrUX requires sufficient Chrome user traffic.",
    );
    return;
  }
  term.out(&format!("{} CrUX URLs", edges.len()));
  for edge in edges {
    let node = edge.get("node").unwrap_or(&Value::Null);
    term.out("");
    term.out(&format!(
      "{} — {} ({})",
      term.bold(&text(node, "url")),
      grading(term, node.get("cruxCvwAssessment")),
      text(node, "uuid")
    ));
    crux_metric_rows(term, list(node.get("cruxAggregateMetrics")));
  }
}

pub fn crux_history(history: Option<&Value>, limit: usize, term: Term) {
  let history = list(history);
  if history.is_empty() {
    term.err("No CrUX data available for this site. CrUX requires sufficient Chrome user traffic.");
    return;
  }
  let mut table = Table::new(&["PERIOD", "METRIC", "P75"]);
  for h in history {
    let metric = h.get("metric").unwrap_or(&Value::Null);
    let name = text(metric, "name");
    let label = Some(text(metric, "label"))
      .filter(|l| !l.is_empty())
      .unwrap_or_else(|| name.clone());
    let formatter = metric.get("formatter").and_then(Value::as_str);
    for entry in list(h.get("values")).iter().take(limit) {
      let shown = metric_value(formatter, &name, entry.get("p75Value"));
      table.row(vec![
        text(entry, "collectionPeriodEnd"),
        label.clone(),
        graded(term, shown, entry.get("p75Grading")),
      ]);
    }
  }
  table.print(term);
}

pub fn crux_url(value: &Value, limit: usize, term: Term) {
  let Some(url) = value.get("cruxUrl").filter(|u| !u.is_null()) else {
    term.err("No CrUX data available for this URL. CrUX requires sufficient Chrome user traffic.");
    return;
  };
  term.out(&format!(
    "{} — {}",
    text(url, "url"),
    grading(term, url.get("cruxCvwAssessment"))
  ));
  let metrics = list(url.get("cruxAggregateMetrics"));
  if !metrics.is_empty() {
    term.out("");
    crux_metric_rows(term, metrics);
  }
  if !list(url.get("cruxHistory")).is_empty() {
    term.out("");
    term.out("History:");
    crux_history(url.get("cruxHistory"), limit, term);
  }
}

fn rum_formatter<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
  list(value.get("metrics"))
    .iter()
    .find(|m| m.get("value").and_then(Value::as_str) == Some(key))
    .and_then(|m| m.get("formatter").and_then(Value::as_str))
}

fn rum_cell(term: Term, rum: &Value, row: &Value, key: &str) -> String {
  let shown = metric_value(rum_formatter(rum, key), key, row.get(key));
  graded(term, shown, row.get(format!("{key}Grading").as_str()))
}

pub fn rum_summary(value: &Value, term: Term) {
  let Some(aggregate) = list(value.get("aggregate")).first() else {
    term.err("No RUM data available. Check that RUM is enabled for this site with: calibre-native rum config --site=<slug>");
    return;
  };
  term.out(&format!(
    "Live visitors: {} | Countries: {} | Sessions: {}",
    text(value, "liveVisitors"),
    text(value, "distinctCountriesCount"),
    text(aggregate, "sessionCount")
  ));
  if let Some(overall) = list(value.get("uxRating"))
    .iter()
    .find(|r| text(r, "metric") == "overall_rating")
  {
    let pct = |k| overall.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    term.out(&format!(
      "UX Rating: Good {:.1}% | Needs Improvement {:.1}% | Poor {:.1}%",
      pct("goodPercentage"),
      pct("needsImprovementPercentage"),
      pct("poorPercentage")
    ));
  }
  term.out("");
  let labels = [
    ("lcp", "Largest Contentful Paint"),
    ("cls", "Cumulative Layout Shift"),
    ("inp", "Interaction to Next Paint"),
    ("fcp", "First Contentful Paint"),
    ("ttfb", "Time to First Byte"),
    ("rtt", "Round Trip Time"),
  ];
  let mut table = Table::new(&["METRIC", "P75"]);
  for (key, label) in labels {
    if aggregate.get(key).is_some_and(|v| !v.is_null()) {
      table.row(vec![label.into(), rum_cell(term, value, aggregate, key)]);
    }
  }
  table.print(term);
}

pub fn rum_history(value: &Value, limit: usize, term: Term) {
  let history = list(value.get("history"));
  if history.is_empty() {
    term.err("No RUM history available. Check that RUM is enabled for this site with: calibre-native rum config --site=<slug>");
    return;
  }
  let mut table = Table::new(&["DATE", "LCP", "CLS", "INP", "FCP", "TTFB", "SESSIONS"]);
  for row in history.iter().take(limit) {
    let mut cells = vec![text(row, "date")];
    cells.extend(["lcp", "cls", "inp", "fcp", "ttfb"].map(|k| rum_cell(term, value, row, k)));
    cells.push(text(row, "sessionCount"));
    table.row(cells);
  }
  table.print(term);
}

pub fn rum_pages(value: &Value, term: Term) {
  let rows = list(value.get("aggregate"));
  if rows.is_empty() {
    term.err("No RUM page data available. Check that RUM is enabled for this site with: calibre-native rum config --site=<slug>");
    return;
  }
  term.out(&format!("{} pages", text(value, "totalCount")));
  let mut table = Table::new(&["PATH", "SESSIONS", "LCP", "CLS", "INP"]);
  for row in rows {
    let sessions = Some(text(row, "sessionCount"))
      .filter(|s| !s.is_empty())
      .unwrap_or_else(|| text(row, "count"));
    let mut cells = vec![text(row, "path"), sessions];
    cells.extend(["lcp", "cls", "inp"].map(|k| rum_cell(term, value, row, k)));
    table.row(cells);
  }
  table.print(term);
}

pub fn rum_config(value: &Value, term: Term) {
  if value.is_null() {
    term.err("RUM is not configured for this site.");
    return;
  }
  term.out(&format!("  Enabled: {}", text(value, "enabled")));
  term.out(&format!("  Sample Rate: {}", text(value, "sampleRate")));
  let origins: Vec<String> = list(value.get("allowedOrigins"))
    .iter()
    .map(|o| plain(Some(o)))
    .collect();
  if !origins.is_empty() {
    term.out(&format!("  Allowed Origins: {}", origins.join(", ")));
  }
  for (key, label) in [("endpoint", "Endpoint"), ("identifier", "Identifier")] {
    if !text(value, key).is_empty() {
      term.out(&format!("  {label}: {}", text(value, key)));
    }
  }
  term.out(&format!(
    "  Data Retention: {} months (max: {})",
    text(value, "dataRetentionMonths"),
    text(value, "maxDataRetentionMonths")
  ));
  term.out(&format!("  Exclude EU: {}", text(value, "excludeEu")));
  if !text(value, "suspendedAt").is_empty() {
    term.out(&format!("  Suspended At: {}", text(value, "suspendedAt")));
  }
}

pub fn tests(value: &Value, term: Term) {
  let mut table = Table::new(&[
    "UUID",
    "URL",
    "DEVICE",
    "CONNECTION",
    "LOCATION",
    "STATUS",
    "UPDATED",
  ]);
  for t in list(Some(value)) {
    table.row(vec![
      text(t, "uuid"),
      text(t, "url"),
      title_or(t, "device", "Desktop"),
      title_or(t, "connection", "Not Throttled"),
      at(t, &["location", "shortName"])
        .map(|v| plain(Some(v)))
        .unwrap_or_default(),
      text(t, "status"),
      when(t, "updatedAt"),
    ]);
  }
  table.print(term);
}

/// A Single Page Test: status, link and every measurement with its unit.
pub fn single_page_test(test: &Value, term: Term) {
  if test.is_null() {
    term.err("No Single Page Test has this uuid.");
    return;
  }
  let status = text(test, "status");
  let shown = if status == "completed" {
    term.green(&status)
  } else {
    term.red(&status)
  };
  term.out(&format!("Status:  {shown}"));
  term.out(&format!("Report:  {}", text(test, "formattedTestUrl")));
  if let Some(error) = test.get("runtimeError").filter(|e| !e.is_null()) {
    let message = text(error, "message");
    if !message.is_empty() {
      term.out(&format!("Error:   {message}"));
    }
  }
  for m in list(test.get("metrics")) {
    let name = text(m, "name");
    let label = Some(text(m, "label"))
      .filter(|l| !l.is_empty())
      .unwrap_or_else(|| name.clone());
    term.out(&format!(
      "  {label:<36} {}",
      metric_value(None, &name, m.get("value"))
    ));
  }
}

pub fn snapshot_metrics(payload: &Value, term: Term) {
  let snapshot = payload.get("snapshot").unwrap_or(&Value::Null);
  term.out(&term.bold(&format!("Snapshot #{}", text(snapshot, "iid"))));
  term.out(&term.dim(&when(snapshot, "createdAt")));
  let profiles = list(payload.get("testProfiles"));
  for test in list(snapshot.get("tests")) {
    let page = test.get("page").unwrap_or(&Value::Null);
    let profile_uuid = at(test, &["testProfile", "uuid"]);
    let profile = profiles.iter().find(|p| p.get("uuid") == profile_uuid);
    term.out("");
    term.out(&format!(
      "{} {}",
      term.bold(&text(page, "name")),
      term.dim(&format!("({})", text(page, "url")))
    ));
    term.out(&format!(
      "Tested with: {}",
      profile.map(|p| text(p, "name")).unwrap_or_default()
    ));
    for m in list(test.get("measurements")) {
      let name = text(m, "name");
      term.out(&format!(
        "  {:<36} {}",
        text(m, "label"),
        metric_value(None, &name, m.get("value"))
      ));
    }
  }
  term.out("");
  term.out(&format!(
    "View the full report {}",
    text(snapshot, "htmlUrl")
  ));
}

/// The CSV of `get-snapshot-metrics --csv`, as calibre@7 makes it with json2csv: quoted
/// strings (`"` doubled), bare numbers and booleans, empty for null.
pub fn snapshot_metrics_csv(payload: &Value) -> String {
  const FIELDS: [&str; 14] = [
    "Timestamp",
    "PageName",
    "PageURL",
    "MetricName",
    "MetricLabel",
    "MetricValue",
    "SnapshotSequenceId",
    "TestProfileId",
    "TestProfileName",
    "DeviceName",
    "BandwidthName",
    "isMobile",
    "hasDeviceEmulation",
    "hasBandwidthEmulation",
  ];
  let cell = |value: Option<&Value>| match value {
    None | Some(Value::Null) => String::new(),
    Some(Value::String(s)) => format!("\"{}\"", s.replace('"', "\"\"")),
    Some(Value::Number(n)) => json::js_number(n),
    Some(Value::Bool(b)) => b.to_string(),
    Some(other) => {
      let text = other.to_string();
      format!("\"{}\"", text.replace('"', "\"\""))
    }
  };
  let mut lines = vec![FIELDS.map(|f| format!("\"{f}\"")).join(",")];
  let snapshot = payload.get("snapshot").unwrap_or(&Value::Null);
  let profiles = list(payload.get("testProfiles"));
  for test in list(snapshot.get("tests")) {
    let uuid = at(test, &["testProfile", "uuid"]);
    let profile = profiles
      .iter()
      .find(|p| p.get("uuid") == uuid)
      .unwrap_or(&Value::Null);
    let truthy_title = |key| {
      profile
        .get(key)
        .filter(|v| crate::js::truthy(v))
        .map(|v| v.get("title").cloned().unwrap_or(Value::Null))
        .or_else(|| profile.get(key).cloned())
    };
    for m in list(test.get("measurements")) {
      let row = [
        snapshot.get("createdAt").cloned(),
        at(test, &["page", "name"]).cloned(),
        at(test, &["page", "url"]).cloned(),
        m.get("name").cloned(),
        m.get("label").cloned(),
        m.get("value").cloned(),
        snapshot.get("sequenceId").cloned(),
        profile.get("uuid").cloned(),
        profile.get("name").cloned(),
        truthy_title("device"),
        truthy_title("bandwidth"),
        profile.get("isMobile").cloned(),
        profile.get("hasDeviceEmulation").cloned(),
        profile.get("hasBandwidthEmulation").cloned(),
      ];
      let cells: Vec<String> = row.iter().map(|v| cell(v.as_ref())).collect();
      if cells.iter().all(String::is_empty) {
        continue;
      }
      lines.push(cells.join(","));
    }
  }
  lines.join(OS_EOL)
}

/// Node's `os.EOL`, which json2csv's Node parser (calibre@7's `get-snapshot-metrics --csv`)
/// puts between rows.
const OS_EOL: &str = if cfg!(windows) { "\r\n" } else { "\n" };

pub fn time_series(series: &Value, term: Term) {
  let pages: Vec<String> = list(series.get("pages"))
    .iter()
    .map(|p| text(p, "name"))
    .collect();
  term.out(&term.bold("Metric history"));
  for metric in list(series.get("metrics")) {
    let name = text(metric, "name");
    let formatter = metric.get("formatter").and_then(Value::as_str);
    term.out("");
    term.out(&term.bold(&text(metric, "label")));
    let sets: Vec<&Value> = list(series.get("series"))
      .iter()
      .filter(|s| text(s, "measurement") == name)
      .collect();
    if sets.is_empty() {
      term.out("  There is no data for this time period");
    }
    for set in sets {
      let mut values: Vec<f64> = list(set.get("values"))
        .iter()
        .filter_map(Value::as_f64)
        .collect();
      values.sort_by(f64::total_cmp);
      let shown =
        |v: Option<f64>| metric_value(formatter, &name, v.map(json::number_value).as_ref());
      let pick = |p: f64| {
        (!values.is_empty())
          .then(|| values[((p / 100.0) * (values.len() - 1) as f64).round() as usize])
      };
      term.out(&format!(
        "  {} {}",
        pages.join(", "),
        term.dim(&text(set, "name"))
      ));
      term.out(&format!(
        "    Min: {}  Max: {}  Median: {}  p95: {}",
        shown(values.first().copied()),
        shown(values.last().copied()),
        shown(pick(50.0)),
        shown(pick(95.0))
      ));
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn metric_values_carry_their_units() {
    let v = |x: Value| Some(x);
    assert_eq!(
      metric_value(None, "largest-contentful-paint", v(json!(2100)).as_ref()),
      "2.10 s"
    );
    assert_eq!(
      metric_value(None, "time-to-first-byte", v(json!(420)).as_ref()),
      "420 ms"
    );
    assert_eq!(
      metric_value(None, "page_size_in_bytes", v(json!(1_572_864)).as_ref()),
      "1.50 MB"
    );
    assert_eq!(
      metric_value(None, "cumulative-layout-shift", v(json!(0.0512)).as_ref()),
      "0.051"
    );
    assert_eq!(
      metric_value(
        None,
        "lighthouse-performance-score",
        v(json!(91.6)).as_ref()
      ),
      "92 / 100"
    );
    assert_eq!(
      metric_value(None, "asset_count", v(json!(74)).as_ref()),
      "74"
    );
    assert_eq!(
      metric_value(Some("milliunit"), "x", v(json!(120)).as_ref()),
      "0.12"
    );
    assert_eq!(metric_value(Some("humanDuration"), "lcp", None), "—");
  }

  #[test]
  fn csv_quotes_like_json2csv() {
    let payload = json!({
      "snapshot": {"createdAt": "2024-01-02T03:04:05Z", "sequenceId": 3, "tests": [
        {"page": {"name": "Home \"A\"", "url": "https://x.test/"}, "testProfile": {"uuid": "tp-1"},
         "measurements": [{"name": "lcp", "label": "LCP", "value": 2100.5}]}
      ]},
      "testProfiles": [{"uuid": "tp-1", "name": "Desk", "device": null, "bandwidth": {"title": "Cable"},
        "isMobile": false, "hasDeviceEmulation": false, "hasBandwidthEmulation": true}]
    });
    let csv = snapshot_metrics_csv(&payload);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "\"Timestamp\",\"PageName\",\"PageURL\",\"MetricName\",\"MetricLabel\",\"MetricValue\",\"SnapshotSequenceId\",\"TestProfileId\",\"TestProfileName\",\"DeviceName\",\"BandwidthName\",\"isMobile\",\"hasDeviceEmulation\",\"hasBandwidthEmulation\"");
    assert_eq!(lines[1], "\"2024-01-02T03:04:05Z\",\"Home \"\"A\"\"\",\"https://x.test/\",\"lcp\",\"LCP\",2100.5,3,\"tp-1\",\"Desk\",,\"Cable\",false,false,true");
  }
}
