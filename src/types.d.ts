/// <reference types="node" />
/* calibre-native: hand-written type header (napi `dtsHeaderFile`). The generated declarations follow it. */
/* eslint-disable */

// napi's loader (native.js) also exports `__napiBindingTarget`, which says which build it loaded. It is the
// loader's detail, not this package's API: declaring the name here, unexported, keeps napi from adding an
// exported declaration of it below (napi leaves a name the header already binds alone). `export {}` stops a
// declaration file from exporting its unexported declarations; everything public is exported explicitly.
declare const __napiBindingTarget: 'native'
export {}

// ─────────────────────────────────────────────────────────────────────────────
// Errors
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Stable machine-readable error codes carried by {@link CalibreError.code}.
 *
 * - `CALIBRE_TOKEN_MISSING`: no token from the `token` option, `CALIBRE_API_TOKEN` or the config file.
 * - `CALIBRE_TOKEN_INVALID`: the token has characters that cannot appear in an HTTP header; rejected before any request.
 * - `CALIBRE_UNAUTHORIZED`: the API answered HTTP 401.
 * - `CALIBRE_TOKEN_EXPIRED`: the API reports that the token has expired (refresh it or re-save it in Calibre).
 * - `CALIBRE_IP_NOT_ALLOWED`: the token's allowed IP list excludes this machine.
 * - `CALIBRE_FORBIDDEN`: HTTP 403 that is not otherwise classified.
 * - `CALIBRE_RATE_LIMITED`: HTTP 429 after the retries were used up.
 * - `CALIBRE_GRAPHQL_ERROR`: the response carried GraphQL `errors` (see {@link CalibreError.errors}).
 * - `CALIBRE_HTTP_ERROR`: any other non-2xx HTTP status.
 * - `CALIBRE_INVALID_RESPONSE`: the body was not JSON or not a GraphQL response.
 * - `CALIBRE_NETWORK_ERROR`: DNS, connection, TLS or proxy failure.
 * - `CALIBRE_TIMEOUT`: `timeoutMs` elapsed.
 * - `CALIBRE_ABORTED`: the caller's `AbortSignal` fired.
 * - `CALIBRE_CONFIG_CORRUPT`: the config file is not valid JSON; it is left untouched.
 * - `CALIBRE_CONFIG_ACCESS`: the config file or its directory could not be read or written.
 * - `CALIBRE_KEYRING_UNAVAILABLE`: the OS keyring could not be reached or answered too late (no session bus, no
 *   Secret Service, a locked collection); the message says why and what to do.
 * - `CALIBRE_TOKEN_COMMAND_FAILED`: the token command (`CALIBRE_TOKEN_COMMAND` or a profile's) could not run,
 *   timed out, exited non-zero or printed no token.
 * - `CALIBRE_INVALID_ARGUMENT`: an argument has the wrong type or is missing.
 */
export type CalibreErrorCode =
  | 'CALIBRE_TOKEN_MISSING'
  | 'CALIBRE_TOKEN_INVALID'
  | 'CALIBRE_UNAUTHORIZED'
  | 'CALIBRE_TOKEN_EXPIRED'
  | 'CALIBRE_IP_NOT_ALLOWED'
  | 'CALIBRE_FORBIDDEN'
  | 'CALIBRE_RATE_LIMITED'
  | 'CALIBRE_GRAPHQL_ERROR'
  | 'CALIBRE_HTTP_ERROR'
  | 'CALIBRE_INVALID_RESPONSE'
  | 'CALIBRE_NETWORK_ERROR'
  | 'CALIBRE_TIMEOUT'
  | 'CALIBRE_ABORTED'
  | 'CALIBRE_CONFIG_CORRUPT'
  | 'CALIBRE_CONFIG_ACCESS'
  | 'CALIBRE_KEYRING_UNAVAILABLE'
  | 'CALIBRE_TOKEN_COMMAND_FAILED'
  | 'CALIBRE_INVALID_ARGUMENT'

/** A position in the GraphQL document that a {@link GraphQLError} refers to. */
export interface GraphQLErrorLocation {
  /** 1-based line in the query document. */
  line: number
  /** 1-based column in the query document. */
  column: number
}

/** One validation problem the Calibre API attaches to a GraphQL error in `extensions.problems`. */
export interface GraphQLProblem {
  /** Path inside the offending variable or input object, e.g. `['attributes', 'name']`. */
  path?: Array<string | number>
  /** Human-readable explanation, e.g. `"Expected value to not be null"`. calibre's CLI shows this first. */
  explanation: string
}

/** One entry of a GraphQL response's `errors` array, as sent by the Calibre API. */
export interface GraphQLError {
  /** The error message from the server. */
  message: string
  /** Where in the query document the error occurred. */
  locations?: GraphQLErrorLocation[]
  /** Response path of the field that failed. */
  path?: Array<string | number>
  /** Server-specific details. */
  extensions?: {
    /** Input validation problems; `problems[0].explanation` is the most useful message. */
    problems?: GraphQLProblem[]
    /** Any other extension keys the server sends. */
    [key: string]: unknown
  }
}

/**
 * Where the token used for a request came from:
 * `'option'` = passed in code (`new Calibre({ token })` or an explicit argument),
 * `'env'` = the `CALIBRE_API_TOKEN` environment variable,
 * `'file'` = the configstore file (`~/.config/configstore/calibre.json` or under `$XDG_CONFIG_HOME`).
 */
/**
 * Where a token came from: the `token` option (`'option'`) or a `token` function (`'function'`),
 * `CALIBRE_API_TOKEN` (`'env'`), the file `CALIBRE_API_TOKEN_FILE` names (`'env-file'`), a token command
 * (`'command'`: `CALIBRE_TOKEN_COMMAND` or a profile's), the OS keyring (`'keyring'`), or the config file
 * (`'file'`: calibre@7's `token` key or a profile's entry).
 */
export type TokenSource = 'option' | 'function' | 'env' | 'env-file' | 'command' | 'keyring' | 'file'

/**
 * The single error type every calibre-native function throws (rejects with).
 * Test for it with `err instanceof CalibreError` and branch on {@link CalibreError.code}.
 *
 * For compatibility with calibre@7, which threw the bare GraphQL `errors` array, the GraphQL errors are
 * also reachable by index with a `length`, so existing code such as
 * `catch (e) { e[0].extensions.problems[0].explanation }` keeps working.
 * Messages name the token source (never the token itself) and say what to do next.
 * Instances are created by the library; user code is not expected to construct them.
 */
export interface CalibreError extends Error {
  /** Always `'CalibreError'`. */
  readonly name: 'CalibreError'
  /** Stable error code; see {@link CalibreErrorCode}. */
  readonly code: CalibreErrorCode
  /** HTTP status of the response, or `null` when no response was received (network error, timeout, abort, local errors). */
  readonly status: number | null
  /** GraphQL errors from the response body; empty when there were none. */
  readonly errors: GraphQLError[]
  /** The HTTP response, when one was received. `headers` have lower-case names. */
  readonly response?: {
    /** HTTP status code. */
    status: number
    /** Response headers (lower-case names). */
    headers: Record<string, string>
    /** Raw response body text. */
    body: string
  }
  /** The GraphQL request that failed (never contains the token). */
  readonly request?: {
    /** The GraphQL document sent. */
    query: string
    /** The variables sent. */
    variables: Record<string, unknown>
  }
  /** Which source supplied the token used, when one was resolved. */
  readonly tokenSource?: TokenSource
  /** Path of the config file involved (token source `'file'`, or a config error). */
  readonly tokenPath?: string
  /** Number of HTTP attempts made (1 when not retried; 0 when the request was never sent). */
  readonly attempts: number
  /** Number of GraphQL errors (same as `errors.length`), for calibre@7-style array access. */
  readonly length: number
  /** GraphQL error by index (same as `errors[index]`), for calibre@7-style array access. */
  readonly [index: number]: GraphQLError
}

// ─────────────────────────────────────────────────────────────────────────────
// Call options and client configuration
// ─────────────────────────────────────────────────────────────────────────────

/** Optional trailing argument accepted by every API function. */
export interface CallOptions {
  /** Cancels the call; the promise rejects with a {@link CalibreError} whose code is `CALIBRE_ABORTED`. */
  signal?: AbortSignal | undefined
  /** Per-request time limit in milliseconds, from waiting for the throttle to the last byte; exceeding it rejects with code `CALIBRE_TIMEOUT`. Default: 60 000 (or the client's `timeoutMs`). */
  timeoutMs?: number | undefined
}

/** Options for the polling helpers `Test.waitForTest` and `PullRequestReview.waitForReviewCompletion`. */
export interface WaitOptions extends CallOptions {
  /** Milliseconds to sleep before each poll (including the first, like calibre@7). Default: 5000. */
  intervalMs?: number | undefined
  /**
   * Time limit in milliseconds for the whole wait (all polls together); exceeding it rejects with code
   * `CALIBRE_TIMEOUT`. Default: unbounded, like calibre@7 (each poll still has the default request timeout).
   */
  timeoutMs?: number | undefined
}

/** A request-start rate limit: at most `limit` request starts in any `intervalMs` window. */
export interface ThrottleOptions {
  /** Maximum number of request starts per window. */
  limit: number
  /** Window length in milliseconds. */
  intervalMs: number
}

/** Configuration for a client created with `new Calibre(options)`. Every field is optional. */
export interface CalibreOptions {
  /**
   * API token used for every call of this client, or a function returning it (or a promise of it), called
   * when each call starts: a throw or rejection fails that call with `CALIBRE_TOKEN_MISSING` and what was
   * thrown as `cause`. When omitted, the token is resolved on each call through the chain: `profile`,
   * `CALIBRE_API_TOKEN`, `CALIBRE_API_TOKEN_FILE`, `CALIBRE_TOKEN_COMMAND`, the default profile, then the
   * config file (or the OS keyring). Present but `undefined`, `null` or blank (an unset variable): the
   * constructor throws `CALIBRE_TOKEN_MISSING`, never using another source.
   */
  token?: string | (() => string | Promise<string>) | undefined
  /**
   * A profile stored with `calibre-native token set --profile NAME` (or `Token.set(token, { profile })`):
   * its token and host. Beats `CALIBRE_PROFILE`; naming a profile skips the environment's tokens, and a
   * name with no profile is an error (`CALIBRE_TOKEN_MISSING`), never another organisation's token.
   */
  profile?: string | undefined
  /** API host, without the `/graphql` path. Default: `CALIBRE_HOST`, else `https://api.calibreapp.com`. */
  host?: string | undefined
  /**
   * Web app host, used for the token refresh endpoint (`/api/refresh_token`).
   * Default: `CALIBRE_APP_HOST`, else `CALIBRE_HOST`, else `https://calibreapp.com`.
   */
  appHost?: string | undefined
  /** Default per-request timeout in milliseconds for this client. Default: 60 000. */
  timeoutMs?: number | undefined
  /**
   * Request-start throttle for this client. Default: the process-wide throttle shared with the module-level
   * functions (10 starts per 1100 ms, Calibre's published limit). An object gives this client its own
   * throttle; `false` disables throttling for this client.
   */
  throttle?: ThrottleOptions | false | undefined
  /**
   * Retries of failed requests: 429, 502, 503, 504 and connection failures before any response (not TLS
   * certificate failures, not timeouts), with full-jitter exponential backoff honouring `Retry-After`, and
   * `RateLimit-Reset` when the quota is spent. Mutations are retried only where the server cannot have
   * acted on them (no connection, 429, 503 with `Retry-After`).
   * Default: `{ max: 3, baseMs: 500, capMs: 20000 }`; `false` turns retries off.
   */
  retries?: RetryOptions | false | undefined
  /**
   * Proxy for this client. Default: the `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY`
   * environment variables (either case; unlike Node's own `fetch`, which ignores them).
   * A URL string uses that proxy (hosts in `NO_PROXY`, or every host with `NO_PROXY=*`, still bypass it);
   * `false` uses none.
   */
  proxy?: string | false | undefined
  /**
   * Extra trusted certificate authorities (PEM), added to Mozilla's roots (built in), the system
   * trust store and `NODE_EXTRA_CA_CERTS` — for corporate TLS-inspecting proxies and private CAs.
   */
  ca?: string | undefined
  /** Largest response body accepted (decoded), in bytes; a larger one fails with `CALIBRE_INVALID_RESPONSE`. Default: 100 MiB. */
  maxResponseBytes?: number | undefined
  /**
   * Refresh the token automatically before a call when its expiry is known (from a previous refresh, or
   * `tokenExpiresAt` in the config file) and falls within 5 minutes. One refresh at a time (concurrent
   * calls wait for it), at most one attempt per 30 s; a failed refresh keeps the still-valid token and is
   * reported once as a `CALIBRE_TOKEN_REFRESH_FAILED` process warning. Default: `true`.
   */
  autoRefresh?: boolean | undefined
  /**
   * Called after every successful refresh of this client's token (automatic or `Token.refresh()`), e.g. to
   * save a new token to your own secret store. Tokens from the config file are rewritten there anyway.
   */
  onTokenRefreshed?: ((info: TokenRefreshedInfo) => void) | undefined
}

/** What {@link CalibreOptions.onTokenRefreshed} receives. */
export interface TokenRefreshedInfo extends TokenRefreshResult {
  /** Where the refreshed token came from. */
  source: TokenSource
}

/** Options of `Token.status()`. */
export interface TokenStatusOptions extends CallOptions {
  /** Also make one cheap authenticated request and report the outcome in `check`. */
  check?: boolean | undefined
}

/** What `Token.status()` reports about the token the next call would use. */
export interface TokenStatus {
  /** Where the token comes from. */
  source: TokenSource
  /** The file read, when `source` is `'file'` or `'env-file'`. */
  path?: string
  /** The profile, when the token is a profile's. */
  profile?: string
  /** The first four characters and an ellipsis, never the whole token. */
  masked: string
  /** Known expiry (ISO 8601), or `null` when unknown. */
  expiresAt: string | null
  /** Milliseconds until the known expiry (negative once expired), or `null`. */
  expiresInMs: number | null
  /** Whether storing a token would succeed: the directory the file is replaced in is writable, and an existing file is a readable regular file (through any symlink). */
  writable: boolean
  /** True when an environment source (`CALIBRE_API_TOKEN`, its `_FILE`, `CALIBRE_TOKEN_COMMAND`) is in use while the config file also holds a token. */
  shadowedByEnv: boolean
  /** With `check: true`: the outcome of one authenticated request. */
  check?: 'valid' | 'expired' | 'ip-not-allowed' | 'invalid' | 'unreachable'
  /** With `check: true` and a failure: what the server or network said. */
  checkMessage?: string | null
}

/** Retry policy of a client (see {@link CalibreOptions.retries}). */
export interface RetryOptions {
  /** Retries after the first attempt, 0–20. Default: 3. */
  max?: number | undefined
  /** Base backoff in milliseconds; the n-th retry waits a random time up to `baseMs * 2^(n-1)`. Default: 500. */
  baseMs?: number | undefined
  /** Longest single wait in milliseconds; a server asking for longer is not retried. Default: 20 000. */
  capMs?: number | undefined
}

// ─────────────────────────────────────────────────────────────────────────────
// Tokens
// ─────────────────────────────────────────────────────────────────────────────

/** A token resolved through the chain (see {@link TokenSource}). */
export interface ResolvedToken {
  /** The token itself. Treat as a secret. */
  token: string
  /** Where it came from. */
  source: TokenSource
  /** The file read, when `source` is `'file'` or `'env-file'`. */
  path?: string
  /** The profile, when the token is a profile's. */
  profile?: string
}

/** Where `Token.set` puts a token. */
export interface TokenSetOptions {
  /** `'file'` (default): the config file. `'keyring'`: the OS credential store; the config file then records only that it is there. */
  store?: 'file' | 'keyring' | undefined
  /** Store it as this profile (letters, digits, `.`, `_`, `-`); `'default'` is calibre@7's own token. */
  profile?: string | undefined
  /** The profile's API host (profiles only). */
  host?: string | undefined
}

/** Result of storing a token. */
export interface TokenSetResult {
  /** The config file written (it holds the token, or records where it lives). */
  path: string
  /** Where the token went. */
  store: 'file' | 'keyring'
  /** The profile, when one was named. */
  profile?: string
  /** `true` when `CALIBRE_API_TOKEN` is set, so the stored token will not be used while it remains set. */
  shadowedByEnv: boolean
}

/** One entry of {@link TokenList}: never the token, at most its first four characters. */
export interface TokenProfile {
  /** The profile's name; `'default'` is calibre@7's own token. */
  name: string
  /** Where its token lives; `'none'` when `default` holds none. */
  store: 'file' | 'keyring' | 'command' | 'none'
  /** The first four characters and an ellipsis (not for commands, which are not run), or `null`. */
  masked: string | null
  /** Known expiry (ISO 8601), or `null`. */
  expiresAt: string | null
  /** The profile's API host, or `null`. */
  host: string | null
  /** Whether it is used when no profile is named. */
  default: boolean
  /** Why its token could not be read (e.g. the keyring is locked). */
  problem?: string
}

/** What `Token.list()` returns. */
export interface TokenList {
  /** The config file. */
  path: string
  /** The profile used when none is named. */
  default: string
  profiles: TokenProfile[]
}

/** Result of removing the stored token. */
export interface TokenRemoveResult {
  /** The config file concerned. */
  path: string
  /** `true` when a token was stored and has been removed; `false` when there was none (nothing written). */
  removed: boolean
}

/** Options for refreshing a token through Calibre's refresh endpoint (`POST <appHost>/api/refresh_token`). */
export interface TokenRefreshOptions extends CallOptions {
  /** The token to refresh. Default: the token the chain resolves (client option, env, then config file). */
  token?: string | undefined
  /** `true` writes the refreshed token to the config file; omitted or `false` leaves the file untouched. */
  persist?: boolean | undefined
}

/** Result of a token refresh. */
export interface TokenRefreshResult {
  /** The token to use from now on (may equal the old one when Calibre extends it in place). */
  token: string
  /** New expiry as an ISO 8601 date-time, or `null` when the endpoint did not state one. */
  expiresAt: string | null
  /** Whether the refreshed token was written to the config file. */
  persisted: boolean
}

// ─────────────────────────────────────────────────────────────────────────────
// Pagination
// ─────────────────────────────────────────────────────────────────────────────

/** Relay-style cursor information returned next to a page of results. Pass `endCursor` back as `cursor` for the next page. */
export interface PageInfo {
  /** Whether items exist before this page. */
  hasPreviousPage: boolean
  /** Whether items exist after this page. */
  hasNextPage: boolean
  /** Cursor of the last item of this page (`null` when the page is empty). */
  endCursor: string | null
  /** Cursor of the first item of this page (`null` when the page is empty). */
  startCursor: string | null
}

/** Options for the auto-paginating `iterate` helpers (they fetch page after page until `hasNextPage` is false). */
export interface IterateOptions extends CallOptions {
  /** Page size per request, default 25 (the server allows at most 500). `args.pageSize` takes precedence. `timeoutMs` applies to each page request; `signal` stops the iteration. */
  pageSize?: number | undefined
}

/** Arguments of the Site-scoped `iterate` helpers (`Snapshot`, `Page`, `Deploy`, `Integration`). */
export type IterateArgs = {
  /** Site slug. */
  site: string
  /** Page size per request, default 25 (maximum 500). */
  pageSize?: number | undefined
}

/** Arguments of `MetricBudget.iterate`: {@link IterateArgs} plus the optional metric filter. */
export type MetricBudgetIterateArgs = IterateArgs & {
  /** Only budgets for this metric. */
  metric?: MetricTag | undefined
}

// ─────────────────────────────────────────────────────────────────────────────
// Scalars and value sets used by the API
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Test location tags documented by Calibre: the "API LocationTag" column of
 * https://calibreapp.com/docs/synthetic/test-agent (which lists 17 locations; the tags below are those it
 * spells out). Calibre's own examples use `'Sydney'`, `'NorthVirginia'` and `'Frankfurt'`.
 */
