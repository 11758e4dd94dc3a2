//! Human output of the calibre@7 commands, byte for byte as calibre@7's views print it
//! (`src/cli/**` and `src/views/*` of calibre@7): columnify tables with ` | `, date-fns dates in
//! local time, calibre@7's units, the spinner's lines on stderr and data on stdout. Where
//! calibre@7 is wrong the view is right instead; COMPATIBILITY.md lists each such place.

use serde_json::Value;

use super::columns::{columnify, Column, Options};
use super::context::Clock;
use super::formatters::{self as fmt, cell, js_string, truthy};
use super::json;
use super::markdown;
use super::term::Term;

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

/// `${value[key]}`, as calibre@7's messages interpolate a field.
pub fn js(value: &Value, key: &str) -> String {
  js_string(value.get(key))
}

/// `${value}` of a field.
fn s(value: &Value, key: &str) -> String {
  js_string(value.get(key))
}

/// `a || b` of two fields, as a columnify cell.
fn or(value: &Value, a: &str, b: &str) -> Option<String> {
  if truthy(value.get(a)) {
    cell(value.get(a))
  } else {
    cell(value.get(b))
  }
}

fn options(truncate: bool, auto: Option<usize>) -> Options {
  Options {
    truncate,
    max_line_width: auto,
  }
}

fn columns(keys: &[&str]) -> Vec<Column> {
  keys.iter().map(|k| Column::new(k)).collect()
}

/// The `h:mma d-MMM-yyyy` of a date field, in local time.
fn when(clock: &Clock, value: Option<&Value>) -> String {
  clock
    .local(value)
    .map(fmt::time_and_date)
    .unwrap_or_else(|| "Invalid Date".to_owned())
}

/// The `d-MMM-yyyy` of a date field, in local time.
fn day(clock: &Clock, value: Option<&Value>) -> String {
  clock
    .local(value)
    .map(fmt::date)
    .unwrap_or_else(|| "Invalid Date".to_owned())
}

/// `chalk.bold(n)` of a list's length, then `what`.
fn count(term: Term, n: usize, what: &str) {
  term.out(&format!("{} {what}", term.bold(&n.to_string())));
}

fn titleize(text: &str) -> String {
  let mut chars = text.chars();
  match chars.next() {
    Some(first) => first.to_uppercase().chain(chars).collect(),
    None => String::new(),
  }
}

/// `views/grading.js` `formatGrading`.
fn format_grading(term: Term, grading: Option<&Value>) -> String {
  if !truthy(grading) {
    return "—".to_owned();
  }
  match grading.and_then(Value::as_str) {
    Some("good" | "GOOD") => term.green("Good"),
    Some("average" | "needs-improvement" | "NEEDS_IMPROVEMENT") => term.yellow("Needs Improvement"),
    Some("poor" | "POOR") => term.red("Poor"),
    Some("pass") => term.green("Pass"),
    Some("fail") => term.red("Fail"),
    Some("ungraded" | "not_assessed") => term.dim("—"),
    _ => js_string(grading),
  }
}

/// `views/grading.js` `colorByGrading`.
fn color_by_grading(term: Term, value: &Value, grading: Option<&Value>) -> String {
  if value.is_null() {
    return "—".to_owned();
  }
  let display = js_string(Some(value));
  if !truthy(grading) {
    return display;
  }
  match grading.and_then(Value::as_str) {
    Some("good" | "GOOD") => term.green(&display),
    Some("average" | "needs-improvement" | "NEEDS_IMPROVEMENT") => term.yellow(&display),
    Some("poor" | "POOR") => term.red(&display),
    _ => display,
  }
}

/// `format(...)` of a value unless it is `null` (`undefined` is formatted), then graded.
fn graded(
  term: Term,
  formatter: Option<&str>,
  value: Option<&Value>,
  grading: Option<&Value>,
) -> String {
  let shown = match value {
    Some(Value::Null) => Value::Null,
    v => fmt::format(formatter, v),
  };
  color_by_grading(term, &shown, grading)
}

