//! The command tree of calibre@7's `calibre` CLI (its `src/cli/**`), in clap: the same command
//! names, positionals, flags and defaults. calibre@7's camelCase flags also answer to their
//! kebab-case spelling, as yargs allows (`--waitForTest` / `--wait-for-test`).

use clap::{ArgAction, Args, Subcommand, ValueEnum};

/// calibre@7's deprecated command names and where they moved: `calibre-native site pages`
/// runs `synthetic pages` after calibre@7's notice on stderr.
pub const DEPRECATED: &[(&[&str], &[&str])] = &[
  (&["connection-list"], &["synthetic", "connections"]),
  (&["device-list"], &["synthetic", "devices"]),
  (&["location-list"], &["synthetic", "locations"]),
  (&["site", "pages"], &["synthetic", "pages"]),
  (&["site", "create-page"], &["synthetic", "create-page"]),
  (&["site", "update-page"], &["synthetic", "update-page"]),
  (&["site", "delete-page"], &["synthetic", "delete-page"]),
  (&["site", "snapshots"], &["synthetic", "snapshots"]),
  (
    &["site", "create-snapshot"],
    &["synthetic", "create-snapshot"],
  ),
  (
    &["site", "delete-snapshot"],
    &["synthetic", "delete-snapshot"],
  ),
  (
    &["site", "download-snapshot-artifacts"],
    &["synthetic", "download-artifacts"],
  ),
  (
    &["site", "get-snapshot-metrics"],
    &["synthetic", "get-snapshot-metrics"],
  ),
  (&["site", "metrics"], &["synthetic", "metrics"]),
  (&["site", "test-profiles"], &["synthetic", "test-profiles"]),
  (
    &["site", "create-test-profile"],
    &["synthetic", "create-test-profile"],
  ),
  (
    &["site", "update-test-profile"],
    &["synthetic", "update-test-profile"],
  ),
  (
    &["site", "delete-test-profile"],
    &["synthetic", "delete-test-profile"],
  ),
  (
    &["site", "pull-request-reviews"],
    &["synthetic", "pull-request-reviews"],
  ),
  (
    &["site", "create-pull-request-review"],
    &["synthetic", "create-pull-request-review"],
  ),
  (
    &["site", "pull-request-review"],
    &["synthetic", "pull-request-review"],
  ),
  (&["site", "deploys"], &["deploy", "list"]),
  (&["site", "create-deploy"], &["deploy", "create"]),
  (&["site", "delete-deploy"], &["deploy", "delete"]),
];

pub const SITE_HELP: &str = "A unique slug identifying each Site. You can find it in Site Settings → General or by using the calibre site list command.";

/// `--site` (required, like calibre@7's `options.site`).
#[derive(Args, Clone)]
pub struct SiteArg {
  #[arg(long, value_name = "SLUG", help = SITE_HELP)]
  pub site: String,
}

/// `--json` only.
#[derive(Args, Clone)]
pub struct JsonArg {
  /// Outputs the results of the command in JSON format.
  #[arg(long)]
  pub json: bool,
}

/// `--count` and `--cursor` of the paginated lists.
#[derive(Args, Clone)]
pub struct PageArgs {
  /// The number of items to return (default: 25, maximum: 500).
  #[arg(long, default_value = "25", value_name = "N")]
  pub count: String,
  /// The cursor to fetch records after
  #[arg(long)]
  pub cursor: Option<String>,
}

/// `--timeout` and `--interval` of every wait.
#[derive(Args, Clone)]
pub struct WaitArgs {
  /// Give up waiting after this long: 90s, 20m, 1h; a bare number is seconds; 0 waits for ever [default: 30m]
  #[arg(long, value_name = "DURATION")]
  pub timeout: Option<String>,
  /// Time between polls: 5s, 500ms; a bare number is seconds [default: 5s, as calibre@7]
  #[arg(long, value_name = "DURATION")]
  pub interval: Option<String>,
}

#[derive(Subcommand)]
pub enum SiteCommand {
  /// Add a Site for Calibre to monitor.
  #[command(
    after_help = "Example:\n  calibre-native site create \"My Site\" --url https://example.com --location NorthVirginia --json"
  )]
  Create(SiteCreate),
  /// List all Sites you are tracking in Calibre.
  #[command(
    after_help = "Examples:\n  calibre-native site list\n  calibre-native site list --json"
  )]
  List(JsonArg),
  /// Delete a selected Site.
  #[command(after_help = "Example:\n  calibre-native site delete my-site --confirm")]
  Delete(SiteDelete),
}