export type KnownLocationTag =
  | 'Singapore'
  | 'Mumbai'
  | 'Tokyo'
  | 'SaoPaulo'
  | 'Seoul'
  | 'Ohio'
  | 'Oregon'
  | 'Ireland'
  | 'Sydney'
  | 'California'
  | 'Frankfurt'
  | 'NorthVirginia'

/**
 * A test location tag (GraphQL `LocationTag`). The known tags are offered for completion; any other string
 * is accepted, for locations Calibre lists elsewhere or adds later. `Agent.list()` returns the current set (`tag`).
 */
export type LocationTag = KnownLocationTag | (string & {})

/**
 * Emulated device tags that calibre@7 itself sends: `calibre site create` creates its default Test
 * Profiles with `'Desktop'`, `'iPhone12'` and `'MotorolaMotoGPower'` (calibre@7 `src/cli/site/create.js`);
 * `'Desktop'` is also the CLI's default `--device` (calibre@7 `CLI_COMMANDS.md`).
 */
export type KnownDeviceTag = 'Desktop' | 'iPhone12' | 'MotorolaMotoGPower'

/**
 * An emulated device tag (GraphQL `DeviceTag`). The known tags are offered for completion; any other string
 * is accepted. `Device.list()` returns the current set (`tag`).
 */