pub fn sites(value: &Value, term: Term, clock: &Clock) {
  let items = list(Some(value));
  count(term, items.len(), "sites");
  let rows: Vec<Vec<Option<String>>> = items
    .iter()
    .map(|row| {
      let mut statuses = Vec::new();
      if let Some(status) = row.get("monitoringStatus").filter(|v| truthy(Some(v))) {
        for key in ["synthetic", "crux", "rum"] {
          if status.get(key) == Some(&Value::Null) {
            statuses.push(term.green(key));
          }
        }
      }
      vec![
        Some(term.dim(&s(row, "slug"))),
        cell(row.get("name")),
        Some(if statuses.is_empty() {
          term.dim("—")
        } else {
          statuses.join(" ")
        }),
        Some(when(clock, row.get("createdAt"))),
      ]
    })
    .collect();
  let cols = columns(&["slug", "name", "monitoring", "created"]);
  term.out(&columnify(&cols, &rows, options(false, None)));
}

/// The last line of a paginated list: calibre@7's wording, with the real site and command.
fn next_page(term: Term, value: &Value, what: &str, after: &str, command: &str, site: &str) {
  if truthy(at(value, &["pageInfo", "hasNextPage"])) {
    term.out(&format!(
      "To see {what} after {after}, run: calibre {command} --site={site} --cursor={}",
      js_string(at(value, &["pageInfo", "endCursor"]))
    ));
  }
}

pub fn pages(value: &Value, term: Term, site: &str) {
  let items = list(value.get("pages"));
  count(term, items.len(), "pages");
  let rows: Vec<Vec<Option<String>>> = items
    .iter()
    .map(|p| {
      vec![
        Some(term.dim(&s(p, "uuid"))),
        cell(p.get("name")),
        cell(p.get("url")),
      ]
    })
    .collect();
  let cols = columns(&["uuid", "name", "url"]);
  term.out(&columnify(&cols, &rows, options(true, term.columns())));
  let last = rows
    .last()
    .and_then(|r| {
      if truthy(items.last().and_then(|p| p.get("name"))) {
        r[1].clone()
      } else {
        r[0].clone()
      }
    })
    .unwrap_or_else(|| "undefined".to_owned());
  next_page(term, value, "pages", &last, "synthetic pages", site);
}

pub fn snapshots(value: &Value, term: Term, clock: &Clock, site: &str) {
  let items = list(value.get("snapshots"));
  count(term, items.len(), "snapshots");
  let rows: Vec<Vec<Option<String>>> = items
    .iter()
    .map(|r| {
      let status = if truthy(r.get("status")) {
        titleize(&s(r, "status"))
      } else {
        String::new()
      };
      vec![
        Some(term.dim(&s(r, "iid"))),
        cell(r.get("htmlUrl")),
        cell(r.get("ref")),
        cell(r.get("client")),
        Some(format!("{status} {}", when(clock, r.get("createdAt")))),
      ]
    })
    .collect();
  let cols = columns(&["id", "url", "ref", "client", "status"]);
  term.out(&columnify(&cols, &rows, options(true, term.columns())));
  let last = items
    .last()
    .map(|r| {
      if truthy(r.get("ref")) {
        s(r, "ref")
      } else {
        term.dim(&s(r, "iid"))
      }
    })
    .unwrap_or_else(|| "undefined".to_owned());
  next_page(term, value, "snapshots", &last, "synthetic snapshots", site);
}

pub fn deploys(value: &Value, term: Term, clock: &Clock, site: &str) {
  let items = list(value.get("deploys"));
  count(term, items.len(), "deploys");
  let rows: Vec<Vec<Option<String>>> = items
    .iter()
    .map(|d| {
      vec![
        Some(term.dim(&s(d, "uuid"))),
        cell(d.get("revision")),
        cell(d.get("repository")),
        cell(d.get("username")),
        Some(when(clock, d.get("createdAt"))),
      ]
    })
    .collect();
  let cols = columns(&["uuid", "revision", "repository", "username", "created"]);
  term.out(&columnify(&cols, &rows, options(true, term.columns())));
  // calibre@7 names the last deploy by `revision || id`; deploys have no `id`: the uuid.
  let last = items
    .last()
    .map(|d| {
      if truthy(d.get("revision")) {
        s(d, "revision")
      } else {
        s(d, "uuid")
      }
    })
    .unwrap_or_else(|| "undefined".to_owned());
  next_page(term, value, "deploys", &last, "deploy list", site);
}

