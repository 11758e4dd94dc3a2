//! `synthetic download-artifacts` and `test download-artifacts`: the artifact URLs come from
//! the API operations (`Snapshot.fetchArtifacts`, `Test.fetchArtifacts`); the files are
//! written where calibre@7 documents them, under the current directory:
//!
//! - `test-artifacts/<uuid>/{image.jpg,render.mp4,requests.har,lighthouse.json}`
//! - `snapshot-artifacts/<site>/<id>/<page name>-<page uuid>/<profile name>-<profile uuid>/…`
//!   plus `snapshot-artifacts/<site>/<id>/manifest.json`.
//!
//! As in calibre@7 a file that already exists is kept (a re-run fetches only what is missing)
//! and the downloads send no token (the URLs are signed). Unlike calibre@7 a failed download
//! (HTTP error) is an error rather than a file holding the error page, and each file is
//! written to a temporary name first, so a broken download never leaves a partial file. The
//! files come through the session (`Session::download`): the call's HTTP client, retries, the
//! `--timeout` of each request and a read timeout, the debug log and events, and a progress
//! line on a terminal.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

use super::context::{execute, parse_duration, Ctx, Prepared};
use super::human;
use super::json::{self, coerce};
use super::term::{Meter, Term};
use super::tree::{DownloadSnapshotArtifacts, TestUuid};
use crate::api::{snapshot, test};
use crate::error::{CalibreError, ErrorCode};
use crate::js::Args;
use crate::session::Session;

/// Each request of a download command (the artifact list, each file) gets this long unless
/// `--timeout` says otherwise; a server that goes silent fails sooner (the read timeout).
const DEFAULT_DOWNLOAD_TIMEOUT: &str = "10m";

/// `--timeout` of a download command; `0` leaves only the read timeout.
fn download_timeout(function: &str, raw: Option<&str>) -> Result<Duration, CalibreError> {
  let limit = parse_duration(
    function,
    "--timeout",
    raw.unwrap_or(DEFAULT_DOWNLOAD_TIMEOUT),
  )?;
  // A century stands for "no limit": tokio's timers take it, `Duration::MAX` they would not.
  Ok(if limit.is_zero() {
    Duration::from_secs(100 * 365 * 24 * 3600)
  } else {
    limit
  })
}

/// The four files of a test: (label, URL key, file name, manifest key).
const FILES: [(&str, &str, &str, &str); 4] = [
  ("Screenshot", "image", "image.jpg", "screenshotPath"),
  (
    "MP4 Video Render",
    "video",
    "render.mp4",
    "mp4VideoRenderPath",
  ),
  ("HAR", "har", "requests.har", "harPath"),
  (
    "Lighthouse Report",
    "lighthouse",
    "lighthouse.json",
    "lighthousePath",
  ),
];

/// The working directory (getcwd; no environment variable is read).
fn cwd(function: &str) -> Result<PathBuf, CalibreError> {
  std::env::current_dir().map_err(|e| {
    CalibreError::new(
      ErrorCode::ConfigAccess,
      format!("{function}: cannot read the current directory: {e}"),
    )
  })
}

fn io_error(function: &str, path: &Path, e: std::io::Error) -> CalibreError {
  CalibreError::new(
    ErrorCode::ConfigAccess,
    format!("{function}: cannot write {}: {e}", path.display()),
  )
}

fn relative(path: &Path, base: &Path) -> String {
  path
    .strip_prefix(base)
    .unwrap_or(path)
    .display()
    .to_string()
}

/// GETs `url` into `path` (kept when it already exists), through a temporary file.
async fn download(
  session: &Session,
  meter: &Meter,
  url: &str,
  path: &Path,
) -> Result<bool, CalibreError> {
  if as_node_opens(path).exists() {
    return Ok(false);
  }
  let temp = path.with_extension(format!("part-{}", std::process::id()));
  let slot = meter.add();
  let progress = |bytes, total| meter.update(slot, bytes, total);
  let result = async {
    session
      .download(url, &as_node_opens(&temp), &progress)
      .await
      .map_err(|mut e| {
        e.message = format!("{}: {}", session.function, e.message);
        e
      })?;
    std::fs::rename(as_node_opens(&temp), as_node_opens(path))
      .map_err(|e| io_error(session.function, path, e))
  }
  .await;
  if result.is_err() {
    let _ = std::fs::remove_file(as_node_opens(&temp));
    // The error is printed next, on a line of its own.
    meter.clear();
  }
  result.map(|()| true)
}