#[derive(Args)]
pub struct SiteCreate {
  /// The name of the Site
  pub name: String,
  /// The URL of the Site.
  #[arg(long)]
  pub url: String,
  /// Choose the location for the test.
  #[arg(long)]
  pub location: String,
  /// The identifying slug of the Team.
  #[arg(long)]
  pub team: Option<String>,
  /// Set the schedule for automated Snapshots. Available options: hourly, daily, every_x_hours.
  #[arg(long, default_value = "every_x_hours")]
  pub schedule: String,
  /// Set the Snapshot interval. Provide UTC hour (between 0 and 23) for daily Snapshots and numeric hour interval for every_x_hours option (between 1 and 168 hours).
  #[arg(long, default_value = "6")]
  pub interval: String,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Args)]
pub struct SiteDelete {
  /// The slug of the Site
  pub slug: String,
  /// Use this flag to confirm the deletion of the selected Site.
  #[arg(long)]
  pub confirm: bool,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Subcommand)]
pub enum SyntheticCommand {
  /// List Pages for a selected Site.
  #[command(after_help = "Example:\n  calibre-native synthetic pages --site my-site --json")]
  Pages(PagesList),
  /// Add a Page to an existing Site tracked by Calibre.
  #[command(
    after_help = "Example:\n  calibre-native synthetic create-page Pricing --site my-site --url https://example.com/pricing"
  )]
  CreatePage(CreatePage),
  /// Update the name or URL of a Page.
  #[command(
    after_help = "Example:\n  calibre-native synthetic update-page --site my-site --uuid <uuid> --name Home"
  )]
  UpdatePage(UpdatePage),
  /// Delete a Page from a selected Site.
  #[command(
    after_help = "Example:\n  calibre-native synthetic delete-page --site my-site --uuid <uuid> --confirm"
  )]
  DeletePage(DeletePage),
  /// List selected Snapshots for a Site.
  #[command(
    after_help = "Example:\n  calibre-native synthetic snapshots --site my-site --count 10 --json"
  )]
  Snapshots(SnapshotsList),
  /// Create a Snapshot.
  #[command(
    after_help = "Example:\n  calibre-native synthetic create-snapshot --site my-site --ref v1.2.3 --json"
  )]
  CreateSnapshot(CreateSnapshot),
  /// Delete a Snapshot from a selected Site.
  #[command(
    after_help = "Example:\n  calibre-native synthetic delete-snapshot --site my-site --id 12 --confirm"
  )]
  DeleteSnapshot(DeleteSnapshot),
  /// Download the artifacts of a Snapshot to ./snapshot-artifacts/<site>/<id>. Includes: lighthouse.json, render progress screenshots, render progress MP4 video, HAR file (request log) and all other metrics and data available through the Calibre interface.
  #[command(
    after_help = "Example:\n  calibre-native synthetic download-artifacts --site my-site --id 12"
  )]
  DownloadArtifacts(DownloadSnapshotArtifacts),
  /// Get all metrics of a given Snapshot.
  #[command(
    after_help = "Examples:\n  calibre-native synthetic get-snapshot-metrics --site my-site --snapshot 12 --csv > metrics.csv"
  )]
  GetSnapshotMetrics(GetSnapshotMetrics),
  /// Get time-series metrics for a selected Site.
  #[command(
    after_help = "Examples:\n  calibre-native synthetic metrics --site my-site --from 2024-01-01 --to 2024-01-31 --json\n  calibre-native synthetic metrics --site my-site --30-day --csv"
  )]
  Metrics(Metrics),
  /// List all Test Profiles for a Site.
  #[command(after_help = "Example:\n  calibre-native synthetic test-profiles --site my-site")]
  TestProfiles(SiteJson),
  /// Add a Test Profile to a Site.
  #[command(
    after_help = "Example:\n  calibre-native synthetic create-test-profile \"Slow phone\" --site my-site --device MotorolaMotoGPower --connection regular3G"
  )]
  CreateTestProfile(CreateTestProfile),
  /// Update Test Profile settings. Only changes specified attributes.
  #[command(
    after_help = "Example:\n  calibre-native synthetic update-test-profile --site my-site --uuid <uuid> --no-javascript"
  )]
  UpdateTestProfile(UpdateTestProfile),
  /// Delete a Test Profile from a Site.
  #[command(
    after_help = "Example:\n  calibre-native synthetic delete-test-profile --site my-site --uuid <uuid> --confirm"
  )]
  DeleteTestProfile(DeleteTestProfile),
  /// List Pull Request Reviews for a selected Site.
  #[command(
    after_help = "Example:\n  calibre-native synthetic pull-request-reviews --site my-site --json"
  )]
  PullRequestReviews(SiteJson),
  /// Create a Pull Request Review of a preview deployment.
  #[command(
    after_help = "Example:\n  calibre-native synthetic create-pull-request-review --site my-site --title \"My PR\" \\\n    --url https://pr-123.example.com --branch pr-123 --sha 9c72279 --waitForResult --failOnUnmetBudget --markdown"
  )]
  CreatePullRequestReview(CreatePullRequestReview),
  /// See the results of a Pull Request Review.
  #[command(
    after_help = "Example:\n  calibre-native synthetic pull-request-review pr-123 --site my-site --markdown"
  )]
  PullRequestReview(PullRequestReview),
  /// List all available web performance metrics.
  #[command(after_help = "Example:\n  calibre-native synthetic metric-list --type crux --json")]
  MetricList(MetricList),
  /// List all available network connection speeds.
  #[command(after_help = "Example:\n  calibre-native synthetic connections --json")]
  Connections(JsonArg),
  /// List all available test devices.
  #[command(after_help = "Example:\n  calibre-native synthetic devices --json")]
  Devices(JsonArg),
  /// List all available test locations.
  #[command(after_help = "Example:\n  calibre-native synthetic locations --json")]
  Locations(JsonArg),
}