export type DeviceTag = KnownDeviceTag | (string & {})

/**
 * Network connection tags that calibre@7 itself sends: `'cable'`, `'LTE'` and `'regular3G'` in the default Test
 * Profiles of `calibre site create` (calibre@7 `src/cli/site/create.js`), and `'good3G'` in Calibre's
 * `examples/bash/create-test.sh` (https://github.com/calibreapp/cli). The tag is lower-case `'cable'`;
 * `'Cable'` is its display title (as in test reports), which the API does not accept as a tag.
 */
export type KnownConnectionTag = 'cable' | 'LTE' | 'regular3G' | 'good3G'

/**
 * A network connection tag (GraphQL `ConnectionTag`). The known tags are offered for completion; any other
 * string is accepted. `Connection.list()` returns the current set (`name`).
 */
export type ConnectionTag = KnownConnectionTag | (string & {})

/**
 * A metric identifier (GraphQL `MetricTag`). Synthetic metrics use names such as `'first-contentful-paint'`
 * (those in Calibre's test fixtures, https://github.com/calibreapp/cli `__tests__/fixtures/completedTest.json`,
 * plus Lighthouse's `'cumulative-layout-shift'` and `'total-blocking-time'`, named like the rest after
 * Lighthouse's audit ids); RUM uses short tags (`'lcp'`, `'cls'`, …: calibre@7 `src/api/rum.js`); CrUX uses
 * `crux…` names (`__tests__/fixtures/cruxSummary.json`). Known names are listed for auto-completion; any other
 * string is accepted (`calibre metric-list` prints the full catalogue).
 */
export type MetricTag =
  | 'lcp'
  | 'cls'
  | 'inp'
  | 'ttfb'
  | 'fcp'
  | 'rtt'
  | 'first-contentful-paint'
  | 'largest-contentful-paint'
  | 'cumulative-layout-shift'
  | 'total-blocking-time'
  | 'first-meaningful-paint'
  | 'consistently-interactive'
  | 'first-interactive'
  | 'time-to-first-byte'
  | 'estimated-input-latency'
  | 'speed_index'
  | 'visually_complete'
  | 'visually_complete_85'
  | 'firstRender'
  | 'js-parse-compile'
  | 'dom-size'
  | 'lighthouse-performance-score'
  | 'lighthouse-best-practices-score'
  | 'lighthouse-accessibility-score'
  | 'lighthouse-seo-score'
  | 'lighthouse-pwa-score'
  | 'asset_count'
  | 'page_wait_timing'
  | 'page_size_in_bytes'
  | 'page_body_size_in_bytes'
  | 'js_size_in_bytes'
  | 'js_body_size_in_bytes'
  | 'css_size_in_bytes'
  | 'css_body_size_in_bytes'
  | 'image_size_in_bytes'
  | 'image_body_size_in_bytes'
  | 'font_size_in_bytes'
  | 'font_body_size_in_bytes'
  | 'html_size_in_bytes'
  | 'html_body_size_in_bytes'
  | 'json_size_in_bytes'
  | 'json_body_size_in_bytes'
  | 'onload'
  | 'oncontentload'
  | 'cruxLargestContentfulPaint'
  | 'cruxCumulativeLayoutShift'
  | 'cruxInteractionToNextPaint'
  | 'cruxTimeToFirstByte'
  | (string & {})

/** How a metric value is meant to be displayed (`humanDuration`/`milliseconds` = ms, `fileSize` = bytes, `milliunit` = value × 1000, `unitless`). Open set. */
export type MetricFormatter = 'humanDuration' | 'milliseconds' | 'fileSize' | 'milliunit' | 'unitless' | (string & {})

/**
 * A rating of a value against a metric's thresholds. CrUX and RUM send lower-case values such as
 * `'good'`, `'average'` (needs improvement) and `'poor'`; the other values are those calibre's CLI also
 * recognises. Open set.
 */
export type Grading =
  | 'good'
  | 'average'
  | 'needs-improvement'
  | 'poor'
  | 'pass'
  | 'fail'
  | 'ungraded'
  | 'not_assessed'
  | (string & {})

/** Status of a Single Page Test or Pull Request Review. `'completed'`, `'errored'` and `'timeout'` are final ({@link TerminalTestStatus}). Open set. */
export type TestStatus = 'queued' | 'running' | 'completed' | 'errored' | 'timeout' | (string & {})

/** The final statuses that end `Test.waitForTest` and `PullRequestReview.waitForReviewCompletion`. */
export type TerminalTestStatus = 'completed' | 'errored' | 'timeout'

/** Status of a Snapshot, e.g. `'completed'`. Open set. */
export type SnapshotStatus = 'completed' | (string & {})

/** Overall budget outcome of a Pull Request Review; `'unmet'` when a budget is exceeded (what calibre's `--failOnUnmetBudget` checks). Open set. */
export type BudgetStatus = 'unmet' | (string & {})

/** Snapshot schedule of a Site: `'off'`, `'hourly'`, `'daily'` (at UTC hour `scheduleAnchor`) or `'every_x_hours'` (every `scheduleAnchor` hours, 1–168). */
export type ScheduleInterval = 'off' | 'hourly' | 'daily' | 'every_x_hours' | (string & {})

/** Integration destination: `'slack'` or `'webhook'`. Open set. */
export type IntegrationProvider = 'slack' | 'webhook' | (string & {})

/** Integration event: `'new_snapshot'` or `'metric_budget_change'`. Open set. */
export type IntegrationEvent = 'new_snapshot' | 'metric_budget_change' | (string & {})

/**
 * Kind of an emulated device: `'phone'`, `'tablet'` or `'desktop'` (calibre@7 `CHANGELOG.md`, 5.0.2:
 * "device type: `phone` `tablet` or `desktop`"). Open set.
 */
export type EmulatedDeviceType = 'desktop' | 'phone' | 'tablet' | (string & {})

/** CrUX form factor argument; sent to the API as `DESKTOP` / `PHONE` / `TABLET`. */
export type CruxFormFactor = 'desktop' | 'phone' | 'tablet'

/** CrUX history window argument; sent to the API as `THREE_MONTHS` … `TWENTY_FOUR_MONTHS`. */
export type CruxTimePeriod =
  | 'three-months'
  | 'six-months'
  | 'nine-months'
  | 'twelve-months'
  | 'eighteen-months'
  | 'twenty-four-months'

/** RUM time granularity argument; sent to the API as `TODAY` / `DAY` / `MONTH`. */
export type RumDateBin = 'today' | 'day' | 'month'

/** RUM device filter argument; sent to the API as `deviceType: DESKTOP` / `MOBILE` / `TABLET`. */
export type RumDevice = 'desktop' | 'mobile' | 'tablet'

// ─────────────────────────────────────────────────────────────────────────────
// Input shapes
// ─────────────────────────────────────────────────────────────────────────────

/** A cookie to set before testing (GraphQL `CookieInput`). */
export interface CookieInput {
  /** Cookie name. */
  name: string
  /** Cookie value. */
  value: string
  /** Domain the cookie applies to, e.g. `'calibreapp.com'`. */
  domain?: string | undefined
  /** Path the cookie applies to, e.g. `'/'`. */
  path?: string | undefined
  /** Send only over HTTPS. */
  secure?: boolean | undefined
  /** Hide from `document.cookie`. */
  httpOnly?: boolean | undefined
}

/** An HTTP request header to send while testing (GraphQL `HeaderInput`). */
export interface HeaderInput {
  /** Header name, e.g. `'User-Agent'`. */
  name: string
  /** Header value. */
  value: string
}

/** Form-login settings for testing pages behind authentication. */
export interface AuthenticationSettingsInput {
  /** `true` enables form authentication; `false` disables it. */
  required?: boolean | undefined
  /** URL of the login page. */
  url?: string | undefined
  /** Username to type into the form. */
  username?: string | undefined
  /** Password to type into the form. */
  password?: string | undefined
  /** CSS selector of the login form. */
  formSelector?: string | undefined
  /** CSS selector of the username field. */
  usernameSelector?: string | undefined
  /** CSS selector of the password field. */
  passwordSelector?: string | undefined
}

/** A page to create together with a Site (`Site.create({ pages })`). */
export interface PageInput {
  /** Page name, e.g. `'Home'`. */
  name: string
  /** Page URL. */
  url: string
  /** Marks the Site's canonical page (used in calibre's own `Site.create` example). */
  canonical?: boolean | undefined
  /** Sort position. */
  position?: number | undefined
}

/**
 * A Test Profile to create together with a Site (`Site.create({ testProfiles })`). Sent to the API as is
 * (note: `jsIsDisabled` here, unlike the `javascript` flag of `TestProfile.create`).
 */
export interface TestProfileInput {
  /** Profile name, e.g. `'Chrome Desktop'`. */
  name: string
  /** Emulated device. */
  device?: DeviceTag | undefined
  /** Emulated connection. */
  connection?: ConnectionTag | undefined
  /** Cookies to set. */
  cookies?: CookieInput[] | undefined
  /** Headers to send. */
  headers?: HeaderInput[] | undefined
  /** Disable JavaScript. */
  jsIsDisabled?: boolean | undefined
  /** Names of third parties to block. */
  blockedThirdParties?: string[] | undefined
  /** Sort position. */
  position?: number | undefined
}

/** Test agent settings of a Site (GraphQL `AgentSettingsInput`). */
export interface AgentSettingsInput {
  /** Test location. */
  location?: LocationTag | undefined
  /** Snapshot schedule. */
  scheduleInterval?: ScheduleInterval | undefined
  /** UTC hour (0–23) for `'daily'`, or the hour interval (1–168) for `'every_x_hours'`. */
  scheduleAnchor?: number | undefined
}