/// Downloads a test's files into `dir`, all at once; returns the manifest entries (relative to
/// `root`) of the files that exist, in calibre@7's order.
async fn download_test(
  session: &Session,
  meter: &Meter,
  term: Term,
  urls: &Value,
  dir: &Path,
  root: &Path,
) -> Result<Map<String, Value>, CalibreError> {
  let jobs = FILES.map(|(label, key, file, _)| {
    let url = urls.get(key).and_then(Value::as_str).map(str::to_owned);
    let path = dir.join(file);
    async move {
      match url {
        None => {
          meter.clear();
          term.out(&format!(
            "  - {label}: skipped (no {} available)",
            label.to_lowercase()
          ));
          Ok(None)
        }
        Some(url) => {
          let fetched = download(session, meter, &url, &path).await?;
          meter.clear();
          term.out(&format!(
            "  {} {label}{}",
            term.green("✔"),
            if fetched { "" } else { " (already there)" }
          ));
          Ok::<_, CalibreError>(Some(path))
        }
      }
    }
  });
  let [a, b, c, d] = jobs;
  let results = tokio::join!(a, b, c, d);
  let mut manifest = Map::new();
  for ((_, _, _, key), result) in FILES
    .iter()
    .zip([results.0, results.1, results.2, results.3])
  {
    if let Some(path) = result? {
      manifest.insert((*key).to_owned(), Value::String(relative(&path, root)));
    }
  }
  Ok(manifest)
}

pub fn test(a: TestUuid, ctx: &Ctx) -> Prepared {
  const F: &str = "test download-artifacts";
  let op = test::fetch_artifacts_op(a.uuid.clone());
  let (json, uuid) = (a.out.json, a.uuid);
  let timeout = download_timeout(F, a.download.timeout.as_deref())?;
  let base = cwd(F)?;
  ctx.run(F, move |session, term| async move {
    let session = session.with_request_timeout(timeout);
    let urls = execute(&session, &op).await?;
    if json {
      term.out(&json::pretty(&urls));
      return Ok(0);
    }
    if urls.is_null() {
      return Err(CalibreError::new(
        ErrorCode::GraphqlError,
        format!("{F}: Test not found"),
      ));
    }
    let dir = base.join("test-artifacts").join(&uuid);
    std::fs::create_dir_all(as_node_opens(&dir)).map_err(|e| io_error(F, &dir, e))?;
    term.out("Downloading test artifacts");
    let meter = term.meter("Downloading", 0);
    download_test(&session, &meter, term, &urls, &dir, &dir).await?;
    meter.clear();
    term.out(&format!("Saved artifacts to {}", relative(&dir, &base)));
    Ok(0)
  })
}

/// `name.replace(path.sep, '')`: the first separator only, as in calibre@7. On Windows
/// `path.join` then turns any `/` left into `\\`, a folder of its own.
fn dir_name(item: &Value) -> String {
  let name = human::text(item, "name").replacen(std::path::MAIN_SEPARATOR, "", 1);
  let name = if cfg!(windows) {
    name.replace('/', "\\")
  } else {
    name
  };
  format!("{name}-{}", human::text(item, "uuid"))
}

