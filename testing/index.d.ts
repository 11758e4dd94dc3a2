/**
 * `calibre-native/testing`: an offline fake of the Calibre API for tests.
 *
 * It serves the GraphQL API that calibre@7 (and calibre-native) use, the token
 * refresh endpoint and test artifacts from a real HTTP server on 127.0.0.1,
 * backed by an in-memory organisation you can inspect and change.
 *
 * @example
 * ```ts
 * import { startFakeCalibre } from 'calibre-native/testing'
 *
 * const fake = await startFakeCalibre()
 * process.env.CALIBRE_HOST = fake.url
 * process.env.CALIBRE_API_TOKEN = fake.tokens.create({ type: 'admin' })
 * // ... run the code under test ...
 * await fake.close()
 * ```
 * @packageDocumentation
 */

// ======================================================================
// Starting the fake
// ======================================================================

/**
 * Starts a fake Calibre API on `127.0.0.1` and resolves once it is listening.
 * @param options how to start it; every field is optional.
 * @throws {TypeError} when an option has the wrong type or range.
 */
export declare function startFakeCalibre(options?: FakeCalibreOptions): Promise<FakeCalibre>

/**
 * When queued work moves on, in fake-clock milliseconds after it was created:
 * single page tests, snapshots and pull request reviews are `queued`, then
 * `running` after `runningAfterMs`, then finished (`completed`, or `errored` /
 * `timeout`) after `completedAfterMs`. Move the clock with {@link FakeCalibre.advance}.
 */
export declare const TIMINGS: Readonly<{
  /** 5000: queued -> running. */
  runningAfterMs: number
  /** 20000: running -> completed (or the record's `outcome`). */
  completedAfterMs: number
}>

/** Options of {@link startFakeCalibre}. */
export interface FakeCalibreOptions {
  /** TCP port to listen on; `0` (the default) picks a free one. */
  port?: number | undefined
  /** Initial fake clock, in ms since the epoch. Default: `Date.now()` at start. */
  now?: number | undefined
  /**
   * Seed a plausible organisation (teams `marketing` and `engineering`, four
   * sites with pages, profiles, snapshots, deploys, integrations, budgets and
   * reviews, two single page tests). Default `true`. With `false` the store
   * holds one team, `default`, and no sites.
   */
  seed?: boolean | undefined
  /**
   * Per-token rate limit on real wall-clock time, or `false` to disable it.
   * Default `{ limit: 10, windowMs: 1000 }` (the documented 10 requests per second).
   */
  rateLimit?: RateLimitOptions | false | undefined
  /**
   * Make new single page tests, snapshots and pull request reviews finish
   * (`completed`) at once instead of on the fake clock. Default `false`.
   */
  completeTestsImmediately?: boolean | undefined
  /**
   * Compress answers as a real server does when the client's `Accept-Encoding`
   * offers it: `br` (quality 4), else `gzip`, else `deflate`, with
   * `Vary: Accept-Encoding`. Default `true`; `false` always answers uncompressed.
   */
  compression?: boolean | undefined
}

/**
 * A fixed-window rate limit, counted per token on real time. Windows are
 * aligned to the epoch (0-1 s, 1-2 s, ... by default), like Rails' rack-attack.
 */
export interface RateLimitOptions {
  /** Requests allowed per window. Default 10. */
  limit?: number | undefined
  /** Window length in ms. Default 1000. */
  windowMs?: number | undefined
}