// ─────────────────────────────────────────────────────────────────────────────
// Shared result shapes
// ─────────────────────────────────────────────────────────────────────────────

/** A Team reference. */
export interface TeamRef {
  /** Team name. */
  name: string
  /** Team slug. */
  slug: string
}

/** A stored cookie. */
export interface Cookie {
  /** Cookie name. */
  name: string
  /** Cookie value. */
  value: string
  /** Domain, if set. */
  domain: string | null
  /** Path, if set. */
  path: string | null
  /** HTTPS only. */
  secure: boolean
  /** Hidden from `document.cookie`. */
  httpOnly: boolean
}

/** A stored HTTP header. */
export interface Header {
  /** Header name. */
  name: string
  /** Header value. */
  value: string
}

/** Stored form-authentication settings of a Site. */
export interface AuthenticationSettings {
  /** Whether form authentication is enabled. */
  required: boolean
  /** Login page URL. */
  url: string | null
  /** Username. */
  username: string | null
  /** Password. */
  password: string | null
  /** CSS selector of the login form. */
  formSelector: string | null
  /** CSS selector of the username field. */
  usernameSelector: string | null
  /** CSS selector of the password field. */
  passwordSelector: string | null
  /** Warning shown by Calibre about the settings, if any. */
  warningMessage: string | null
}

/** A test agent machine. */
export interface AgentIp {
  /** Public IPv4 address of the agent (for allow-listing). */
  ipv4: string
}

/** A test location (item of `Agent.list()`). */
export interface LocationInfo {
  /** Location name, e.g. `'Sydney'`. */
  name: string
  /** Short name, e.g. `'SYD'`. */
  shortName: string
  /** Flag emoji. */
  emoji: string
  /** Tag to pass as `location`. */
  tag: LocationTag
  /** Agents in this location. */
  agents: AgentIp[]
}

/** The test location of a Site's agent settings. */
export interface AgentSettingsLocation {
  /** Location identifier. */
  identifier: string
  /** Location name. */
  name: string
  /** Short name. */
  shortName: string
  /** Flag emoji. */
  emoji: string
  /** Location tag. */
  tag: LocationTag
  /** Agents in this location. */
  agents: AgentIp[]
}

/** Test agent settings of a Site (result of `AgentSettings.get`, part of `CreatedSite`). */
export interface AgentSettingsDetails {
  /** Test location. */
  location: AgentSettingsLocation | null
  /** UTC hour for `'daily'`, or hour interval for `'every_x_hours'`. */
  scheduleAnchor: number | null
  /** Snapshot schedule. */
  scheduleInterval: ScheduleInterval
}

/** An object reduced to its display title (device or connection). */
export interface TitleRef {
  /** Display title, e.g. `'Cable'`. */
  title: string
}

/** A device or bandwidth reference with tag and title. */
export interface TagTitleRef {
  /** Tag (as accepted by `device` / `connection` arguments). */
  tag: string
  /** Display title. */
  title: string
}

/** A Page reference. */
export interface PageRef {
  /** Page UUID. */
  uuid: string
  /** Page name. */
  name: string
}

/** A Test Profile reference. */
export interface TestProfileRef {
  /** Test Profile UUID. */
  uuid: string
  /** Test Profile name. */
  name: string
}

/** One measured metric value. */
export interface Measurement {
  /** Metric identifier, e.g. `'first-contentful-paint'`. */
  name: MetricTag
  /** Human-readable label. */
  label: string
  /** Measured value (ms, bytes, score … per metric), or `null` when not measured. */
  value: number | null
}

/** The identifier of a deleted record. */
export interface UuidRef {
  /** UUID of the record. */
  uuid: string
}

/** Display information about a metric. */
export interface MetricInfo {
  /** Metric identifier. */
  name: MetricTag
  /** Human-readable label. */
  label: string
  /** How to format values. */
  formatter: MetricFormatter
  /** Path of the metric's documentation on calibreapp.com. */
  docsPath: string | null
}

// ─────────────────────────────────────────────────────────────────────────────
// Site
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `Site.create`. */
export interface SiteCreateArgs {
  /** Site name. */
  name: string
  /**
   * @deprecated Pass `agentSettings.location` instead. When truthy, it overrides `agentSettings.location`
   * (calibre@7 behaviour).
   */
  location?: LocationTag | undefined
  /** Slug of the Team that owns the Site. */
  team?: string | undefined
  /** Pages to monitor. */
  pages?: PageInput[] | undefined
  /** Test Profiles to create. */
  testProfiles?: TestProfileInput[] | undefined
  /** Location and schedule. Always sent (as `{}` when omitted), like calibre@7. */
  agentSettings?: AgentSettingsInput | undefined
}

/** Arguments of `Site.destroy`. */
export interface SiteDestroyArgs {
  /** Site slug. */
  slug: string
}

/** Arguments of `Site.get`. */
export interface SiteGetArgs {
  /** Site slug. */
  slug: string
}

/** Arguments of `Site.update`. Only the given settings change. */
export interface SiteUpdateArgs {
  /** Site slug. */
  slug: string
  /** New name. */
  name?: string | undefined
  /** New canonical URL. */
  canonicalUrl?: string | undefined
  /** Slug of the new owning Team. */
  team?: string | undefined
  /** Form-authentication settings. */
  authenticationSettings?: AuthenticationSettingsInput | undefined
  /** Cookies for every test (replaces the list). */
  cookies?: CookieInput[] | undefined
  /** Headers for every test (replaces the list). */
  headers?: HeaderInput[] | undefined
}

/** A Test Profile as returned by `Site.create`. */
export interface CreatedSiteTestProfile {
  /** Profile name. */
  name: string
  /** Profile UUID. */
  uuid: string
}

/** A Page as returned by `Site.create`. */
export interface CreatedSitePage {
  /** Page name. */
  name: string
  /** Page UUID. */
  uuid: string
}

/** An edge of `CreatedSite.pagesList`. */
export interface CreatedSitePageEdge {
  /** The page. */
  node: CreatedSitePage
}

/** The pages of a newly created Site (GraphQL connection, edges only). */
export interface CreatedSitePageConnection {
  /** One edge per page. */
  edges: CreatedSitePageEdge[]
}

/** Result of `Site.create`. */
export interface CreatedSite {
  /** Site name. */
  name: string
  /** Site slug (use it as `site` / `slug` elsewhere). */
  slug: string
  /** Owning Team. */
  team: TeamRef | null
  /** Location and schedule. */
  agentSettings: AgentSettingsDetails | null
  /** Created Test Profiles. */
  testProfiles: CreatedSiteTestProfile[]
  /** Created Pages. */
  pagesList: CreatedSitePageConnection
}

/** Monitoring state per data source of a Site: `null` when active, otherwise a message such as `'CrUX not enabled'`. */
export interface MonitoringStatus {
  /** Synthetic monitoring status message, or `null`. */
  synthetic: string | null
  /** CrUX monitoring status message, or `null`. */
  crux: string | null
  /** RUM monitoring status message, or `null`. */
  rum: string | null
}

/** A Site as listed by `Site.list`. */
export interface SiteSummary {
  /** Site name. */
  name: string
  /** Site slug. */
  slug: string
  /** Creation time (ISO 8601). */
  createdAt: string
  /** Owning Team. */
  team: TeamRef | null
  /** Monitoring state per data source. */
  monitoringStatus: MonitoringStatus | null
}

/** Result of `Site.destroy`. */
export interface DeletedSite {
  /** Name of the deleted Site. */
  name: string
  /** Slug of the deleted Site. */
  slug: string
}

/** Site settings (result of `Site.get` and `Site.update`). */
export interface SiteDetails {
  /** Site slug. */
  slug: string
  /** Site name. */
  name: string
  /** Canonical URL. */
  canonicalUrl: string | null
  /** Creation time (ISO 8601). */
  createdAt: string
  /** Owning Team. */
  team: TeamRef | null
  /** Form-authentication settings. */
  authenticationSettings: AuthenticationSettings | null
  /** Headers sent with every test. */
  headers: Header[]
  /** Cookies set for every test. */
  cookies: Cookie[]
}

// ─────────────────────────────────────────────────────────────────────────────
// Snapshot
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `Snapshot.create`. */
export interface SnapshotCreateArgs {
  /** Site slug. */
  site: string
  /** Reference label, e.g. a release or commit. A truthy value is sent as a string (`123` → `"123"`); a falsy one (`''`, `0`, `null`, omitted) as `null`. */
  ref?: string | number | null | undefined
}

/** Arguments of `Snapshot.destroy`. */
export interface SnapshotDestroyArgs {
  /** Site slug. */
  site: string
  /** Snapshot number (`iid`); sent as a string. */
  id: string | number
}

/** Arguments of `Snapshot.list`. */
export interface SnapshotListArgs {
  /** Site slug. */
  site: string
  /** Page size (maximum 500). Required by the API (calibre@7 has no default). */
  count: number
  /** `pageInfo.endCursor` of the previous page. */
  cursor?: string | null | undefined
}

/** Arguments of `Snapshot.fetchArtifacts`. */
export interface SnapshotFetchArtifactsArgs {
  /** Site slug. */
  site: string
  /** Snapshot number (`iid`); sent as a number. */
  id: string | number
}

/** Result of `Snapshot.create`. */
export interface CreatedSnapshot {
  /** Snapshot number within the Site. */
  iid: number
  /** Reference label. */
  ref: string | null
  /** Link to the Snapshot in Calibre. */
  htmlUrl: string
  /** Creation time (ISO 8601). */
  createdAt: string
}

/** Result of `Snapshot.destroy`. */
export interface DeletedSnapshot {
  /** Number of the deleted Snapshot. */
  iid: number
}

/** A Snapshot as listed by `Snapshot.list` / `Snapshot.iterate`. */
export interface SnapshotSummary {
  /** Snapshot number within the Site. */
  iid: number
  /** Link to the Snapshot in Calibre. */
  htmlUrl: string
  /** Reference label. */
  ref: string | null
  /** Client that created it, if recorded. */
  client: string | null
  /** Creation time (ISO 8601). */
  createdAt: string
  /** Snapshot status. */
  status: SnapshotStatus | null
}