#[derive(Args)]
pub struct SiteJson {
  #[command(flatten)]
  pub site: SiteArg,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Args)]
pub struct PagesList {
  #[command(flatten)]
  pub site: SiteArg,
  #[command(flatten)]
  pub page: PageArgs,
  #[command(flatten)]
  pub out: JsonArg,
}

pub type SnapshotsList = PagesList;
pub type DeployList = PagesList;

#[derive(Args)]
pub struct CreatePage {
  /// The name of the Page
  pub name: String,
  #[command(flatten)]
  pub site: SiteArg,
  /// The URL of the Page.
  #[arg(long)]
  pub url: String,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Args)]
pub struct UpdatePage {
  /// The UUID of the Page.
  #[arg(long)]
  pub uuid: String,
  /// Update the name of the Page.
  #[arg(long)]
  pub name: Option<String>,
  /// Update the URL of the Page.
  #[arg(long)]
  pub url: Option<String>,
  #[command(flatten)]
  pub site: SiteArg,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Args)]
pub struct DeletePage {
  #[command(flatten)]
  pub site: SiteArg,
  /// The UUID of the Page.
  #[arg(long)]
  pub uuid: String,
  /// Use this flag to confirm the deletion of the selected Page.
  #[arg(long)]
  pub confirm: bool,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Args)]
pub struct CreateSnapshot {
  #[command(flatten)]
  pub site: SiteArg,
  /// Set a reference to the Snapshot.
  #[arg(long = "ref")]
  pub reference: Option<String>,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Args)]
pub struct DeleteSnapshot {
  #[command(flatten)]
  pub site: SiteArg,
  /// The id of the Snapshot.
  #[arg(long)]
  pub id: String,
  /// Use this flag to confirm the deletion of the selected Snapshot.
  #[arg(long)]
  pub confirm: bool,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Args)]
pub struct DownloadSnapshotArtifacts {
  #[command(flatten)]
  pub site: SiteArg,
  /// The id of the Snapshot.
  #[arg(long)]
  pub id: String,
  #[command(flatten)]
  pub out: JsonArg,
  #[command(flatten)]
  pub download: DownloadArgs,
}

/// `--timeout` of the download commands (not in calibre@7).
#[derive(Args, Clone)]
pub struct DownloadArgs {
  /// Give up a request (the artifact list, or one file) after this long: 90s, 20m; a bare number is seconds; 0 for no limit. A server silent for 30 s fails sooner [default: 10m]
  #[arg(long, value_name = "DURATION")]
  pub timeout: Option<String>,
}