/** A running fake, as resolved by {@link startFakeCalibre}. */
export interface FakeCalibre {
  /**
   * Base URL without a trailing slash, e.g. `http://127.0.0.1:53117`.
   * Use it as `CALIBRE_HOST`; GraphQL is `POST ${url}/graphql` and token
   * refresh is `POST ${url}/api/refresh_token`.
   */
  readonly url: string
  /**
   * Stops the server and drops every connection (idle keep-alive ones too) and
   * pending `delayMs` faults, so the process can exit. Safe to call twice.
   */
  close(): Promise<void>
  /** The fake's API tokens. */
  readonly tokens: FakeTokens
  /** The live in-memory store. Reads see what the API would answer; writes change it. */
  readonly state: FakeState
  /** Every request received, oldest first (see {@link RecordedRequest}). */
  readonly requests: RecordedRequest[]
  /** The fake clock, in ms since the epoch. */
  now(): number
  /**
   * Moves the fake clock forward by `ms` (never sleeps) and moves queued work
   * along (see {@link TIMINGS}). Token expiry follows the fake clock too.
   * @returns the new fake time.
   * @throws {TypeError} when `ms` is negative or not a number.
   */
  advance(ms: number): number
  /**
   * Queues a fault: the next `count` matching requests (any path unless `path`
   * is set) get it instead of normal handling. Faults queue in order.
   * @throws {TypeError} when the fault is malformed.
   */
  failNext(fault: Fault): void
}

/**
 * An injected failure. With `status` or `body`: that canned response (plus
 * `headers`). With neither: the request is handled normally, after `delayMs`
 * and with `headers` added. With `hangUp`: the socket is destroyed, no answer.
 */
export interface Fault {
  /** HTTP status of the canned response. Default 500 when `body` is given. */
  status?: number | undefined
  /**
   * Body of the canned response: objects are sent as JSON, strings and
   * Buffers as they are (`text/plain` unless `headers` set a Content-Type).
   * Default `{"error": "<reason phrase>"}`.
   */
  body?: JsonValue | Buffer | undefined
  /** Extra response headers. */
  headers?: Record<string, string> | undefined
  /** Real milliseconds to wait before answering (or hanging up). */
  delayMs?: number | undefined
  /** Destroy the connection without answering. */
  hangUp?: boolean | undefined
  /** How many requests get this fault. Default 1. */
  count?: number | undefined
  /** Only requests to this path (e.g. `/api/refresh_token`) get the fault. */
  path?: string | undefined
}

// ======================================================================
// Tokens
// ======================================================================

/** `admin`: sees every team. `personal` (Personal Access Token): one team. */
export type TokenType = 'admin' | 'personal'

/** The token holder's role; `viewer` tokens may read but not run mutations. */
export type TokenRole = 'admin' | 'member' | 'viewer'

/** Creates, revokes and describes the fake's API tokens. */
export interface FakeTokens {
  /**
   * Creates a token and returns it: 48 random hex characters unless
   * `options.token` is given. Send it as `Authorization: Token <token>`.
   * @throws {TypeError} for an unknown team, a malformed IP entry, a
   *   non-positive `expiresIn`, or an admin token with a non-admin role.
   */
  create(options?: TokenOptions): string
  /** Revokes a token: it then gets 401. Returns false if it was unknown or already revoked. */
  revoke(token: string): boolean
  /** Facts about a token (never the token itself); undefined if unknown. */
  get(token: string): TokenInfo | undefined
  /** Every token created so far, revoked ones included. */
  list(): TokenInfo[]
}

/** Options of {@link FakeTokens.create}. */
export interface TokenOptions {
  /** Default `'admin'`. */
  type?: TokenType | undefined
  /** Default `'admin'` for admin tokens (the only role they may have), `'member'` for personal ones. */
  role?: TokenRole | undefined
  /**
   * Team slug. Personal tokens only see this team's sites (default: the first
   * team, `marketing` when seeded). Admin tokens see every team regardless.
   */
  team?: string | undefined
  /** Lifetime in ms of fake time; absent or null = never expires. Refresh renews it for the same duration. */
  expiresIn?: number | null | undefined
  /**
   * Allowed IP Addresses: IPv4/IPv6 addresses and CIDR ranges, e.g.
   * `['127.0.0.1', '10.0.0.0/8', '2001:db8::/32']`. Empty or absent = any address.
   * IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is compared as IPv4.
   */
  allowedIps?: string[] | undefined
  /** Use this exact token string instead of a random one (URL-safe characters). */
  token?: string | undefined
}