/** Result of `Snapshot.list`. */
export interface SnapshotListResult {
  /** The Snapshots of this page. */
  snapshots: SnapshotSummary[]
  /** Cursor information. */
  pageInfo: PageInfo
}

/** Artifact URLs of one test of a Snapshot. */
export interface SnapshotTestArtifacts {
  /** Test status. */
  status: TestStatus | null
  /** URL of the HAR file. */
  har: string | null
  /** URL of the Lighthouse JSON report. */
  lighthouse: string | null
  /** URL of the final screenshot. */
  image: string | null
  /** URL of the page-load video. */
  video: string | null
  /** Page tested. */
  page: PageRef | null
  /** Test Profile used. */
  testProfile: TestProfileRef | null
}

/** A Snapshot with the artifact URLs of its tests. */
export interface SnapshotArtifacts {
  /** Snapshot number. */
  iid: number
  /** One entry per test (page × profile). */
  tests: SnapshotTestArtifacts[]
}

/** Result of `Snapshot.fetchArtifacts` (the Site node). URLs only; nothing is downloaded. */
export interface SnapshotArtifactsResult {
  /** The Snapshot, or `null` when no Snapshot has that number. */
  snapshot: SnapshotArtifacts | null
}

// ─────────────────────────────────────────────────────────────────────────────
// Test (Single Page Tests)
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `Test.create`. */
export interface TestCreateArgs {
  /** URL to test. */
  url: string
  /** Test location. */
  location: LocationTag
  /** Emulated device. */
  device?: DeviceTag | undefined
  /** Emulated connection. */
  connection?: ConnectionTag | undefined
  /** Cookies to set. */
  cookies?: CookieInput[] | undefined
  /** Headers to send. */
  headers?: HeaderInput[] | undefined
  /** Restrict results to members of your organisation. */
  isPrivate?: boolean | undefined
  /** URL that receives the result JSON by HTTP POST. */
  webhookUrl?: string | undefined
  /** Secret used to sign the webhook payload (`Calibre-HMAC-SHA256-Signature` header). */
  webhookSecret?: string | undefined
  /** Hosts to block; wildcards such as `'*.example.com'` are supported. */
  blockedHosts?: string[] | undefined
  /**
   * Deletion time, 24 h to 2 years ahead: an ISO 8601 string or a `Date` (sent as its ISO string, like
   * `JSON.stringify`). Default when omitted: now + 1 year (365.2425 days); `null` is sent as `null`.
   */
  expiresAt?: string | Date | null | undefined
}

/** Result of `Test.create` (the test is only scheduled; see `Test.waitForTest`). */
export interface CreatedTest {
  /** Test UUID. */
  uuid: string
  /** Public link to the test result. */
  formattedTestUrl: string
}

/** Location summary of a listed test. */
export interface SinglePageTestLocationSummary {
  /** Flag emoji. */
  emoji: string
  /** Short name, e.g. `'SYD'`. */
  shortName: string
}

/** A Single Page Test as listed by `Test.getList`. */
export interface SinglePageTestSummary {
  /** Test UUID. */
  uuid: string
  /** Tested URL. */
  url: string
  /** Link to the result. */
  formattedTestUrl: string
  /** Whether results are private. */
  isPrivate: boolean
  /** Emulated device. */
  device: TitleRef | null
  /** Emulated connection. */
  connection: TitleRef | null
  /** Test location. */
  location: SinglePageTestLocationSummary | null
  /** Current status. */
  status: TestStatus
  /** Last update (ISO 8601). */
  updatedAt: string
}

/** The runtime error artifact of a test. */
export interface TestRuntimeError {
  /** Error code, e.g. `'NO_ERROR'` or `'INTERSTITIAL_ERROR'`. */
  code: string
  /** Explanation; empty when there was no error. */
  message: string
}

/** Location of a test. */
export interface SinglePageTestLocation {
  /** Location name. */
  name: string
  /** Flag emoji. */
  emoji: string
}

/** A Single Page Test with results (result of `Test.getTestByUuid` and `Test.waitForTest`). */
export interface SinglePageTest {
  /** Test UUID. */
  uuid: string
  /** Tested URL. */
  url: string
  /** Link to the result. */
  formattedTestUrl: string
  /** Current status; final once `'completed'`, `'errored'` or `'timeout'`. */
  status: TestStatus
  /** Last update (ISO 8601). */
  updatedAt: string
  /** Whether results are private. */
  isPrivate: boolean
  /** What went wrong, if anything. */
  runtimeError: TestRuntimeError | null
  /** Result report in Markdown. */
  markdownReport: string | null
  /** Measured metrics (empty until the test has run). */
  metrics: Measurement[]
  /** Emulated device. */
  device: TitleRef | null
  /** Emulated connection. */
  connection: TitleRef | null
  /** Test location. */
  location: SinglePageTestLocation | null
}

/** Artifact URLs of a Single Page Test (result of `Test.fetchArtifacts`). URLs only; nothing is downloaded. */
export interface SinglePageTestArtifacts {
  /** Test UUID. */
  uuid: string
  /** URL of the HAR file. */
  har: string | null
  /** URL of the Lighthouse JSON report. */
  lighthouse: string | null
  /** URL of the final screenshot. */
  image: string | null
  /** URL of the page-load video. */
  video: string | null
}

// ─────────────────────────────────────────────────────────────────────────────
// PullRequestReview
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `PullRequestReview.create`. */
export interface PullRequestReviewCreateArgs {
  /** Site slug. */
  site: string
  /** Review title, e.g. the pull request title. */
  title: string
  /** Base URL of the preview deployment. */
  url: string
  /** Branch of the preview deployment. */
  branch: string
  /** Source control revision of the deployed code. */
  sha: string
  /** Contents (not path) of a Calibre YAML config file. */
  config?: string | undefined
}

/** Arguments of `PullRequestReview.list`. */
export interface PullRequestReviewListArgs {
  /** Site slug. */
  site: string
}

/** Result of `PullRequestReview.create`. */
export interface StartedPullRequestReview {
  /** Review title. */
  title: string
  /** Status. */
  status: TestStatus
  /** Branch. */
  branch: string
  /** Report in Markdown. */
  markdownReport: string | null
}

/** A Pull Request Review as listed by `PullRequestReview.list`. */
export interface PullRequestReviewSummary {
  /** Review title. */
  title: string
  /** Status. */
  status: TestStatus
  /** Branch. */
  branch: string
  /** Revision. */
  sha: string
  /** Creation time (ISO 8601). */
  createdAt: string
}

/** A Pull Request Review with its report (items of `getPRReviewByBranch`, result of `waitForReviewCompletion`). */
export interface PullRequestReviewDetails {
  /** Review title. */
  title: string
  /** Status; final once `'completed'`, `'errored'` or `'timeout'`. */
  status: TestStatus
  /** Branch. */
  branch: string
  /** Report in Markdown. */
  markdownReport: string | null
  /** Budget outcome, e.g. `'unmet'`. */
  metricBudgetStatus: BudgetStatus | null
}

// ─────────────────────────────────────────────────────────────────────────────
// TestProfile
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Arguments of `TestProfile.create`. `headers` and `blockedThirdParties` are not accepted here (calibre@7
 * ignores them); set them with `TestProfile.update`.
 */
export interface TestProfileCreateArgs {
  /** Site slug. */
  site: string
  /** Profile name. */
  name: string
  /** Emulated device. */
  device?: DeviceTag | undefined
  /** Emulated connection. */
  connection?: ConnectionTag | undefined
  /** Cookies to set. */
  cookies?: CookieInput[] | undefined
  /** Run JavaScript. Sent as `jsIsDisabled: !javascript`, so **omitting it disables JavaScript** (calibre@7 behaviour). */
  javascript?: boolean | undefined
}

/** Arguments of `TestProfile.list`. */
export interface TestProfileListArgs {
  /** Site slug. */
  site: string
}

/** Arguments of `TestProfile.update`. */
export interface TestProfileUpdateArgs {
  /** Profile UUID. */
  uuid: string
  /** Site slug. */
  site: string
  /** New name. */
  name?: string | undefined
  /** Emulated device. */
  device?: DeviceTag | undefined
  /** Emulated connection. */
  connection?: ConnectionTag | undefined
  /** Cookies (replaces the list). */
  cookies?: CookieInput[] | undefined
  /** Headers (replaces the list). */
  headers?: HeaderInput[] | undefined
  /** Names of third parties to block. */
  blockedThirdParties?: string[] | undefined
  /** Run JavaScript. Sent as `jsIsDisabled: !javascript`, so **omitting it disables JavaScript** (calibre@7 behaviour). */
  javascript?: boolean | undefined
  /** Sort position. */
  position?: number | undefined
}

/** Arguments of `TestProfile.destroy`. */
export interface TestProfileDestroyArgs {
  /** Site slug. */
  site: string
  /** Profile UUID. */
  uuid: string
}

/** A blocked third party. */
export interface BlockedThirdParty {
  /** Third-party name. */
  name: string
}

/** A Test Profile (result of `TestProfile.create`, `update`, items of `list`). */
export interface TestProfileDetails {
  /** Profile UUID. */
  uuid: string
  /** Profile name. */
  name: string
  /** Whether JavaScript is disabled. */
  jsIsDisabled: boolean
  /** Whether a device is emulated. */
  hasDeviceEmulation: boolean
  /** Whether a connection is emulated. */
  hasBandwidthEmulation: boolean
  /** Whether the device is mobile. */
  isMobile: boolean
  /** Sort position. */
  position: number | null
  /** Emulated device. */
  device: TagTitleRef | null
  /** Emulated connection. */
  bandwidth: TagTitleRef | null
  /** Cookies set. */
  cookies: Cookie[]
  /** Headers sent. */
  headers: Header[]
  /** Blocked third parties. */
  blockedThirdParties: BlockedThirdParty[]
  /** Last update (ISO 8601). */
  updatedAt: string
  /** Creation time (ISO 8601). */
  createdAt: string
}

/** Result of `TestProfile.destroy`. */
export interface DeletedTestProfile {
  /** Name of the deleted profile. */
  name: string
  /** UUID of the deleted profile. */
  uuid: string
}

// ─────────────────────────────────────────────────────────────────────────────
// Connection, Device
// ─────────────────────────────────────────────────────────────────────────────