/// The path as Node's `fs` hands it to Windows (calibre@7 writes artifacts with it): absolute,
/// with the `\\?\` prefix, so that a name keeps the trailing space or dot that Windows
/// would otherwise strip (`Phone / 3G` makes a folder `Phone `); elsewhere the path as it is.
#[cfg(windows)]
fn as_node_opens(path: &Path) -> PathBuf {
  use std::path::{Component, Prefix};
  let absolute = match std::env::current_dir() {
    Ok(cwd) if path.is_relative() => cwd.join(path),
    _ => path.to_path_buf(),
  };
  let mut start = std::ffi::OsString::new();
  let mut names = Vec::new();
  for component in absolute.components() {
    match component {
      Component::Prefix(prefix) => match prefix.kind() {
        Prefix::Disk(drive) => start.push(format!("\\\\?\\{}:", drive as char)),
        Prefix::UNC(server, share) => {
          start.push("\\\\?\\UNC\\");
          start.push(server);
          start.push("\\");
          start.push(share);
        }
        // Already verbatim, or a device path: as it is.
        _ => return absolute,
      },
      Component::RootDir | Component::CurDir => {}
      // Windows resolves no `..` in a verbatim path: as Node's `path.resolve`, here.
      Component::ParentDir => {
        names.pop();
      }
      Component::Normal(name) => names.push(name),
    }
  }
  for name in names {
    start.push("\\");
    start.push(name);
  }
  PathBuf::from(start)
}

#[cfg(not(windows))]
fn as_node_opens(path: &Path) -> PathBuf {
  path.to_path_buf()
}

pub fn snapshot(a: DownloadSnapshotArtifacts, ctx: &Ctx) -> Prepared {
  const F: &str = "synthetic download-artifacts";
  let id = coerce(&a.id);
  let op = snapshot::fetch_artifacts_op(&Args::from_map(
    F,
    json::object([
      ("site", Some(Value::String(a.site.site.clone()))),
      ("id", Some(id.clone())),
    ]),
  ))?;
  let (json, site) = (a.out.json, a.site.site);
  let timeout = download_timeout(F, a.download.timeout.as_deref())?;
  let base = cwd(F)?;
  ctx.run(F, move |session, term| async move {
    let session = session.with_request_timeout(timeout);
    let response = execute(&session, &op).await?;
    if json {
      term.out(&json::pretty(&response));
      return Ok(0);
    }
    let Some(found) = response.get("snapshot").filter(|s| !s.is_null()) else {
      return Err(CalibreError::new(
        ErrorCode::GraphqlError,
        format!("{F}: Snapshot not found"),
      ));
    };
    let root = base
      .join("snapshot-artifacts")
      .join(&site)
      .join(human::plain(Some(&id)));
    std::fs::create_dir_all(as_node_opens(&root)).map_err(|e| io_error(F, &root, e))?;
    let tests = found
      .get("tests")
      .and_then(Value::as_array)
      .cloned()
      .unwrap_or_default();
    term.out(&format!(
      "Fetching artifacts for Snapshot #{} -- {} tests",
      human::plain(Some(&id)),
      tests.len()
    ));
    let mut entries = Vec::new();
    let meter = term.meter("Downloading", 0);
    for t in &tests {
      let page = t.get("page").cloned().unwrap_or(Value::Null);
      let profile = t.get("testProfile").cloned().unwrap_or(Value::Null);
      let dir = root.join(dir_name(&page)).join(dir_name(&profile));
      std::fs::create_dir_all(as_node_opens(&dir)).map_err(|e| io_error(F, &dir, e))?;
      meter.clear();
      term.out(&format!(
        "Downloading artifacts (Page: {}) (Test Profile: {})",
        human::text(&page, "name"),
        human::text(&profile, "name")
      ));
      let files = download_test(&session, &meter, term, t, &dir, &root).await?;
      let pick = |v: &Value| {
        Value::Object(json::object([
          ("uuid", v.get("uuid").cloned()),
          ("name", v.get("name").cloned()),
        ]))
      };
      let mut entry = json::object([
        ("page", Some(pick(&page))),
        ("profile", Some(pick(&profile))),
      ]);
      entry.extend(files);
      entries.push(Value::Object(entry));
    }
    let manifest = Value::Object(json::object([
      ("site", Some(Value::String(site.clone()))),
      ("snapshotId", Some(id.clone())),
      ("rootPath", Some(Value::String(root.display().to_string()))),
      ("tests", Some(Value::Array(entries))),
    ]));
    meter.clear();
    let manifest_path = root.join("manifest.json");
    std::fs::write(as_node_opens(&manifest_path), json::compact(&manifest))
      .map_err(|e| io_error(F, &manifest_path, e))?;
    term.out(&format!("Saved artifacts to {}", relative(&root, &base)));
    Ok(0)
  })
}