#[derive(Args)]
pub struct GetSnapshotMetrics {
  #[command(flatten)]
  pub site: SiteArg,
  /// The id of a Snapshot.
  #[arg(long)]
  pub snapshot: String,
  #[command(flatten)]
  pub out: JsonArg,
  /// Outputs the results of the command in CSV format.
  #[arg(long)]
  pub csv: bool,
}

#[derive(Args)]
pub struct Metrics {
  #[command(flatten)]
  pub site: SiteArg,
  /// A list of Page UUIDs to return metrics for. You can separate multiple Pages by a space or use multiple --pages flags.
  #[arg(long, num_args = 1.., action = ArgAction::Append)]
  pub pages: Option<Vec<String>>,
  /// A list of Test Profile UUIDs to return metrics for. You can separate multiple Test Profiles by a space or use multiple --profiles flags.
  #[arg(long, num_args = 1.., action = ArgAction::Append)]
  pub profiles: Option<Vec<String>>,
  /// A list of metric UUIDs to return metrics for. You can separate multiple metrics by a space or use multiple --metrics flags.
  #[arg(long, num_args = 1.., action = ArgAction::Append)]
  pub metrics: Option<Vec<String>>,
  #[command(flatten)]
  pub out: JsonArg,
  /// Outputs the results of the command in CSV format.
  #[arg(long)]
  pub csv: bool,
  /// The start date to retrieve data from in the Year-Month-Day format (default: 7 days ago).
  #[arg(long)]
  pub from: Option<String>,
  /// The end date to retrieve data from in the Year-Month-Day format (default: today).
  #[arg(long)]
  pub to: Option<String>,
  /// Get the last 30 days of metrics. Without this flag, CLI will use the to and from values.
  #[arg(long = "30-day")]
  pub thirty_day: bool,
}

/// A yargs boolean with a default: `--x`, `--x=false`, `--x false`, `--no-x`.
#[derive(Args, Clone)]
pub struct Javascript {
  /// Turn JavaScript execution on or off. (default: true)
  #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL", action = ArgAction::Set)]
  pub javascript: Option<bool>,
  /// Turn JavaScript execution off.
  #[arg(long = "no-javascript", conflicts_with = "javascript")]
  pub no_javascript: bool,
}

impl Javascript {
  pub fn value(&self) -> bool {
    !self.no_javascript && self.javascript.unwrap_or(true)
  }
}

#[derive(Args)]
pub struct CreateTestProfile {
  /// The name of the Test Profile
  pub name: String,
  #[command(flatten)]
  pub site: SiteArg,
  /// Choose the emulated test device.
  #[arg(long, default_value = "Desktop")]
  pub device: String,
  /// Choose the emulated network connection speed.
  #[arg(long)]
  pub connection: Option<String>,
  #[command(flatten)]
  pub javascript: Javascript,
  /// Set cookies by specifying a path to a Netscape formatted cookie jar file.
  #[arg(long = "cookie-jar", alias = "cookieJar", value_name = "PATH")]
  pub cookie_jar: Option<String>,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Args)]
pub struct UpdateTestProfile {
  /// The UUID of the Test Profile.
  #[arg(long)]
  pub uuid: String,
  /// Set the emulated device.
  #[arg(long)]
  pub device: Option<String>,
  /// Set the emulated network connection speed.
  #[arg(long)]
  pub connection: Option<String>,
  #[command(flatten)]
  pub site: SiteArg,
  #[command(flatten)]
  pub out: JsonArg,
  #[command(flatten)]
  pub javascript: Javascript,
  /// Set cookies by specifying a path to a Netscape formatted cookie jar file.
  #[arg(long = "cookie-jar", alias = "cookieJar", value_name = "PATH")]
  pub cookie_jar: Option<String>,
}

#[derive(Args)]
pub struct DeleteTestProfile {
  #[command(flatten)]
  pub site: SiteArg,
  /// The UUID of the Test Profile.
  #[arg(long)]
  pub uuid: String,
  /// Use this flag to confirm the deletion of the selected Test Profile.
  #[arg(long)]
  pub confirm: bool,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Args)]