/** What {@link FakeTokens.get} tells about a token. */
export interface TokenInfo {
  /** Non-secret id, e.g. `tok_1`; the request log refers to tokens by it. */
  id: string
  /** Admin or personal access token. */
  type: TokenType
  /** The holder's role; `viewer` cannot run mutations. */
  role: TokenRole
  /** Team slug, or null for admin tokens created without one. */
  team: string | null
  /** The lifetime it was created with (ms), or null. */
  expiresIn: number | null
  /** Fake-clock ms at which it expires, or null for never. */
  expiresAt: number | null
  /** Its Allowed IP Addresses; empty = any address. */
  allowedIps: string[]
  /** Successful `POST /api/refresh_token` calls. */
  refreshCount: number
  /** Fake-clock ms of creation. */
  createdAt: number
  /** Whether {@link FakeTokens.revoke} was called on it. */
  revoked: boolean
}

// ======================================================================
// HTTP contract (documented bodies)
// ======================================================================

/** `200` answer of `POST /api/refresh_token` (Content-Type application/json). */
export interface RefreshTokenResponse {
  /** The same token that was sent. */
  token: string
  /** New expiry, ISO 8601 UTC to the second (e.g. `2024-01-15T10:30:00Z`), or null for non-expiring tokens. */
  expires_at: string | null
}

/**
 * `401` body: missing, malformed, unknown or revoked token:
 * `{"error":"Unauthorized","message":"The API token is invalid or has been revoked."}`
 * (with `WWW-Authenticate: Token realm="Calibre API"`).
 */
export interface UnauthorizedBody {
  /** Always `Unauthorized`. */
  error: 'Unauthorized'
  /** `The API token is invalid or has been revoked.` */
  message: string
}

/**
 * `403` body. Expired token:
 * `{"error":"Forbidden","message":"This API token has expired. Refresh it before it expires, or re-save it in Calibre to renew it."}`.
 * Address not allowed:
 * `{"error":"Forbidden","message":"Requests from IP address <ip> are not allowed for this API token (Allowed IP Addresses)."}`.
 */
export interface ForbiddenBody {
  /** Always `Forbidden`. */
  error: 'Forbidden'
  /** Contains `expired`, or `IP address` and `not allowed`. */
  message: string
}

/**
 * `429` body, with `Retry-After` and `RateLimit-*` headers:
 * `{"errors":[{"message":"Rate limit exceeded: 10 requests per second. Retry after 1 second."}]}`.
 */
export interface RateLimitedBody {
  /** One error whose message names the limit and the seconds to wait. */
  errors: [{ message: string }]
}

/** A GraphQL error as the fake (and graphql-ruby) sends it. */
export interface GraphQLErrorBody {
  /** What went wrong, for humans. */
  message: string
  /** Where in the document (1-based line and column). */
  locations?: { line: number; column: number }[]
  /** Set for resolver errors: the response path of the failed field. */
  path?: (string | number)[]
  /** Details for variable and resolver errors. */
  extensions?: {
    /** Bad variables only: the value that was sent. */
    value?: JsonValue
    /** What was wrong: `path` into the input, `explanation` for humans. */
    problems?: { path: (string | number)[]; explanation: string }[]
  }
}