/** A network connection tag (item of `Connection.list()`). */
export interface ConnectionTagInfo {
  /** Tag to pass as `connection`, e.g. `'cable'`. */
  name: ConnectionTag
}

/** An emulated device (item of `Device.list()`). */
export interface EmulatedDevice {
  /** Tag to pass as `device`. */
  tag: DeviceTag
  /** Display title. */
  title: string
  /** Viewport width in CSS pixels. */
  screenWidth: number
  /** Viewport height in CSS pixels. */
  screenHeight: number
  /** Device kind. */
  type: EmulatedDeviceType
  /** Whether the device is no longer offered. */
  isDiscontinued: boolean
}

// ─────────────────────────────────────────────────────────────────────────────
// Page
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `Page.create`. */
export interface PageCreateArgs {
  /** Site slug. */
  site: string
  /** Page name. */
  name: string
  /** Page URL. */
  url: string
  /** Sort position. */
  position?: number | undefined
}

/** Arguments of `Page.list`. */
export interface PageListArgs {
  /** Site slug. */
  site: string
  /** Page size (maximum 500). Required by the API (calibre@7 has no default). */
  count: number
  /** `pageInfo.endCursor` of the previous page. */
  cursor?: string | null | undefined
}

/** Arguments of `Page.destroy`. */
export interface PageDestroyArgs {
  /** Site slug. */
  site: string
  /** Page UUID. */
  uuid: string
}

/** Arguments of `Page.update`. */
export interface PageUpdateArgs {
  /** Site slug. */
  site: string
  /** Page UUID. */
  uuid: string
  /** New name. */
  name?: string | undefined
  /** New URL. */
  url?: string | undefined
  /** New sort position. */
  position?: number | undefined
}

/** A monitored Page (result of `Page.create`, `update`, items of `list` / `iterate`). */
export interface PageDetails {
  /** Page UUID. */
  uuid: string
  /** Page name. */
  name: string
  /** Page URL. */
  url: string
  /** Sort position. */
  position: number | null
}

/** Result of `Page.list`. */
export interface PageListResult {
  /** The Pages of this page of results. */
  pages: PageDetails[]
  /** Cursor information. */
  pageInfo: PageInfo
}

/** Result of `Page.destroy`. */
export interface DeletedPage {
  /** Name of the deleted Page. */
  name: string
  /** UUID of the deleted Page. */
  uuid: string
}

// ─────────────────────────────────────────────────────────────────────────────
// SnapshotMetrics
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `SnapshotMetrics.snapshot`. */
export interface SnapshotMetricsSnapshotArgs {
  /** Site slug. */
  site: string
  /** Snapshot number (`iid`); sent unchanged (must be a number). */
  snapshotId: number
}

/** Page of a Snapshot test. */
export interface SnapshotMetricsPage {
  /** Page name. */
  name: string
  /** Page URL. */
  url: string
}

/** Test Profile reference of a Snapshot test (UUID only; details are in `testProfiles`). */
export interface SnapshotMetricsTestProfileRef {
  /** Test Profile UUID. */
  uuid: string
}

/** One test (page × profile) of a Snapshot with its metrics. */
export interface SnapshotMetricsTest {
  /** Page tested. */
  page: SnapshotMetricsPage | null
  /** Profile used. */
  testProfile: SnapshotMetricsTestProfileRef | null
  /** Measured metrics. */
  measurements: Measurement[]
}

/** A Snapshot with per-test metrics. */
export interface SnapshotWithMetrics {
  /** Snapshot number. */
  iid: number
  /** Tests of the Snapshot. */
  tests: SnapshotMetricsTest[]
  /** Same as `iid` (GraphQL alias kept from older calibre versions). */
  sequenceId: number
  /** Link to the Snapshot in Calibre. */
  htmlUrl: string
  /** Snapshot status. */
  status: SnapshotStatus | null
  /** Creation time (ISO 8601). */
  createdAt: string
}

/** A Test Profile of the Site, for interpreting Snapshot tests. */
export interface SnapshotMetricsTestProfile {
  /** Profile UUID. */
  uuid: string
  /** Profile name. */
  name: string
  /** Emulated device. */
  device: TitleRef | null
  /** Emulated connection. */
  bandwidth: TitleRef | null
  /** Whether the device is mobile. */
  isMobile: boolean
  /** Whether JavaScript is disabled. */
  jsIsDisabled: boolean
  /** Whether a device is emulated. */
  hasDeviceEmulation: boolean
  /** Whether a connection is emulated. */
  hasBandwidthEmulation: boolean
}

/** Result of `SnapshotMetrics.snapshot` (the Site node). */
export interface SnapshotMetricsResult {
  /** The Snapshot, or `null` when no Snapshot has that number. */
  snapshot: SnapshotWithMetrics | null
  /** All Test Profiles of the Site. */
  testProfiles: SnapshotMetricsTestProfile[]
}

// ─────────────────────────────────────────────────────────────────────────────
// GraphQL
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Arguments of `GraphQL.request`: the GraphQL document in `query`; **every other key is sent as a
 * variable** (keys whose value is `undefined` are dropped, `null` is sent).
 */
export interface GraphQLRequestArgs {
  /** The GraphQL document (query or mutation). */
  query: string
  /** Variables of the document. */
  [variable: string]: unknown
}

/** The `data` object of a GraphQL response, as returned by `GraphQL.request`. */
export type GraphQLData = Record<string, unknown>

// ─────────────────────────────────────────────────────────────────────────────
// TimeSeries
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `TimeSeries.list`. */
export interface TimeSeriesListArgs {
  /** Site slug. */
  site: string
  /** Metrics to return. Default `[]` (sent as an empty list). */
  measurements?: MetricTag[] | undefined
  /** Page UUIDs. Default `[]`. */
  pages?: string[] | undefined
  /** Test Profile UUIDs. Default `[]`. */
  profiles?: string[] | undefined
  /** Start of the range: a date string (e.g. ISO 8601) or a `Date` (serialised as ISO 8601, like `JSON.stringify`). */
  from?: string | Date | undefined
  /** End of the range: a date string or a `Date`. */
  to?: string | Date | undefined
}

/** One point in time of a time series (a Snapshot). */
export interface TimeSeriesTime {
  /** Display name of the point. */
  name: string
  /** Snapshot number. */
  snapshot: number | null
  /** Time (ISO 8601). */
  timestamp: string
}

/** One series of values: a metric for a page × profile, aligned with `times`. */
export interface TimeSeriesSeries {
  /** Series name, e.g. `'Desktop - Home'`. */
  name: string
  /** Test Profile of the series. */
  profile: string
  /** Page of the series. */
  page: string
  /** Metric of the series. */
  measurement: MetricTag
  /** One value per entry of `times` (`null` where missing). */
  values: Array<number | null>
}

/** A Page included in a time series. */
export interface TimeSeriesPage {
  /** Page UUID. */
  uuid: string
  /** Page name. */
  name: string
  /** Page URL. */
  url: string
}

/** A Test Profile included in a time series. */
export interface TimeSeriesTestProfile {
  /** Profile UUID. */
  uuid: string
  /** Profile name. */
  name: string
  /** Whether JavaScript is disabled. */
  jsIsDisabled: boolean
  /** Whether a device is emulated. */
  hasDeviceEmulation: boolean
  /** Whether a connection is emulated. */
  hasBandwidthEmulation: boolean
  /** Whether the device is mobile. */
  isMobile: boolean
}

/** Result of `TimeSeries.list`. */
export interface TimeSeriesResult {
  /** Points in time. */
  times: TimeSeriesTime[]
  /** Value series. */
  series: TimeSeriesSeries[]
  /** Pages included. */
  pages: TimeSeriesPage[]
  /** Test Profiles included. */
  testProfiles: TimeSeriesTestProfile[]
  /** Metrics included (note: `metrics`, not `measurements`). */
  metrics: MetricInfo[]
  /** The same data as CSV text. */
  csv: string | null
}

// ─────────────────────────────────────────────────────────────────────────────
// Deploy
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `Deploy.create`. */
export interface DeployCreateArgs {
  /** Site slug. */
  site: string
  /** Revision deployed (commit hash or tag). */
  revision?: string | undefined
  /** Base URL of the repository, e.g. `'https://github.com/calibreapp/app'`. */
  repository?: string | undefined
  /** Who deployed. */
  username?: string | undefined
  /** Deployment time: an ISO 8601 string or a `Date` (sent as its ISO string). Default: now (server side). */
  createdAt?: string | Date | undefined
}

/** Arguments of `Deploy.destroy`. */
export interface DeployDestroyArgs {
  /** Site slug. */
  site: string
  /** Deploy UUID. */
  uuid: string
}

/** Arguments of `Deploy.list`. */
export interface DeployListArgs {
  /** Site slug. */
  site: string
  /** Page size. Default 25 (maximum 500). */
  count?: number | undefined
  /** `pageInfo.endCursor` of the previous page. */
  cursor?: string | null | undefined
}

/** A Deploy (result of `Deploy.create`, items of `list` / `iterate`). */
export interface DeployDetails {
  /** Deploy UUID. */
  uuid: string
  /** Revision deployed. */
  revision: string | null
  /** Repository URL. */
  repository: string | null
  /** Link to the revision. */
  url: string | null
  /** Who deployed. */
  username: string | null
  /** Deployment time (ISO 8601). */
  createdAt: string
}

/** Result of `Deploy.destroy`. */
export type DeletedDeploy = UuidRef

/** Result of `Deploy.list`. */
export interface DeployListResult {
  /** The Deploys of this page. */
  deploys: DeployDetails[]
  /** Cursor information. */
  pageInfo: PageInfo
}

// ─────────────────────────────────────────────────────────────────────────────
// Integration
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `Integration.create`. */
export interface IntegrationCreateArgs {
  /** Site slug. */
  site: string
  /** Destination kind (`'slack'` or `'webhook'`). Note: calibre's examples say `destination`, which is ignored. */
  provider: IntegrationProvider
  /** Endpoint to call. */
  url: string
  /** Events that trigger it. */
  events?: IntegrationEvent[] | undefined
  /** Secret used to sign webhook payloads. */
  secret?: string | undefined
  /** Create it disabled. */
  isDisabled?: boolean | undefined
}

/** Arguments of `Integration.destroy`. */
export interface IntegrationDestroyArgs {
  /** Site slug. */
  site: string
  /** Integration UUID. */
  uuid: string
}

