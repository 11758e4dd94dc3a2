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
//! written to a temporary name first, so a broken download never leaves a partial file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::context::{execute, Ctx, Prepared};
use super::human;
use super::json::{self, coerce};
use super::term::Term;
use super::tree::{DownloadSnapshotArtifacts, TestUuid};
use crate::api::{snapshot, test};
use crate::error::{CalibreError, ErrorCode};
use crate::js::Args;
use crate::transport::{self, HttpEnv};

/// The HTTP client of the call: the client's own, else the shared one for the proxies and
/// trust roots of the call's environment (the same as its GraphQL requests use).
fn http_client(ctx: &Ctx) -> Result<Arc<reqwest::Client>, CalibreError> {
  match &ctx.call.client.http {
    Some(own) => Ok(Arc::clone(own)),
    None => transport::shared_client(&HttpEnv::from_env(&ctx.call.env)),
  }
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

/// GETs `url` into `path` (kept when it already exists).
async fn download(
  http: &reqwest::Client,
  function: &str,
  url: &str,
  path: &Path,
) -> Result<bool, CalibreError> {
  if path.exists() {
    return Ok(false);
  }
  let failed = |e: String| {
    CalibreError::new(
      ErrorCode::NetworkError,
      format!("{function}: downloading {url} failed: {e}"),
    )
  };
  let mut response = http
    .get(url)
    .send()
    .await
    .map_err(|e| failed(e.to_string()))?;
  if !response.status().is_success() {
    return Err(CalibreError::new(
      ErrorCode::HttpError,
      format!(
        "{function}: downloading {url} failed with HTTP {}",
        response.status()
      ),
    ));
  }
  let temp = path.with_extension(format!("part-{}", std::process::id()));
  let result = async {
    use std::io::Write;
    let mut file =
      std::fs::File::create(as_node_opens(&temp)).map_err(|e| io_error(function, &temp, e))?;
    while let Some(chunk) = response.chunk().await.map_err(|e| failed(e.to_string()))? {
      file
        .write_all(&chunk)
        .map_err(|e| io_error(function, &temp, e))?;
    }
    file.sync_all().map_err(|e| io_error(function, &temp, e))?;
    std::fs::rename(as_node_opens(&temp), as_node_opens(path))
      .map_err(|e| io_error(function, path, e))
  }
  .await;
  if result.is_err() {
    let _ = std::fs::remove_file(as_node_opens(&temp));
  }
  result.map(|()| true)
}

/// Downloads a test's files into `dir`, all at once; returns the manifest entries (relative to
/// `root`) of the files that exist, in calibre@7's order.
async fn download_test(
  http: &reqwest::Client,
  function: &'static str,
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
          term.out(&format!(
            "  - {label}: skipped (no {} available)",
            label.to_lowercase()
          ));
          Ok(None)
        }
        Some(url) => {
          let fetched = download(http, function, &url, &path).await?;
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
  let base = cwd(F)?;
  let http = http_client(ctx)?;
  ctx.run(F, move |session, term| async move {
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
    download_test(&http, F, term, &urls, &dir, &dir).await?;
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
  let base = cwd(F)?;
  let http = http_client(ctx)?;
  ctx.run(F, move |session, term| async move {
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
    for t in &tests {
      let page = t.get("page").cloned().unwrap_or(Value::Null);
      let profile = t.get("testProfile").cloned().unwrap_or(Value::Null);
      let dir = root.join(dir_name(&page)).join(dir_name(&profile));
      std::fs::create_dir_all(as_node_opens(&dir)).map_err(|e| io_error(F, &dir, e))?;
      term.out(&format!(
        "Downloading artifacts (Page: {}) (Test Profile: {})",
        human::text(&page, "name"),
        human::text(&profile, "name")
      ));
      let files = download_test(&http, F, term, t, &dir, &root).await?;
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
    let manifest_path = root.join("manifest.json");
    std::fs::write(as_node_opens(&manifest_path), json::compact(&manifest))
      .map_err(|e| io_error(F, &manifest_path, e))?;
    term.out(&format!("Saved artifacts to {}", relative(&root, &base)));
    Ok(0)
  })
}