/** One entry of {@link FakeCalibre.requests}. */
export interface RecordedRequest {
  /** HTTP method, e.g. `POST`. */
  method: string
  /** URL path without the query string, e.g. `/graphql`. */
  path: string
  /** GraphQL operation name (sent, or the document's single named operation); null otherwise. */
  operationName: string | null
  /** GraphQL document sent to `/graphql`, else null. */
  query: string | null
  /** GraphQL variables sent to `/graphql`, else null. */
  variables: JsonValue | null
  /** Client address, IPv4-mapped IPv6 shown as IPv4. */
  ip: string
  /** Status answered; null while in flight or when the connection was hung up. */
  status: number | null
  /** {@link TokenInfo.id} of a live token that was presented, else null. Never the token. */
  tokenId: string | null
  /** Request headers, lower-case; `authorization` reads `Token [REDACTED]`. */
  headers: Record<string, string | string[] | undefined>
  /** Content-Encoding of the answer (`br`, `gzip`, `deflate`), or null when it was sent uncompressed. */
  encoding: 'br' | 'gzip' | 'deflate' | null
  /** Fake-clock ms when the request arrived. */
  time: number
  /** Whether a {@link Fault} answered (or delayed) it. */
  fault: boolean
  /** Stack of an unexpected fake-internal error (answered with 500), if any. */
  error?: string
}

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

// ======================================================================
// The store (fake.state)
// ======================================================================
// Times are numbers: ms since the epoch on the fake clock. Records refer to
// each other by slug, uuid or tag. Changing fields changes what the API answers.

/** Status of queued work. */
export type TestStatus = 'queued' | 'running' | 'completed' | 'errored' | 'timeout'

/** How queued work ends once the fake clock reaches it. */
export type TestOutcome = 'completed' | 'errored' | 'timeout'

/** `fake.state`: the whole organisation. */
export interface FakeState {
  /** The organisation every token belongs to (`Acme Inc`, slug `acme`). */
  organisation: { name: string; slug: string }
  /** Teams: `marketing` and `engineering` when seeded, else `default`. */
  teams: FakeTeam[]
  /** Every site of every team, in creation order. */
  sites: FakeSite[]
  /** Newest first. */
  singlePageTests: FakeSinglePageTest[]
  /** Test locations (`locations` query). */
  locations: FakeLocation[]
  /** Emulated devices (`emulatedDevices` query). */
  devices: FakeDevice[]
  /** Connection speeds (the ConnectionTag enum lists the tags). */
  connections: FakeConnection[]
  /** Metric catalogues of the `metrics`, `cruxMetrics` and `rumMetrics` queries. */
  metrics: { synthetic: FakeMetric[]; crux: FakeMetric[]; rum: FakeMetric[] }
}

/** A team; sites belong to one. */
export interface FakeTeam {
  /** Identifier used by tokens and `SiteInput.team`. */
  slug: string
  /** Display name. */
  name: string
  /** Free text, or null. */
  description: string | null
}

/** A monitored site and everything that belongs to it. */
export interface FakeSite {
  /** Unique identifier, derived from the name at creation. */
  slug: string
  /** Display name. */
  name: string
  /** Team slug. */
  team: string
  /** Canonical URL, or null. */
  canonicalUrl: string | null
  /** Fake-clock ms. */
  createdAt: number
  /** Fake-clock ms of the last settings change. */
  updatedAt: number
  /** Login form settings for authenticated pages. */
  authenticationSettings: FakeAuthenticationSettings
  /** Headers sent with every test. */
  headers: FakeHeader[]
  /** Cookies sent with every test. */
  cookies: FakeCookie[]
  /** Where and how often snapshots run. */
  agentSettings: FakeAgentSettings
  /** Pages tested in each snapshot (served ordered by position). */
  pages: FakePage[]
  /** Test profiles used in each snapshot (served ordered by position). */
  testProfiles: FakeTestProfile[]
  /** Newest first. */
  snapshots: FakeSnapshot[]
  /** The iid the next snapshot gets. */
  nextSnapshotIid: number
  /** Deploy markers (served oldest first). */
  deploys: FakeDeploy[]
  /** Slack and webhook integrations. */
  integrations: FakeIntegration[]
  /** Metric budgets. */
  metricBudgets: FakeMetricBudget[]
  /** Newest first. */
  pullRequestReviews: FakePullRequestReview[]
  /** CrUX data is generated only when enabled; `urls` back `cruxUrlsList`. */
  crux: { enabled: boolean; urls: FakeCruxUrl[] }
  /** `rum` answers null unless `rumConfig.enabled`. */
  rumConfig: FakeRumConfig
}