pub struct CreatePullRequestReview {
  /// e.g. "My Pull Request"
  #[arg(long)]
  pub title: String,
  #[command(flatten)]
  pub site: SiteArg,
  /// The base URL of the preview deployment (e.g.: https://my-pull-request-123.example.com).
  #[arg(long)]
  pub url: String,
  /// The branch of the preview deployment. e.g.: "my-pull-request-123".
  #[arg(long)]
  pub branch: String,
  /// The source control revision of the deployed code. e.g.: 9c72279.
  #[arg(long)]
  pub sha: String,
  /// Path to a Calibre YAML config file.
  #[arg(long = "configPath", alias = "config-path", value_name = "PATH")]
  pub config_path: Option<String>,
  /// Wait for pull request to be evaluated before returning.
  #[arg(long = "waitForResult", alias = "wait-for-result")]
  pub wait_for_result: bool,
  /// Return a command failure if any existing budget is exceeded. (Requires --waitForResult to be set.)
  #[arg(long = "failOnUnmetBudget", alias = "fail-on-unmet-budget")]
  pub fail_on_unmet_budget: bool,
  #[command(flatten)]
  pub wait: WaitArgs,
  #[command(flatten)]
  pub out: JsonArg,
  /// Outputs the results of the command in Markdown format.
  #[arg(long)]
  pub markdown: bool,
}

#[derive(Args)]
pub struct PullRequestReview {
  /// The branch of the Pull Request Review
  pub branch: String,
  #[command(flatten)]
  pub site: SiteArg,
  #[command(flatten)]
  pub out: JsonArg,
  /// Outputs the results of the command in Markdown format.
  #[arg(long)]
  pub markdown: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MetricType {
  Synthetic,
  Crux,
  Rum,
}

#[derive(Args)]
pub struct MetricList {
  #[command(flatten)]
  pub out: JsonArg,
  /// Filter metrics by data source.
  #[arg(long = "type", value_enum)]
  pub kind: Option<MetricType>,
}

#[derive(Subcommand)]
pub enum DeployCommand {
  /// List all deployments for a Site.
  #[command(after_help = "Example:\n  calibre-native deploy list --site my-site --json")]
  List(DeployList),
  /// Create a deployment.
  #[command(
    after_help = "Example:\n  calibre-native deploy create --site my-site --revision \"$GITHUB_SHA\" --repository https://github.com/acme/site --json"
  )]
  Create(DeployCreate),
  /// Delete a deploy from a selected Site.
  #[command(
    after_help = "Example:\n  calibre-native deploy delete --site my-site --uuid <uuid> --confirm"
  )]
  Delete(DeployDelete),
}

#[derive(Args)]
pub struct DeployCreate {
  #[command(flatten)]
  pub site: SiteArg,
  /// The source control revision id of the code you are deploying. It could be a git hash or a tag name.
  #[arg(long)]
  pub revision: Option<String>,
  /// The base URL of the repository containing the source code being deployed (e.g. https://github.com/calibreapp/app).
  #[arg(long)]
  pub repository: Option<String>,
  /// The username of who deployed the code.
  #[arg(long)]
  pub username: Option<String>,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Args)]
pub struct DeployDelete {
  #[command(flatten)]
  pub site: SiteArg,
  /// The UUID of the deploy.
  #[arg(long)]
  pub uuid: String,
  /// Use this flag to confirm the deletion of the selected deploy.
  #[arg(long)]
  pub confirm: bool,
  #[command(flatten)]
  pub out: JsonArg,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormFactor {
  Desktop,
  Phone,
  Tablet,
}

/// Variant names give the values (`six-months`).
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, ValueEnum)]
pub enum TimePeriod {
  ThreeMonths,
  SixMonths,
  NineMonths,
  TwelveMonths,
  EighteenMonths,
  TwentyFourMonths,
}

#[derive(Subcommand)]
pub enum CruxCommand {
  /// Display Chrome UX Report (CrUX) origin-level performance data and Core Web Vitals assessment.
  #[command(
    after_help = "Example:\n  calibre-native crux summary --site my-site --formFactor phone --json"
  )]
  Summary(CruxSummary),
  /// Display Chrome UX Report (CrUX) historical trends for a site.
  #[command(
    after_help = "Example:\n  calibre-native crux history --site my-site --timePeriod twelve-months"
  )]
  History(CruxHistory),
  /// List Chrome UX Report (CrUX) monitored URLs with their metrics and Core Web Vitals assessment.
  #[command(after_help = "Example:\n  calibre-native crux urls --site my-site --json")]
  Urls(CruxSummary),
  /// Display Chrome UX Report (CrUX) data for a specific monitored URL.
  #[command(after_help = "Example:\n  calibre-native crux url <uuid> --site my-site")]
  Url(CruxUrl),
}

