//! `PullRequestReview` (calibre@7 `src/api/pull-request-review.js`): start, list and wait for
//! Pull Request Reviews.

use napi::bindgen_prelude::*;
use napi::{Env, ValueType};
use napi_derive::napi;
use serde_json::Value;

use super::poll::{not_found, Wait};
use super::vars::required_string;
use crate::call::{call, run};
use crate::client::client_of;
use crate::error::CalibreError;
use crate::graphql::{Extract, Operation};
use crate::js::{self, Args};
use crate::vars;

const CREATE_MUTATION: &str = r#"
  mutation StartPullRequestReview($site: String!, $attributes: PullRequestReviewInput!){
    startPullRequestReview(site: $site, attributes: $attributes) {
      title
      status
      branch
      markdownReport
    }
  }
"#;

const LIST_QUERY: &str = r#"
  query ListPullRequestReviews(
    $site: String!
  ) {
    organisation {
      site(slug: $site) {
        pullRequestReviews {
          title
          status
          branch
          sha
          createdAt
        }
      }
    }
  }
"#;

const GET_PR_REVIEW_BY_BRANCH: &str = r#"
  query GetPullRequestReviewByBranch($site: String!, $branch: String) {
    organisation {
      site(slug: $site) {
        pullRequestReviews(branch: $branch) {
          title
          status
          branch
          markdownReport
          metricBudgetStatus
        }
      }
    }
  }
"#;

/// Starts a Pull Request Review of a preview deployment. Runs
/// `mutation StartPullRequestReview` and resolves to `startPullRequestReview`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "PullRequestReview",
  ts_args_type = "args: PullRequestReviewCreateArgs, options?: CallOptions",
  ts_return_type = "Promise<StartedPullRequestReview>"
)]
pub fn create<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "PullRequestReview.create", options, || {
    create_op(&Args::object(
      env,
      "PullRequestReview.create",
      args,
      "{ site, title, url, branch, sha }",
    )?)
  })
}

/// The operation of `PullRequestReview.create` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn create_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  let attributes = vars! {
    "title" => args.get("title"),
    "url" => args.get("url"),
    "branch" => args.get("branch"),
    "sha" => args.get("sha"),
    "config" => args.get("config"),
  };
  Ok(Operation::new(
    CREATE_MUTATION,
    vars! {
      "site" => required_string(args, "site")?,
      "attributes" => Some(Value::Object(attributes)),
    },
    Extract::Path(&["startPullRequestReview"]),
  ))
}

/// Lists a Site's Pull Request Reviews. Runs `query ListPullRequestReviews` and resolves to
/// `organisation.site.pullRequestReviews`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` (also when the
/// Site is not found) or a transport/token code.
#[napi(
  namespace = "PullRequestReview",
  ts_args_type = "args: PullRequestReviewListArgs, options?: CallOptions",
  ts_return_type = "Promise<PullRequestReviewSummary[]>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "PullRequestReview.list", options, || {
    list_op(&Args::object(
      env,
      "PullRequestReview.list",
      args,
      "{ site }",
    )?)
  })
}

/// The operation of `PullRequestReview.list` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn list_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    LIST_QUERY,
    vars! { "site" => required_string(args, "site")? },
    Extract::Path(&["organisation", "site", "pullRequestReviews"]),
  ))
}

/// `(site, branch)` → the `GetPullRequestReviewByBranch` operation. `branch` is optional in
/// the document (`String`): `undefined` is left out, `null` sent.
fn by_branch_op(
  env: &Env,
  function: &'static str,
  site: Unknown,
  branch: Unknown,
) -> std::result::Result<Operation, CalibreError> {
  let site = js::positional_string(env, function, "site", site)?;
  let branch = match branch.get_type().unwrap_or(ValueType::Undefined) {
    ValueType::Undefined => None,
    ValueType::Null => Some(Value::Null),
    _ => Some(Value::String(js::positional_string(
      env, function, "branch", branch,
    )?)),
  };
  Ok(branch_op(site, branch))
}

/// The `GetPullRequestReviewByBranch` operation (also run by the `calibre-native` CLI);
/// `branch: None` is left out of the variables.
pub(crate) fn branch_op(site: String, branch: Option<Value>) -> Operation {
  Operation::new(
    GET_PR_REVIEW_BY_BRANCH,
    vars! { "site" => Some(Value::String(site)), "branch" => branch },
    Extract::Path(&["organisation", "site", "pullRequestReviews"]),
  )
}

/// The Pull Request Reviews of a branch, newest first. Runs
/// `query GetPullRequestReviewByBranch` and resolves to `organisation.site.pullRequestReviews`.
/// `branch` may be omitted (every review of the Site) or `null`, as in calibre@7.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` (also when the
/// Site is not found) or a transport/token code.
#[napi(
  namespace = "PullRequestReview",
  js_name = "getPRReviewByBranch",
  ts_args_type = "site: string, branch?: string | null, options?: CallOptions",
  ts_return_type = "Promise<PullRequestReviewDetails[]>"
)]
pub fn get_pr_review_by_branch<'env>(
  env: &'env Env,
  this: This<Unknown>,
  site: Unknown,
  branch: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  const F: &str = "PullRequestReview.getPRReviewByBranch";
  call(env, &this, F, options, || {
    by_branch_op(env, F, site, branch)
  })
}

/// Waits for the newest Pull Request Review of a branch to finish and resolves to it. Like
/// calibre@7 it sleeps 5000 ms before each `query GetPullRequestReviewByBranch`, looks at the
/// first review (an empty list means "not yet", so it keeps polling) and stops at status
/// `completed`, `errored` or `timeout`. Options: `intervalMs` (sleep, default 5000),
/// `timeoutMs` (bound on the whole wait; default none), `signal`.
/// Rejects with `CALIBRE_TIMEOUT` (naming the last status), `CALIBRE_ABORTED`,
/// `CALIBRE_GRAPHQL_ERROR` (also when the Site is not found), `CALIBRE_INVALID_ARGUMENT` or a
/// transport/token code of a poll.
#[napi(
  namespace = "PullRequestReview",
  ts_args_type = "site: string, branch?: string | null, options?: WaitOptions",
  ts_return_type = "Promise<PullRequestReviewDetails>"
)]
pub fn wait_for_review_completion<'env>(
  env: &'env Env,
  this: This<Unknown>,
  site: Unknown,
  branch: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  const F: &str = "PullRequestReview.waitForReviewCompletion";
  let op = match by_branch_op(env, F, site, branch) {
    Ok(op) => op,
    Err(err) => return js::rejected(env, err),
  };
  // `timeoutMs` bounds the whole wait; each poll keeps the client's own request timeout.
  let request_timeout = client_of(&this).request_timeout();
  run(env, &this, F, options, move |session, options| {
    let wait = Wait::from_options(F, &options)?;
    let session = session.with_request_timeout(request_timeout);
    Ok(async move {
      let (session, op) = (&session, &op);
      let fetch = move || async move {
        match session.execute_value(op).await? {
          // calibre@7: `const [review] = reviews`; no review yet → keep polling.
          Value::Array(reviews) => Ok(reviews.into_iter().next().unwrap_or(Value::Null)),
          // A null list crashed calibre@7 (TypeError: not iterable).
          _ => Err(
            not_found(F, "organisation.site.pullRequestReviews")
              .with_request(op.request_info())
              .with_token_source_opt(session.token_source()),
          ),
        }
      };
      wait.until_terminal(F, fetch).await
    })
  })
}