/** Arguments of `Integration.update`. */
export interface IntegrationUpdateArgs {
  /** Site slug. */
  site: string
  /** Integration UUID. */
  uuid: string
  /** Destination kind. */
  provider?: IntegrationProvider | undefined
  /** Endpoint to call. */
  url?: string | undefined
  /** Events that trigger it. */
  events?: IntegrationEvent[] | undefined
  /** Signing secret. */
  secret?: string | undefined
  /** Disable or enable it. */
  isDisabled?: boolean | undefined
}

/** Arguments of `Integration.list`. */
export interface IntegrationListArgs {
  /** Site slug. */
  site: string
  /** Page size (maximum 500). Required by the API (calibre@7 has no default). */
  count: number
  /** `pageInfo.endCursor` of the previous page. */
  cursor?: string | null | undefined
}

/** An Integration (result of `create` / `update`, items of `list` / `iterate`). */
export interface IntegrationDetails {
  /** Integration UUID. */
  uuid: string
  /** Destination kind. */
  provider: IntegrationProvider
  /** Events that trigger it. */
  events: IntegrationEvent[]
  /** Endpoint called. */
  url: string | null
  /** Signing secret. */
  secret: string | null
  /** Whether it is disabled. */
  isDisabled: boolean
}

/** Result of `Integration.destroy`. */
export type DeletedIntegration = UuidRef

/** Result of `Integration.list`. */
export interface IntegrationListResult {
  /** The Integrations of this page. */
  integrations: IntegrationDetails[]
  /** Cursor information. */
  pageInfo: PageInfo
}

// ─────────────────────────────────────────────────────────────────────────────
// MetricBudget
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `MetricBudget.create`. */
export interface MetricBudgetCreateArgs {
  /** Site slug. */
  site: string
  /** Budget value in the metric's unit (ms for timings). */
  value: number
  /** Metric to budget. */
  measurement: MetricTag
  /** Page UUIDs; omitted = all pages. */
  pages?: string[] | undefined
  /** Test Profile UUIDs; omitted = all profiles. */
  profiles?: string[] | undefined
}

/** Arguments of `MetricBudget.destroy`. */
export interface MetricBudgetDestroyArgs {
  /** Site slug. */
  site: string
  /** Budget UUID. */
  uuid: string
}

/** Arguments of `MetricBudget.update`. */
export interface MetricBudgetUpdateArgs {
  /** Site slug. */
  site: string
  /** Budget UUID. */
  uuid: string
  /** Budget value. */
  value?: number | undefined
  /** Metric. */
  measurement?: MetricTag | undefined
  /** Page UUIDs. */
  pages?: string[] | undefined
  /** Test Profile UUIDs. */
  profiles?: string[] | undefined
}

/** Arguments of `MetricBudget.list`. */
export interface MetricBudgetListArgs {
  /** Site slug. */
  site: string
  /** Only budgets for this metric. */
  metric?: MetricTag | undefined
  /** Page size (maximum 500). Required by the API (calibre@7 has no default). */
  count: number
  /** `pageInfo.endCursor` of the previous page. */
  cursor?: string | null | undefined
}

/** The budget state for one page × profile. */
export interface BudgetTarget {
  /** Page. */
  page: PageRef | null
  /** Test Profile. */
  profile: TestProfileRef | null
  /** Latest measured value. */
  lastObservedValue: number | null
  /** Whether the latest value is within budget. */
  withinBudget: boolean | null
}

/** A Metric Budget (result of `MetricBudget.create` / `update`). */
export interface MetricBudgetDetails {
  /** Budget UUID. */
  uuid: string
  /** Metric. */
  measurement: MetricTag
  /** Budget value. */
  value: number
  /** Overall status. */
  status: string | null
  /** Per page × profile state. */
  budgets: BudgetTarget[]
}

/** The metric of a listed budget. */
export interface MetricRef {
  /** Metric name. */
  name: string
  /** Metric identifier. */
  value: MetricTag
}

/** A Metric Budget as listed by `MetricBudget.list` / `iterate` (adds `metric`). */
export interface MetricBudgetListItem {
  /** Budget UUID. */
  uuid: string
  /** Metric. */
  measurement: MetricTag
  /** Budget value. */
  value: number
  /** Overall status. */
  status: string | null
  /** Metric details. */
  metric: MetricRef | null
  /** Per page × profile state. */
  budgets: BudgetTarget[]
}

/** Result of `MetricBudget.destroy`. */
export type DeletedMetricBudget = UuidRef

/** Result of `MetricBudget.list`. */
export interface MetricBudgetListResult {
  /** The budgets of this page. */
  metricBudgets: MetricBudgetListItem[]
  /** Cursor information. */
  pageInfo: PageInfo
}

// ─────────────────────────────────────────────────────────────────────────────
// AgentSettings
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `AgentSettings.get`. */
export interface AgentSettingsGetArgs {
  /** Site slug. */
  site: string
}

/** Arguments of `AgentSettings.update`. */
export interface AgentSettingsUpdateArgs {
  /** Site slug. */
  site: string
  /** UTC hour (0–23) for `'daily'`, or hour interval (1–168) for `'every_x_hours'`. */
  scheduleAnchor?: number | undefined
  /** Snapshot schedule. */
  scheduleInterval?: ScheduleInterval | undefined
  /** Test location. */
  location?: LocationTag | undefined
}

/** Result of `AgentSettings.update` (wrapped, unlike `AgentSettings.get`). */
export interface AgentSettingsUpdateResult {
  /** The updated settings. */
  agentSettings: AgentSettingsDetails
}

// ─────────────────────────────────────────────────────────────────────────────
// Crux (Chrome UX Report)
// ─────────────────────────────────────────────────────────────────────────────

/** Arguments of `Crux.summary`. */
export interface CruxSummaryArgs {
  /** Site slug. */
  site: string
  /** Form factor; omitted = all. Other values are not forwarded (calibre@7 drops them silently). */
  formFactor?: CruxFormFactor | undefined
}

/** Arguments of `Crux.history`. */
export interface CruxHistoryArgs {
  /** Site slug. */
  site: string
  /** Form factor; omitted = all. */
  formFactor?: CruxFormFactor | undefined
  /** History window; omitted = server default. Other values are not forwarded. */
  timePeriod?: CruxTimePeriod | undefined
}

/** Arguments of `Crux.urls`. */
export interface CruxUrlsArgs {
  /** Site slug. */
  site: string
  /** Form factor; omitted = all. */
  formFactor?: CruxFormFactor | undefined
}

/** Arguments of `Crux.url`. */
export interface CruxUrlArgs {
  /** Site slug. */
  site: string
  /** UUID of the monitored URL (from `Crux.urls`). */
  uuid: string
  /** Form factor; omitted = all. */
  formFactor?: CruxFormFactor | undefined
  /** History window; omitted = server default. */
  timePeriod?: CruxTimePeriod | undefined
}

/** Share of traffic per form factor (fractions of 1). */
export interface CruxFormFactorDensity {
  /** Desktop share. */
  desktop: number | null
  /** Phone share. */
  phone: number | null
  /** Tablet share. */
  tablet: number | null
}

/** Display details of a CrUX metric. */
export interface CruxMetricDisplay {
  /** Human-readable label. */
  label: string
  /** How to format values. */
  formatter: MetricFormatter
}

/** A CrUX p75 value of one metric. */
export interface CruxAggregateMetric {
  /** Metric name, e.g. `'cruxLargestContentfulPaint'`. */
  name: MetricTag
  /** p75 value. */
  value: number | null
  /** Rating of the value. */
  grading: Grading | null
  /** Display details. */
  metric: CruxMetricDisplay | null
}

/** Result of `Crux.summary` (the Site node). */
export interface CruxSummary {
  /** Core Web Vitals assessment, e.g. `'good'`. */
  cruxCvwAssessment: Grading | null
  /** Traffic share per form factor. */
  cruxFormFactorDensity: CruxFormFactorDensity | null
  /** p75 values per metric; `null` when CrUX is not enabled for the Site. */
  cruxAggregateMetrics: CruxAggregateMetric[] | null
}

/** The metric of a CrUX history series. */
export interface CruxHistoryMetric {
  /** Metric name. */
  name: MetricTag
  /** Human-readable label. */
  label: string
  /** How to format values. */
  formatter: MetricFormatter
}

/** One collection period of a CrUX history series. */
export interface CruxHistoryValue {
  /** Period start (ISO 8601). */
  collectionPeriodStart: string
  /** Period end (ISO 8601). */
  collectionPeriodEnd: string
  /** p75 value. */
  p75Value: number | null
  /** Rating of the p75 value. */
  p75Grading: Grading | null
}

/** CrUX history of one metric. */
export interface CruxHistoryEntry {
  /** The metric. */
  metric: CruxHistoryMetric | null
  /** Values per collection period. */
  values: CruxHistoryValue[]
}

/** Result of `Crux.history` (the Site node). */
export interface CruxHistoryResult {
  /** History per metric; `null` when CrUX is not enabled for the Site. */
  cruxHistory: CruxHistoryEntry[] | null
}

/** A monitored URL as listed by `Crux.urls`. */
export interface CruxUrlSummary {
  /** UUID (pass it to `Crux.url`). */
  uuid: string
  /** The URL. */
  url: string
  /** Display name. */
  name: string | null
  /** Monitoring status, e.g. `'active'`. */
  status: string | null
  /** Core Web Vitals assessment. */
  cruxCvwAssessment: Grading | null
  /** p75 values per metric, or `null` when there is no data. */
  cruxAggregateMetrics: CruxAggregateMetric[] | null
}

/** An edge of `cruxUrlsList`. */
export interface CruxUrlEdge {
  /** The monitored URL. */
  node: CruxUrlSummary
}

/** The monitored URLs (GraphQL connection, edges only; no paging). */
export interface CruxUrlConnection {
  /** One edge per URL. */
  edges: CruxUrlEdge[]
}

/** Result of `Crux.urls` (the Site node). */
export interface CruxUrlsResult {
  /** The monitored URLs. */
  cruxUrlsList: CruxUrlConnection
}