fn title_or(value: &Value, key: &str, default: &str) -> Option<String> {
  match value.get(key) {
    Some(v) if truthy(Some(v)) => cell(v.get("title")),
    _ => Some(default.to_owned()),
  }
}

pub fn test_profiles(value: &Value, term: Term) {
  term.out("\n");
  let rows: Vec<Vec<Option<String>>> = list(Some(value))
    .iter()
    .map(|p| {
      let cookies: Vec<String> = list(p.get("cookies"))
        .iter()
        .map(|c| plain(c.get("name")))
        .collect();
      let cookies = cookies.join(", ");
      vec![
        Some(term.cyan(&s(p, "uuid"))),
        cell(p.get("name")),
        title_or(p, "device", "Desktop"),
        title_or(p, "bandwidth", "Not Throttled"),
        Some(
          if truthy(p.get("jsIsDisabled")) {
            "Yes"
          } else {
            "No"
          }
          .to_owned(),
        ),
        Some(if cookies.is_empty() {
          "None".to_owned()
        } else {
          cookies
        }),
      ]
    })
    .collect();
  let cols = columns(&[
    "uuid",
    "name",
    "device",
    "connection",
    "javascript disabled",
    "cookies",
  ]);
  term.out(&columnify(&cols, &rows, options(true, term.columns())));
}

/// `views/test-profile.js`.
pub fn test_profile(p: &Value, term: Term, clock: &Clock) -> String {
  let cookies: Vec<String> = list(p.get("cookies"))
    .iter()
    .map(|c| {
      let secure = if truthy(c.get("secure")) { "✔ Shared with Non-SSL servers" } else { "" };
      let http_only = if truthy(c.get("httpOnly")) { "✔ Shared with `document.cookie`" } else { "" };
      format!(
        "\n- Cookie\n  Name: {}\n  Value: {}\n  Domain: {}\n  Path: {}\n\n  {secure}\n  {http_only}\n    ",
        s(c, "name"),
        s(c, "value"),
        s(c, "domain"),
        s(c, "path")
      )
    })
    .collect();
  let titled = |key: &str| {
    if truthy(p.get(key)) {
      format!("• {}", js_string(at(p, &[key, "title"])))
    } else {
      String::new()
    }
  };
  let text = format!(
    "\n{} ({})\n{}\n{}\n\n{}\n{}\n{}\n\n{}\n  ",
    term.chain(&[("1", "22"), ("36", "39")], &format!("⬢ {}", s(p, "name"))),
    s(p, "uuid"),
    term.dim(&format!("Created: {}", when(clock, p.get("createdAt")))),
    term.dim(&format!("Updated: {}", when(clock, p.get("updatedAt")))),
    titled("device"),
    titled("bandwidth"),
    if truthy(p.get("jsIsDisabled")) {
      "• Javascript Disabled"
    } else {
      ""
    },
    cookies.join("\n"),
  );
  js_trim(&text).to_owned()
}