#[derive(Args)]
pub struct CruxSummary {
  #[command(flatten)]
  pub site: SiteArg,
  #[command(flatten)]
  pub out: JsonArg,
  /// Filter by device type.
  #[arg(long = "formFactor", alias = "form-factor", value_enum)]
  pub form_factor: Option<FormFactor>,
}

#[derive(Args)]
pub struct CruxHistory {
  #[command(flatten)]
  pub site: SiteArg,
  #[command(flatten)]
  pub out: JsonArg,
  /// Filter by device type.
  #[arg(long = "formFactor", alias = "form-factor", value_enum)]
  pub form_factor: Option<FormFactor>,
  /// History time window.
  #[arg(
    long = "timePeriod",
    alias = "time-period",
    value_enum,
    default_value = "six-months"
  )]
  pub time_period: TimePeriod,
  /// Number of history entries to display per metric.
  #[arg(long, default_value_t = 25)]
  pub limit: usize,
}

#[derive(Args)]
pub struct CruxUrl {
  /// The UUID of the CrUX URL (see `crux urls`)
  pub uuid: String,
  #[command(flatten)]
  pub history: CruxHistory,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DateBin {
  Today,
  Day,
  Month,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RumDevice {
  Desktop,
  Mobile,
  Tablet,
}

/// calibre@7's `rumFilterOptions`.
#[derive(Args)]
pub struct RumFilter {
  /// Number of days to aggregate.
  #[arg(long, default_value = "7")]
  pub duration: String,
  /// Time granularity.
  #[arg(
    long = "dateBin",
    alias = "date-bin",
    value_enum,
    default_value = "day"
  )]
  pub date_bin: DateBin,
  /// Filter by country code (e.g. AU).
  #[arg(long)]
  pub country: Option<String>,
  /// Filter by device type.
  #[arg(long, value_enum)]
  pub device: Option<RumDevice>,
  /// Filter by URL path.
  #[arg(long)]
  pub path: Option<String>,
  /// Filter by page grouping UUID.
  #[arg(long = "pageGrouping", alias = "page-grouping")]
  pub page_grouping: Option<String>,
}

#[derive(Subcommand)]
pub enum RumCommand {
  /// Display Real User Metrics (RUM) dashboard — live visitors, aggregate web vitals, and UX ratings.
  #[command(
    after_help = "Example:\n  calibre-native rum summary --site my-site --duration 30 --device mobile --json"
  )]
  Summary(RumSummary),
  /// Display Real User Metrics (RUM) historical trends.
  #[command(after_help = "Example:\n  calibre-native rum history --site my-site --dateBin month")]
  History(RumHistory),
  /// Display Real User Metrics (RUM) page-level breakdown.
  #[command(
    after_help = "Example:\n  calibre-native rum pages --site my-site --limit 10 --offset 10"
  )]
  Pages(RumPages),
  /// Display Real User Metrics (RUM) configuration for a site.
  #[command(after_help = "Example:\n  calibre-native rum config --site my-site --json")]
  Config(SiteJson),
}

#[derive(Args)]
pub struct RumSummary {
  #[command(flatten)]
  pub site: SiteArg,
  #[command(flatten)]
  pub out: JsonArg,
  #[command(flatten)]
  pub filter: RumFilter,
}

#[derive(Args)]
pub struct RumHistory {
  #[command(flatten)]
  pub site: SiteArg,
  #[command(flatten)]
  pub out: JsonArg,
  #[command(flatten)]
  pub filter: RumFilter,
  /// Number of history entries to display.
  #[arg(long, default_value = "25")]
  pub limit: String,
}

#[derive(Args)]
pub struct RumPages {
  #[command(flatten)]
  pub site: SiteArg,
  #[command(flatten)]
  pub out: JsonArg,
  #[command(flatten)]
  pub filter: RumFilter,
  /// Number of pages to display.
  #[arg(long, default_value = "25")]
  pub limit: String,
  /// Number of pages to skip.
  #[arg(long, default_value = "0")]
  pub offset: String,
  /// Sort pages by field.
  #[arg(long = "sortBy", alias = "sort-by", default_value = "sessionCount")]
  pub sort_by: String,
}