/** Login form settings of a site. */
export interface FakeAuthenticationSettings {
  /** Whether tests log in first. */
  required: boolean
  /** Login page URL. */
  url: string | null
  /** Login user name. */
  username: string | null
  /** Login password. */
  password: string | null
  /** CSS selector of the login form. */
  formSelector: string | null
  /** CSS selector of the user name field. */
  usernameSelector: string | null
  /** CSS selector of the password field. */
  passwordSelector: string | null
  /** Set when `required` but the URL or user name is missing. */
  warningMessage: string | null
}

/** An HTTP header sent with tests. */
export interface FakeHeader {
  /** Header name. */
  name: string
  /** Header value. */
  value: string
}

/** A cookie sent with tests. */
export interface FakeCookie {
  /** Cookie name. */
  name: string
  /** Cookie value. */
  value: string
  /** Cookie domain, or null. */
  domain: string | null
  /** Cookie path (`/` by default). */
  path: string | null
  /** Secure flag. */
  secure: boolean
  /** HttpOnly flag. */
  httpOnly: boolean
}

/** Where and how often a site's snapshots run. */
export interface FakeAgentSettings {
  /** Location tag, e.g. `Sydney`. */
  location: string
  /** Snapshot schedule. */
  scheduleInterval: 'off' | 'hourly' | 'daily' | 'every_x_hours'
  /** UTC hour for daily schedules, hour interval for every_x_hours. */
  scheduleAnchor: number | null
}

/** A page of a site. */
export interface FakePage {
  /** Identifier. */
  uuid: string
  /** Display name. */
  name: string
  /** The URL tested. */
  url: string
  /** Sort order (1-based). */
  position: number | null
  /** Whether it is the site's canonical page. */
  canonical: boolean
  /** Fake-clock ms. */
  createdAt: number
  /** Fake-clock ms. */
  updatedAt: number
}

/** A test profile: device, connection and browser settings. */
export interface FakeTestProfile {
  /** Identifier. */
  uuid: string
  /** Display name. */
  name: string
  /** Device tag, e.g. `iPhone12`, or null for none. */
  device: string | null
  /** Connection tag, e.g. `LTE`, or null for none. */
  connection: string | null
  /** Whether JavaScript is turned off. */
  jsIsDisabled: boolean
  /** Cookies sent by this profile. */
  cookies: FakeCookie[]
  /** Headers sent by this profile. */
  headers: FakeHeader[]
  /** Names of blocked third parties. */
  blockedThirdParties: string[]
  /** Sort order (1-based). */
  position: number | null
  /** Fake-clock ms. */
  createdAt: number
  /** Fake-clock ms. */
  updatedAt: number
}

/** A snapshot: every page tested with every test profile. */
export interface FakeSnapshot {
  /** Snapshot number within the site. */
  iid: number
  /** Slug of the site it belongs to. */
  siteSlug: string
  /** Free-form reference (e.g. a release), or null. */
  ref: string | null
  /** `'API'` for snapshots created through the API, null for scheduled ones. */
  client: string | null
  /** Fake-clock ms. */
  createdAt: number
  /** Fake-clock ms of the last status change. */
  updatedAt: number
  /** Moves along on the fake clock (see {@link TIMINGS}). */
  status: TestStatus
  /** Set before it finishes to make it end `errored` or `timeout`. */
  outcome: TestOutcome
  /** One per page and test profile at creation time. */
  tests: FakeSnapshotTest[]
}