/// `String.prototype.trim`.
fn js_trim(text: &str) -> &str {
  text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

pub fn reviews(value: &Value, term: Term, clock: &Clock) {
  let rows: Vec<Vec<Option<String>>> = list(Some(value))
    .iter()
    .map(|r| {
      vec![
        cell(r.get("title")),
        cell(r.get("branch")),
        cell(r.get("sha")),
        cell(r.get("status")),
        Some(when(clock, r.get("createdAt"))),
      ]
    })
    .collect();
  let cols = vec![
    Column::new("title").max(40),
    Column::new("branch"),
    Column::new("sha").max(8),
    Column::new("status"),
    Column::new("created"),
  ];
  term.out(&columnify(&cols, &rows, options(true, None)));
}

/// A Markdown report as calibre@7 shows it on the terminal (`views/markdown.js`). A report that
/// is not there yet prints nothing (calibre@7's `marked()` throws on it).
pub fn report(value: Option<&Value>, term: Term) {
  match value {
    None | Some(Value::Null) => {}
    Some(v) => term.out(&markdown::render(&js_string(Some(v)), term)),
  }
}

fn simple_list(
  value: &Value,
  term: Term,
  what: &str,
  cols: &[&str],
  row: impl Fn(&Value) -> Vec<Option<String>>,
) {
  let items = list(Some(value));
  count(term, items.len(), what);
  let rows: Vec<Vec<Option<String>>> = items.iter().map(row).collect();
  term.out(&columnify(
    &columns(cols),
    &rows,
    options(true, term.columns()),
  ));
}

pub fn connections(value: &Value, term: Term) {
  simple_list(
    value,
    term,
    "emulated connection speeds",
    &["identifier"],
    |c| vec![Some(term.cyan(&s(c, "name")))],
  );
}

pub fn devices(value: &Value, term: Term) {
  let cols = [
    "identifier",
    "name",
    "type",
    "screen width",
    "screen height",
    "status",
  ];
  simple_list(value, term, "test devices", &cols, |d| {
    vec![
      Some(term.cyan(&s(d, "tag"))),
      cell(d.get("title")),
      cell(d.get("type")),
      cell(d.get("screenWidth")),
      cell(d.get("screenHeight")),
      Some(
        if truthy(d.get("isDiscontinued")) {
          "Discontinued"
        } else {
          "Current"
        }
        .to_owned(),
      ),
    ]
  });
}

pub fn locations(value: &Value, term: Term) {
  simple_list(
    value,
    term,
    "test locations",
    &["identifier", "name", "ipv4 address"],
    |l| {
      let ips: Vec<String> = list(l.get("agents"))
        .iter()
        .map(|a| match a.get("ipv4") {
          None | Some(Value::Null) => String::new(),
          v => js_string(v),
        })
        .collect();
      vec![
        Some(term.cyan(&s(l, "tag"))),
        cell(l.get("name")),
        Some(ips.join(", ")),
      ]
    },
  );
}

pub fn metrics(value: &Value, term: Term) {
  let cols = [
    "identifier",
    "name",
    "category",
    "good",
    "poor",
    "recommended",
  ];
  simple_list(value, term, "metrics", &cols, |m| {
    // calibre@7 swaps the signs (`>` for a lower-is-better GOOD); these say what is good.
    let higher = m.get("budgetThreshold").and_then(Value::as_str) == Some("GreaterThan");
    let formatter = m.get("formatter").and_then(Value::as_str);
    let stop = |key| js_string(Some(&fmt::format(formatter, m.get(key))));
    let category = at(m, &["category", "label"])
      .filter(|v| truthy(Some(v)))
      .map_or_else(|| "—".to_owned(), |v| js_string(Some(v)));
    vec![
      Some(term.cyan(&s(m, "value"))),
      cell(m.get("label")),
      Some(category),
      Some(format!(
        "{} {}",
        if higher { ">" } else { "<" },
        stop("goodStop")
      )),
      Some(format!(
        "{} {}",
        if higher { "<" } else { ">" },
        stop("poorStop")
      )),
      truthy(m.get("recommended"))
        .then(|| term.chain(&[("1", "22"), ("32", "39")], &term.success_symbol())),
    ]
  });
}

pub fn teams(value: &Value, term: Term) {
  // calibre@7 says "sites" here.
  simple_list(
    value,
    term,
    "teams",
    &["slug", "name", "description"],
    |t| {
      vec![
        Some(term.dim(&s(t, "slug"))),
        cell(t.get("name")),
        cell(t.get("description")),
      ]
    },
  );
}

const NO_CRUX: &str =
  "No CrUX data available for this site. CrUX requires sufficient Chrome user traffic.";

fn crux_rows(term: Term, entries: &[Value]) -> String {
  let rows: Vec<Vec<Option<String>>> = entries
    .iter()
    .map(|e| {
      let label = at(e, &["metric", "label"]).filter(|v| truthy(Some(v)));
      let formatter = at(e, &["metric", "formatter"]).and_then(Value::as_str);
      vec![
        Some(js_string(label.or(e.get("name")))),
        Some(graded(term, formatter, e.get("value"), e.get("grading"))),
      ]
    })
    .collect();
  columnify(&columns(&["metric", "p75"]), &rows, Options::default())
}

pub fn crux_summary(value: &Value, term: Term) {
  let metrics = list(value.get("cruxAggregateMetrics"));
  if metrics.is_empty() {
    term.fail(NO_CRUX);
    return;
  }
  term.succeed(&format!(
    "CrUX Assessment: {}",
    format_grading(term, value.get("cruxCvwAssessment"))
  ));
  if let Some(d) = value
    .get("cruxFormFactorDensity")
    .filter(|d| truthy(Some(d)))
  {
    let pct = |k| {
      let v = d.get(k).filter(|v| truthy(Some(v)));
      fmt::to_fixed(fmt::to_number(v.or(Some(&Value::from(0)))) * 100.0, 1)
    };
    term.out(&format!(
      "Form factors: desktop {}% | phone {}% | tablet {}%",
      pct("desktop"),
      pct("phone"),
      pct("tablet")
    ));
  }
  term.out("");
  term.out(&crux_rows(term, metrics));
}

pub fn crux_urls(value: &Value, term: Term) {
  let edges = list(at(value, &["cruxUrlsList", "edges"]));
  if edges.is_empty() {
    term.fail(
      "No CrUX URL data available for this site. CrUX requires sufficient Chrome user traffic.",
    );
    return;
  }
  term.succeed(&format!("{} CrUX URLs", edges.len()));
  // Each row is an object whose keys become the columns (in order of first appearance).
  let mut keys: Vec<String> = vec!["url".into(), "assessment".into()];
  let mut rows: Vec<Vec<(String, String)>> = Vec::new();
  for edge in edges {
    let node = edge.get("node").unwrap_or(&Value::Null);
    let mut row = vec![
      ("url".to_owned(), plain(node.get("url"))),
      (
        "assessment".to_owned(),
        format_grading(term, node.get("cruxCvwAssessment")),
      ),
    ];
    for e in list(node.get("cruxAggregateMetrics")) {
      let name = js_string(e.get("name"));
      let formatter = at(e, &["metric", "formatter"]).and_then(Value::as_str);
      let shown = graded(term, formatter, e.get("value"), e.get("grading"));
      match row.iter_mut().find(|(k, _)| *k == name) {
        Some(slot) => slot.1 = shown,
        None => row.push((name.clone(), shown)),
      }
      if !keys.contains(&name) {
        keys.push(name);
      }
    }
    rows.push(row);
  }
  let cells: Vec<Vec<Option<String>>> = rows
    .iter()
    .map(|row| {
      keys
        .iter()
        .map(|k| row.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()))
        .collect()
    })
    .collect();
  let cols: Vec<Column> = keys.iter().map(|k| Column::new(k)).collect();
  term.out(&columnify(&cols, &cells, Options::default()));
}