/** A monitored URL with its CrUX data. */
export interface CruxUrlDetails {
  /** UUID. */
  uuid: string
  /** The URL. */
  url: string
  /** Display name. */
  name: string | null
  /** Monitoring status, e.g. `'active'`. */
  status: string | null
  /** Core Web Vitals assessment. */
  cruxCvwAssessment: Grading | null
  /** Traffic share per form factor. */
  cruxFormFactorDensity: CruxFormFactorDensity | null
  /** p75 values per metric, or `null` when there is no data. */
  cruxAggregateMetrics: CruxAggregateMetric[] | null
  /** History per metric, or `null` when there is no data. */
  cruxHistory: CruxHistoryEntry[] | null
}

/** Result of `Crux.url` (the Site node). */
export interface CruxUrlResult {
  /** The URL's data, or `null` when the UUID is unknown. */
  cruxUrl: CruxUrlDetails | null
}

// ─────────────────────────────────────────────────────────────────────────────
// Rum (Real User Monitoring)
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Filters shared by `Rum.summary`, `Rum.history` and `Rum.pages`. Only truthy values are used; when none is
 * given, no `filter` is sent.
 */
export interface RumFilterArgs {
  /** Number of days to aggregate. */
  duration?: number | undefined
  /** Time granularity. */
  dateBin?: RumDateBin | undefined
  /** Country code, e.g. `'AU'`. */
  country?: string | undefined
  /** URL path, e.g. `'/pricing'`. */
  path?: string | undefined
  /** Device type. */
  device?: RumDevice | undefined
  /** Page grouping UUID. */
  pageGrouping?: string | undefined
}

/** Arguments of `Rum.summary`. */
export interface RumSummaryArgs extends RumFilterArgs {
  /** Site slug. */
  site: string
  /** Metrics to aggregate. Default `['lcp', 'cls', 'inp', 'ttfb', 'fcp', 'rtt']` (an empty array is sent as is). */
  metrics?: MetricTag[] | undefined
}

/** Arguments of `Rum.history`. */
export interface RumHistoryArgs extends RumFilterArgs {
  /** Site slug. */
  site: string
  /** Metrics. Default `['lcp', 'cls', 'inp', 'ttfb', 'fcp', 'rtt']`. */
  metrics?: MetricTag[] | undefined
}

/** Arguments of `Rum.pages`. */
export interface RumPagesArgs extends RumFilterArgs {
  /** Site slug. */
  site: string
  /** Metrics. Default `['lcp', 'cls', 'inp', 'ttfb', 'fcp', 'rtt']`. */
  metrics?: MetricTag[] | undefined
  /** Maximum number of paths. */
  limit?: number | undefined
  /** Number of paths to skip. */
  offset?: number | undefined
  /** Sort key, e.g. a metric tag or `'sessionCount'`. */
  sortBy?: string | undefined
}

/** Arguments of `Rum.config`. */
export interface RumConfigArgs {
  /** Site slug. */
  site: string
}

/** A metric included in a RUM result. */
export interface RumMetricInfo {
  /** Metric tag, e.g. `'lcp'`. */
  value: MetricTag
  /** How to format values. */
  formatter: MetricFormatter
}

/** RUM p75 values and ratings (`null` for metrics not requested or without data). */
export interface RumAggregate {
  /** Largest Contentful Paint (ms). */
  lcp: number | null
  /** Rating of `lcp`. */
  lcpGrading: Grading | null
  /** Cumulative Layout Shift. */
  cls: number | null
  /** Rating of `cls`. */
  clsGrading: Grading | null
  /** Interaction to Next Paint (ms). */
  inp: number | null
  /** Rating of `inp`. */
  inpGrading: Grading | null
  /** First Contentful Paint (ms). */
  fcp: number | null
  /** Rating of `fcp`. */
  fcpGrading: Grading | null
  /** Time to First Byte (ms). */
  ttfb: number | null
  /** Rating of `ttfb`. */
  ttfbGrading: Grading | null
  /** Round-trip time (ms). */
  rtt: number | null
  /** Rating of `rtt`. */
  rttGrading: Grading | null
  /** Number of page views. */
  count: number | null
  /** Number of sessions. */
  sessionCount: number | null
}

/** Distribution of ratings for one metric. */
export interface RumUxRating {
  /** Metric tag. */
  metric: MetricTag
  /** Percentage rated good. */
  goodPercentage: number
  /** Percentage rated needs improvement. */
  needsImprovementPercentage: number
  /** Percentage rated poor. */
  poorPercentage: number
  /** Number of samples. */
  count: number
}

/** Result of `Rum.summary`. */
export interface RumSummaryResult {
  /** Visitors right now. */
  liveVisitors: number | null
  /** Number of distinct visitor countries. */
  distinctCountriesCount: number | null
  /** Total number of samples. */
  totalCount: number | null
  /** Metrics included. */
  metrics: RumMetricInfo[]
  /** Aggregate values (usually one entry). */
  aggregate: RumAggregate[]
  /** Rating distribution per metric. */
  uxRating: RumUxRating[]
}

/** RUM values for one date bin. */
export interface RumHistoryEntry {
  /** Start of the bin (ISO 8601). */
  date: string
  /** Largest Contentful Paint (ms). */
  lcp: number | null
  /** Rating of `lcp`. */
  lcpGrading: Grading | null
  /** Cumulative Layout Shift. */
  cls: number | null
  /** Rating of `cls`. */
  clsGrading: Grading | null
  /** Interaction to Next Paint (ms). */
  inp: number | null
  /** Rating of `inp`. */
  inpGrading: Grading | null
  /** First Contentful Paint (ms). */
  fcp: number | null
  /** Rating of `fcp`. */
  fcpGrading: Grading | null
  /** Time to First Byte (ms). */
  ttfb: number | null
  /** Rating of `ttfb`. */
  ttfbGrading: Grading | null
  /** Round-trip time (ms). */
  rtt: number | null
  /** Rating of `rtt`. */
  rttGrading: Grading | null
  /** Number of page views. */
  count: number | null
  /** Number of sessions. */
  sessionCount: number | null
}

/** Result of `Rum.history`. */
export interface RumHistoryResult {
  /** Metrics included. */
  metrics: RumMetricInfo[]
  /** One entry per date bin. */
  history: RumHistoryEntry[]
}

/** RUM values for one URL path. */
export interface RumPageAggregate {
  /** URL path. */
  path: string
  /** Largest Contentful Paint (ms). */
  lcp: number | null
  /** Rating of `lcp`. */
  lcpGrading: Grading | null
  /** Cumulative Layout Shift. */
  cls: number | null
  /** Rating of `cls`. */
  clsGrading: Grading | null
  /** Interaction to Next Paint (ms). */
  inp: number | null
  /** Rating of `inp`. */
  inpGrading: Grading | null
  /** First Contentful Paint (ms). */
  fcp: number | null
  /** Rating of `fcp`. */
  fcpGrading: Grading | null
  /** Time to First Byte (ms). */
  ttfb: number | null
  /** Rating of `ttfb`. */
  ttfbGrading: Grading | null
  /** Round-trip time (ms). */
  rtt: number | null
  /** Rating of `rtt`. */
  rttGrading: Grading | null
  /** Number of page views. */
  count: number | null
  /** Number of sessions. */
  sessionCount: number | null
}

/** Result of `Rum.pages`. */
export interface RumPagesResult {
  /** Total number of paths (for paging with `limit` / `offset`). */
  totalCount: number | null
  /** Metrics included. */
  metrics: RumMetricInfo[]
  /** One entry per path. */
  aggregate: RumPageAggregate[]
}

/** RUM collection settings of a Site (result of `Rum.config`). */
export interface RumConfig {
  /** Whether collection is enabled. */
  enabled: boolean
  /** Fraction of sessions sampled (0–1). */
  sampleRate: number
  /** Origins allowed to send data. */
  allowedOrigins: string[]
  /** Collection endpoint. */
  endpoint: string
  /** Identifier used by the RUM snippet. */
  identifier: string
  /** Months of data kept. */
  dataRetentionMonths: number
  /** Maximum retention the plan allows. */
  maxDataRetentionMonths: number
  /** Whether EU visitors are excluded. */
  excludeEu: boolean
  /** Creation time (ISO 8601). */
  createdAt: string
  /** Last update (ISO 8601). */
  updatedAt: string
  /** When collection was suspended (ISO 8601), or `null`. */
  suspendedAt: string | null
  /** Whether Calibre suspended collection. */
  systemSuspended: boolean
}

/**
 * The `diagnostics_channel` channels calibre-native publishes on, one message per HTTP attempt
 * (GraphQL calls, token refresh, the CLI's artifact downloads), only while a channel has
 * subscribers. `start` carries a {@link CalibreRequestStartMessage}; `end` (an answer arrived,
 * whatever its status) a {@link CalibreRequestEndMessage}; `error` (no answer: network failure,
 * timeout, abort, an answer that could not be read) a {@link CalibreRequestErrorMessage}.
 */
export type CalibreRequestChannel =
  | 'calibre-native:request:start'
  | 'calibre-native:request:end'
  | 'calibre-native:request:error'

/** The message of `calibre-native:request:start`: one HTTP attempt begins. */
export interface CalibreRequestStartMessage {
  /** The GraphQL operation's name, or `null` (an anonymous document, a refresh, a download). */
  operationName: string | null
  /** `POST` for the API and token refresh, `GET` for artifact downloads. */
  method: 'GET' | 'POST'
  /** The URL without its query (signed URLs keep their credentials there). */
  url: string
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number
}

/**
 * The message of `calibre-native:request:end`: the same object as the attempt's start message,
 * with the answer's fields added (so a `WeakMap` keyed on the start message finds it).
 */
export interface CalibreRequestEndMessage extends CalibreRequestStartMessage {
  /** The HTTP status (any: a 503 that is then retried ends too). */
  status: number
  /** From sending the request to the last byte of the answer, in milliseconds. */
  durationMs: number
  /** Bytes of the answer's body as decoded (a compressed answer took fewer on the wire; how many is not known). */
  bytes: number
}

/** The message of `calibre-native:request:error`: the attempt's start message, with why it got no answer. */
export interface CalibreRequestErrorMessage extends CalibreRequestStartMessage {
  /** `CALIBRE_NETWORK_ERROR`, `CALIBRE_TIMEOUT`, `CALIBRE_ABORTED`, `CALIBRE_INVALID_RESPONSE`, … */
  code: CalibreErrorCode
  /** From sending the request to the failure, in milliseconds. */
  durationMs: number
}