#[derive(Subcommand)]
pub enum TestCommand {
  /// Run a Single Page Test against any public URL.
  #[command(
    after_help = "Examples:\n  calibre-native test create https://example.com --location NorthVirginia\n  calibre-native test create https://example.com --location Ireland --device MotorolaMotoGPower --waitForTest --json\n  calibre-native test create https://example.com --location Sydney --markdown --timeout 10m"
  )]
  Create(Box<TestCreate>),
  /// Download the artifacts of a test to ./test-artifacts/<uuid>. Includes: lighthouse.json, render progress screenshots, render progress MP4 video, HAR file (request log) and all other metrics and data available through the Calibre interface.
  #[command(after_help = "Example:\n  calibre-native test download-artifacts <uuid>")]
  DownloadArtifacts(TestUuid),
  /// List recent Single Page Tests (includes UUID, URL, device, connection, test location and status).
  #[command(after_help = "Example:\n  calibre-native test list --json")]
  List(JsonArg),
  /// See the results of a Single Page Test (also as outputted by the test create command).
  #[command(after_help = "Example:\n  calibre-native test show <uuid> --markdown")]
  Show(TestShow),
}

#[derive(Args)]
pub struct TestUuid {
  /// The UUID of the test
  pub uuid: String,
  #[command(flatten)]
  pub out: JsonArg,
  #[command(flatten)]
  pub download: DownloadArgs,
}

#[derive(Args)]
pub struct TestShow {
  /// The UUID of the test
  pub uuid: String,
  #[command(flatten)]
  pub out: JsonArg,
  /// Outputs the results of the command in Markdown format.
  #[arg(long)]
  pub markdown: bool,
}

#[derive(Args)]
pub struct TestCreate {
  /// The page to test
  #[arg(required_unless_present = "url_flag", conflicts_with = "url_flag")]
  pub url: Option<String>,
  /// The page to test (the earlier calibre-native spelling of the positional URL)
  #[arg(long = "url", id = "url_flag", value_name = "URL")]
  pub url_flag: Option<String>,
  /// Choose the emulated test device.
  #[arg(long)]
  pub device: Option<String>,
  /// Choose the location for the test.
  #[arg(long)]
  pub location: String,
  /// Choose the emulated network connection speed.
  #[arg(long)]
  pub connection: Option<String>,
  /// Test result JSON will be sent to this URL using HTTP POST.
  #[arg(long = "webhookUrl", alias = "webhook-url")]
  pub webhook_url: Option<String>,
  /// Secret used to sign the webhook payload. Secret can be validated using `Calibre-HMAC-SHA256-Signature` HTTP header.
  #[arg(long = "webhookSecret", alias = "webhook-secret")]
  pub webhook_secret: Option<String>,
  /// Make the results of a test private (only accessible by members of your Calibre organisation).
  #[arg(long)]
  pub private: bool,
  /// Set a future UTC date time string (ISO8601). After this date, the test will be automatically deleted. (Min=24 hrs, Max=2 years) e.g.: 2025-12-31T23:59:59Z (default: 1 year from now)
  #[arg(long = "expiresAt", alias = "expires-at")]
  pub expires_at: Option<String>,
  /// Set cookies by specifying a path to a Netscape formatted cookie jar file.
  #[arg(long = "cookie-jar", alias = "cookieJar", value_name = "PATH")]
  pub cookie_jar: Option<String>,
  /// Set HTTP headers by providing a path to a JSON file or a valid JSON key-value pairs.
  #[arg(long)]
  pub headers: Option<String>,
  /// Block hosts by providing a comma-separated list, a path to a JSON file, or a valid JSON array. Supports wildcards (e.g., "*.example.com").
  #[arg(long = "blockedHosts", alias = "blocked-hosts")]
  pub blocked_hosts: Option<String>,
  #[command(flatten)]
  pub out: JsonArg,
  /// Outputs the results of the command in Markdown format.
  #[arg(long)]
  pub markdown: bool,
  /// Wait for the test to complete before showing the results (default: test result link is shown immediately).
  #[arg(long = "waitForTest", visible_alias = "wait", alias = "wait-for-test")]
  pub wait_for_test: bool,
  #[command(flatten)]
  pub wait: WaitArgs,
}

#[derive(Subcommand)]
pub enum TeamCommand {
  /// List Teams based on API Token access. For Admin Tokens, this will list all teams or as specified based on your settings. For Personal Access Tokens, this will list Teams that you have access to.
  #[command(after_help = "Example:\n  calibre-native team list --json")]
  List(JsonArg),
}