fn crux_history_rows(term: Term, clock: &Clock, history: &[Value], limit: usize) -> String {
  let mut rows: Vec<Vec<Option<String>>> = Vec::new();
  for h in history {
    let metric = h.get("metric").unwrap_or(&Value::Null);
    let label = metric.get("label").filter(|v| truthy(Some(v)));
    let formatter = metric.get("formatter").and_then(Value::as_str);
    for entry in list(h.get("values")).iter().take(limit) {
      rows.push(vec![
        Some(day(clock, entry.get("collectionPeriodEnd"))),
        cell(label.or(metric.get("name"))),
        Some(graded(
          term,
          formatter,
          entry.get("p75Value"),
          entry.get("p75Grading"),
        )),
      ]);
    }
  }
  columnify(
    &columns(&["period", "metric", "p75"]),
    &rows,
    Options::default(),
  )
}

pub fn crux_history(value: &Value, limit: usize, term: Term, clock: &Clock) {
  let history = list(value.get("cruxHistory"));
  if history.is_empty() {
    term.fail(NO_CRUX);
    return;
  }
  term.succeed("CrUX History");
  term.out(&crux_history_rows(term, clock, history, limit));
}

pub fn crux_url(value: &Value, limit: usize, term: Term, clock: &Clock) {
  let Some(url) = value.get("cruxUrl").filter(|u| truthy(Some(u))) else {
    term.fail("No CrUX data available for this URL. CrUX requires sufficient Chrome user traffic.");
    return;
  };
  term.succeed(&format!(
    "{} — {}",
    s(url, "url"),
    format_grading(term, url.get("cruxCvwAssessment"))
  ));
  let metrics = list(url.get("cruxAggregateMetrics"));
  if !metrics.is_empty() {
    term.out("");
    term.out(&crux_rows(term, metrics));
  }
  let history = list(url.get("cruxHistory"));
  if !history.is_empty() {
    term.out("");
    term.out("History:");
    term.out(&crux_history_rows(term, clock, history, limit));
  }
}