/** One page tested with one profile within a snapshot. */
export interface FakeSnapshotTest {
  /** Identifier; also names its artifacts (`/artifacts/<uuid>/...`). */
  uuid: string
  /** Slug of the site it belongs to. */
  siteSlug: string
  /** The page as it was when tested. */
  page: { uuid: string; name: string; url: string }
  /** The profile as it was when tested. */
  testProfile: { uuid: string; name: string }
  /** Factor applied to generated timings (mobile, slow connection). */
  slowdown: number
  /** Follows its snapshot. */
  status: TestStatus
  /** Filled when completed. */
  measurements: FakeMeasurement[]
}

/** One measured value. */
export interface FakeMeasurement {
  /** Metric tag, e.g. `first-contentful-paint`. */
  name: string
  /** Human label, e.g. `First Contentful Paint`. */
  label: string
  /** The value (ms, bytes, score or unitless), or null. */
  value: number | null
}

/** A single page test (`createTest`). */
export interface FakeSinglePageTest {
  /** Identifier; also names its artifacts. */
  uuid: string
  /** The URL tested. */
  url: string
  /** Location tag. */
  location: string
  /** Device tag, or null for none. */
  device: string | null
  /** Connection tag, or null for none. */
  connection: string | null
  /** Cookies sent. */
  cookies: FakeCookie[]
  /** Headers sent. */
  headers: FakeHeader[]
  /** Hosts whose requests are blocked. */
  blockedHosts: string[]
  /** Whether the result is private. */
  isPrivate: boolean
  /** Where results would be posted, or null. */
  webhookUrl: string | null
  /** Webhook signing secret, or null. */
  webhookSecret: string | null
  /** Fake-clock ms when the result expires, or null. */
  expiresAt: number | null
  /** Fake-clock ms. */
  createdAt: number
  /** Fake-clock ms of the last status change. */
  updatedAt: number
  /** Moves along on the fake clock (see {@link TIMINGS}). */
  status: TestStatus
  /**
   * How it ends: `completed` unless the URL's host starts with `errored.` or
   * `timeout.` (e.g. `https://errored.example/`); tests may change it.
   */
  outcome: TestOutcome
  /** Filled when completed. */
  measurements: FakeMeasurement[]
}

/** A pull request review (`startPullRequestReview`). */
export interface FakePullRequestReview {
  /** Identifier. */
  uuid: string
  /** Slug of the site it belongs to. */
  siteSlug: string
  /** Title (the branch when none was given). */
  title: string
  /** Preview deployment URL. */
  url: string
  /** Branch name. */
  branch: string
  /** Commit sha. */
  sha: string
  /** YAML config contents, as sent. */
  config: string | null
  /** Fake-clock ms. */
  createdAt: number
  /** Fake-clock ms of the last status change. */
  updatedAt: number
  /** Moves along on the fake clock (see {@link TIMINGS}). */
  status: TestStatus
  /** How it ends (the preview URL's host decides, as for single page tests). */
  outcome: TestOutcome
  /** Null: worked out from the site's budgets once completed. Set a string to override. */
  metricBudgetStatus: string | null
}

/** A deploy marker. */
export interface FakeDeploy {
  /** Identifier. */
  uuid: string
  /** Slug of the site it belongs to. */
  siteSlug: string
  /** Revision, e.g. a tag or sha. */
  revision: string
  /** Repository URL, or null. */
  repository: string | null
  /** Who deployed, or null. */
  username: string | null
  /** Fake-clock ms (or the `createdAt` sent). */
  createdAt: number
}

/** A Slack or webhook integration. */
export interface FakeIntegration {
  /** Identifier. */
  uuid: string
  /** Where notifications go. */
  provider: 'slack' | 'webhook'
  /** Which events notify. */
  events: ('new_snapshot' | 'metric_budget_change')[]
  /** Destination URL. */
  url: string
  /** Signing secret, or null. */
  secret: string | null
  /** Whether it is paused. */
  isDisabled: boolean
}