const NO_RUM: &str =
  "Check that RUM is enabled for this site with: calibre rum config --site=<slug>";

fn rum_cell(term: Term, rum: &Value, row: &Value, key: &str) -> String {
  let formatter = list(rum.get("metrics"))
    .iter()
    .rev()
    .find(|m| m.get("value").and_then(Value::as_str) == Some(key))
    .and_then(|m| m.get("formatter").and_then(Value::as_str));
  graded(
    term,
    formatter,
    row.get(key),
    row.get(format!("{key}Grading").as_str()),
  )
}

pub fn rum_summary(value: &Value, term: Term) {
  let Some(aggregate) = list(value.get("aggregate")).first() else {
    term.fail(&format!("No RUM data available. {NO_RUM}"));
    return;
  };
  term.succeed("RUM Summary");
  term.out(&format!(
    "Live visitors: {} | Countries: {} | Sessions: {}",
    s(value, "liveVisitors"),
    s(value, "distinctCountriesCount"),
    s(aggregate, "sessionCount")
  ));
  term.out("");
  let ratings = list(value.get("uxRating"));
  if let Some(overall) = ratings
    .iter()
    .find(|r| r.get("metric").and_then(Value::as_str) == Some("overall_rating"))
  {
    let pct = |k| fmt::to_fixed(fmt::to_number(overall.get(k)), 1);
    term.out(&format!(
      "UX Rating: Good {}% | Needs Improvement {}% | Poor {}%",
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
  let rows: Vec<Vec<Option<String>>> = labels
    .iter()
    .filter(|(key, _)| aggregate.get(*key).is_some_and(|v| !v.is_null()))
    .map(|(key, label)| {
      vec![
        Some((*label).to_owned()),
        Some(rum_cell(term, value, aggregate, key)),
      ]
    })
    .collect();
  term.out(&columnify(
    &columns(&["metric", "p75"]),
    &rows,
    Options::default(),
  ));
}

pub fn rum_history(value: &Value, limit: usize, term: Term, clock: &Clock) {
  let history = list(value.get("history"));
  if history.is_empty() {
    term.fail(&format!("No RUM history available. {NO_RUM}"));
    return;
  }
  term.succeed("RUM History");
  let rows: Vec<Vec<Option<String>>> = history
    .iter()
    .take(limit)
    .map(|row| {
      let mut cells = vec![Some(day(clock, row.get("date")))];
      cells
        .extend(["lcp", "cls", "inp", "fcp", "ttfb"].map(|k| Some(rum_cell(term, value, row, k))));
      cells.push(if truthy(row.get("sessionCount")) {
        cell(row.get("sessionCount"))
      } else {
        Some("—".to_owned())
      });
      cells
    })
    .collect();
  let cols = columns(&["date", "lcp", "cls", "inp", "fcp", "ttfb", "sessions"]);
  term.out(&columnify(&cols, &rows, Options::default()));
}

pub fn rum_pages(value: &Value, term: Term, site: &str, limit: f64, offset: f64) {
  let items = list(value.get("aggregate"));
  if items.is_empty() {
    term.fail(&format!("No RUM page data available. {NO_RUM}"));
    return;
  }
  term.succeed(&format!("{} pages", s(value, "totalCount")));
  let rows: Vec<Vec<Option<String>>> = items
    .iter()
    .map(|row| {
      let path = if truthy(row.get("path")) {
        cell(row.get("path"))
      } else {
        Some("—".to_owned())
      };
      let mut cells = vec![path, or(row, "sessionCount", "count")];
      cells.extend(["lcp", "cls", "inp"].map(|k| Some(rum_cell(term, value, row, k))));
      cells
    })
    .collect();
  let cols = columns(&["path", "sessions", "lcp", "cls", "inp"]);
  term.out(&columnify(&cols, &rows, Options::default()));
  if items.len() as f64 >= limit {
    term.out(&format!(
      "\nTo see more pages, run: calibre rum pages --site={site} --offset={}",
      fmt::js_f64(offset + limit)
    ));
  }
}

pub fn rum_config(value: &Value, term: Term) {
  if !truthy(Some(value)) {
    term.fail("RUM is not configured for this site.");
    return;
  }
  term.succeed("RUM Configuration");
  term.out(&format!("  Enabled: {}", s(value, "enabled")));
  term.out(&format!("  Sample Rate: {}", s(value, "sampleRate")));
  let origins = list(value.get("allowedOrigins"));
  if !origins.is_empty() {
    let origins: Vec<String> = origins
      .iter()
      .map(|o| {
        if o.is_null() {
          String::new()
        } else {
          js_string(Some(o))
        }
      })
      .collect();
    term.out(&format!("  Allowed Origins: {}", origins.join(", ")));
  }
  for (key, label) in [("endpoint", "Endpoint"), ("identifier", "Identifier")] {
    if truthy(value.get(key)) {
      term.out(&format!("  {label}: {}", s(value, key)));
    }
  }
  term.out(&format!(
    "  Data Retention: {} months (max: {})",
    s(value, "dataRetentionMonths"),
    s(value, "maxDataRetentionMonths")
  ));
  term.out(&format!("  Exclude EU: {}", s(value, "excludeEu")));
  if truthy(value.get("suspendedAt")) {
    term.out(&format!("  Suspended At: {}", s(value, "suspendedAt")));
  }
}

pub fn tests(value: &Value, term: Term, clock: &Clock) {
  term.out(&format!("{} test runs\n", term.bold("♤  calibre")));
  let rows: Vec<Vec<Option<String>>> = list(Some(value))
    .iter()
    .map(|t| {
      let url = reqwest::Url::parse(&s(t, "url"))
        .map(|u| format!("{}{}", u.host_str().unwrap_or(""), u.path()))
        .unwrap_or_else(|_| s(t, "url"));
      vec![
        Some(term.dim(&s(t, "uuid"))),
        Some(url),
        title_or(t, "device", "Desktop"),
        title_or(t, "connection", "Not Throttled"),
        cell(at(t, &["location", "shortName"])),
        Some(format!(
          "{} {}",
          titleize(&s(t, "status")),
          when(clock, t.get("updatedAt"))
        )),
      ]
    })
    .collect();
  let cols = vec![
    Column::new("uuid"),
    Column::new("url").max(20),
    Column::new("device"),
    Column::new("connection"),
    Column::new("location"),
    Column::new("status"),
  ];
  term.out(&columnify(&cols, &rows, options(true, term.columns())));
}

/// `views/grade-table.js`: the Lighthouse category scores.
fn grade_table(measurements: &[Value], term: Term) -> String {
  let score = |name: &str| {
    let found = measurements
      .iter()
      .find(|m| m.get("name").and_then(Value::as_str) == Some(name));
    let Some(m) = found else {
      return "N/A".to_owned();
    };
    let value = fmt::to_number(m.get("value"));
    let shown = fmt::to_fixed(value, 0);
    let n: f64 = shown.parse().unwrap_or(f64::NAN);
    let style = if n >= 90.0 {
      "32"
    } else if n > 50.0 && n < 90.0 {
      "33"
    } else if n <= 50.0 {
      "31"
    } else {
      return "N/A".to_owned();
    };
    term.chain(&[(style, "39"), ("1", "22")], &shown)
  };
  let rows: Vec<Vec<Option<String>>> = [
    ("Performance", "lighthouse-performance-score"),
    ("Best Practices", "lighthouse-best-practices-score"),
    ("Accessibility", "lighthouse-accessibility-score"),
    ("SEO", "lighthouse-seo-score"),
    ("Progressive Web App", "lighthouse-pwa-score"),
  ]
  .iter()
  .map(|(category, name)| vec![Some((*category).to_owned()), Some(score(name))])
  .collect();
  let cols = vec![Column::new("category"), Column::new("score").right()];
  columnify(&cols, &rows, options(false, Some(80)))
}

/// `views/snapshot-metrics.js`.
pub fn snapshot_metrics(payload: &Value, term: Term, clock: &Clock) {
  let snapshot = payload.get("snapshot").unwrap_or(&Value::Null);
  let profiles = list(payload.get("testProfiles"));
  let tests: Vec<String> = list(snapshot.get("tests"))
    .iter()
    .map(|test| {
      let page = test.get("page").unwrap_or(&Value::Null);
      let uuid = at(test, &["testProfile", "uuid"]);
      let profile = profiles
        .iter()
        .find(|p| p.get("uuid") == uuid)
        .unwrap_or(&Value::Null);
      format!(
        "\n{} {}\nTested with: {}\n\n{}\n  ",
        term.bold(&s(page, "name")),
        term.dim(&format!("({})", s(page, "url"))),
        s(profile, "name"),
        grade_table(list(test.get("measurements")), term)
      )
    })
    .collect();
  term.out(&format!(
    "\n{}\n{}\n\n    {}\n\n{}\n\nTo view all captured metrics of this test, re-run this command with the {} or {} flag.\n\n  ",
    term.bold(&format!("Snapshot #{}", s(snapshot, "iid"))),
    term.dim(&when(clock, snapshot.get("createdAt"))),
    tests.join("\n\n"),
    term.bold(&format!("View the full report {}", s(snapshot, "htmlUrl"))),
    term.cyan("--json"),
    term.cyan("--csv"),
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

/// One number of `views/pulse-timeline.js`, formatted (`Infinity` for `Math.min()` of nothing).
fn timeline_value(formatter: Option<&str>, x: Option<f64>) -> String {
  match x {
    None => js_string(Some(&fmt::format(formatter, None))),
    Some(x) if x.is_finite() => {
      js_string(Some(&fmt::format(formatter, Some(&json::number_value(x)))))
    }
    Some(x) => match formatter {
      Some("humanDuration" | "milliseconds") => "NaN ms".to_owned(),
      Some("fileSize") if x < 0.0 => "0 bytes".to_owned(),
      _ => fmt::js_f64(x),
    },
  }
}

/// `views/pulse-timeline.js`.
pub fn time_series(series: &Value, term: Term) {
  let page: Vec<String> = list(series.get("pages"))
    .iter()
    .map(|p| s(p, "name"))
    .collect();
  let page = page.join(", ");
  let metrics: Vec<String> = list(series.get("metrics"))
    .iter()
    .map(|measurement| {
      let formatter = measurement.get("formatter").and_then(Value::as_str);
      let sets: Vec<String> = list(series.get("series"))
        .iter()
        .filter(|set| set.get("measurement") == measurement.get("name"))
        .map(|set| {
          let values: Vec<f64> = list(set.get("values"))
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| fmt::to_number(Some(v)))
            .collect();
          let mut sorted = values.clone();
          sorted.sort_by(f64::total_cmp);
          let rank = |n: f64| {
            let k = (sorted.len() as f64 * n / 100.0).ceil() as isize - 1;
            usize::try_from(k).ok().and_then(|k| sorted.get(k).copied())
          };
          let min = values.iter().copied().fold(f64::INFINITY, f64::min);
          let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
          format!(
            "\n{page}\n{}\n\n  Min: {}\n  Max: {}\n  Median: {}\n  p95: {}\n",
            s(set, "name"),
            timeline_value(formatter, Some(min)),
            timeline_value(formatter, Some(max)),
            timeline_value(formatter, rank(50.0)),
            timeline_value(formatter, rank(95.0)),
          )
        })
        .collect();
      format!(
        "\n{}\n{}\n",
        term.chain(&[("34", "39"), ("1", "22")], &s(measurement, "label")),
        if sets.is_empty() {
          "\nThere is no data for this time period".to_owned()
        } else {
          sets.join("\n")
        }
      )
    })
    .collect();
  term.out(&format!(
    "\n{}\n\n{}\n",
    term.bold("Metric history"),
    metrics.join("\n")
  ));
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

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