/** A metric budget; its status is worked out from the latest completed snapshot. */
export interface FakeMetricBudget {
  /** Identifier. */
  uuid: string
  /** Slug of the site it belongs to. */
  siteSlug: string
  /** Metric tag. */
  measurement: string
  /** The budget (ms, bytes, score...). */
  value: number
  /** Page uuids; empty = every page. */
  pages: string[]
  /** Test profile uuids; empty = every profile. */
  profiles: string[]
  /** Fake-clock ms. */
  createdAt: number
}

/** A URL with its own CrUX data. */
export interface FakeCruxUrl {
  /** Identifier (`cruxUrl(uuid:)`). */
  uuid: string
  /** The URL. */
  url: string
  /** Display name. */
  name: string
  /** e.g. `active`. */
  status: string
}

/** Real User Monitoring settings of a site. */
export interface FakeRumConfig {
  /** Whether RUM data is served. */
  enabled: boolean
  /** Share of visits sampled (0-1). */
  sampleRate: number
  /** Origins allowed to report. */
  allowedOrigins: string[]
  /** Path on the fake (made absolute in answers) or an absolute URL. */
  endpoint: string
  /** Snippet identifier. */
  identifier: string
  /** How long data is kept. */
  dataRetentionMonths: number
  /** The plan's maximum retention. */
  maxDataRetentionMonths: number
  /** Whether EU visitors are excluded. */
  excludeEu: boolean
  /** Fake-clock ms. */
  createdAt: number
  /** Fake-clock ms. */
  updatedAt: number
  /** Fake-clock ms when suspended, or null. */
  suspendedAt: number | null
  /** Whether Calibre suspended it. */
  systemSuspended: boolean
}

/** A test location. */
export interface FakeLocation {
  /** e.g. `NorthVirginia`, `Sydney`, `Ireland`. */
  tag: string
  /** Stable id, e.g. `sydney`. */
  identifier: string
  /** e.g. `Sydney, Australia`. */
  name: string
  /** e.g. `SYD`. */
  shortName: string
  /** Flag emoji. */
  emoji: string
  /** Agent addresses (documentation ranges, RFC 5737). */
  agents: { ipv4: string }[]
}

/** An emulated device. */
export interface FakeDevice {
  /** e.g. `Desktop`, `iPhone12`, `MotorolaMotoGPower`. */
  tag: string
  /** e.g. `iPhone 15`. */
  title: string
  /** CSS pixels. */
  screenWidth: number
  /** CSS pixels. */
  screenHeight: number
  /** Form factor. */
  type: 'desktop' | 'phone' | 'tablet'
  /** Whether new profiles should avoid it. */
  isDiscontinued: boolean
}

/** A connection speed. */
export interface FakeConnection {
  /** e.g. `cable`, `LTE`, `good3G`, `regular3G`. */
  tag: string
  /** e.g. `4G LTE`. */
  title: string
}

/** A metric of one of the catalogues. */
export interface FakeMetric {
  /** Identifier, e.g. `first-contentful-paint`, `cruxLargestContentfulPaint`, `lcp`. */
  name: string
  /** The tag MetricTag accepts. */
  value: string
  /** e.g. `First Contentful Paint`. */
  label: string
  /** e.g. `FCP`. */
  shortLabel: string
  /** Whether budgets cap (`LessThan`) or floor (`GreaterThan`) it. */
  budgetThreshold: 'LessThan' | 'GreaterThan'
  /** `humanDuration`, `humanBytes`, `unitless` or `number`. */
  formatter: string
  /** Documentation path. */
  docsPath: string
  /** Boundary of "good". */
  goodStop: number
  /** Boundary of "poor". */
  poorStop: number
  /** Whether Calibre recommends tracking it. */
  recommended: boolean
  /** Category, or null (RUM metrics). */
  category: { name: string; label: string } | null
  /** Range generated values are drawn from (fake only). */
  sample: [number, number]
  /** Decimals generated values keep (fake only). */
  decimals: number
}
