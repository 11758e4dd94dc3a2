// An ES module script written the way users write them, type-checked by `npm run test:types`
// (tsc --strict --noEmit; never run). It calls every function of all 18 namespaces, reads result
// fields with their precise types and proves with @ts-expect-error that wrong calls are rejected.
import {
  Agent,
  AgentSettings,
  Calibre,
  CalibreError,
  Connection,
  Crux,
  Deploy,
  Device,
  GraphQL,
  Integration,
  MetricBudget,
  Page,
  PullRequestReview,
  Rum,
  Site,
  Snapshot,
  SnapshotMetrics,
  Test,
  TestProfile,
  TimeSeries,
  Token,
} from 'calibre-native'
import type {
  CalibreErrorCode,
  GraphQLError,
  PageInfo,
  SiteSummary,
  SinglePageTest,
  TestStatus,
  TokenSource,
} from 'calibre-native'
import { startFakeCalibre } from 'calibre-native/testing'
import type { FakeCalibre } from 'calibre-native/testing'

/** Compile-time exact type equality: `true` only when A and B are the same type (not `any`). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
/** Accepts only `true`: `exact<Equal<X, Y>>(true)` fails to compile unless X and Y are the same. */
function exact<T extends true>(_proof: T): void {}

const site = 'acme-website'
const signal = AbortSignal.timeout(60_000)

// ─── Site ───────────────────────────────────────────────────────────────────────────────────────
const sites = await Site.list()
const firstSlug: string = sites[0].slug
exact<Equal<typeof sites, SiteSummary[]>>(true)
const crux: string | null | undefined = sites[0].monitoringStatus?.crux
const created = await Site.create({
  name: 'Acme',
  team: 'marketing',
  pages: [{ name: 'Home', url: 'https://acme.example', canonical: true }],
  testProfiles: [{ name: 'Phone', device: 'Pixel5', connection: 'regular3G', jsIsDisabled: false }],
  agentSettings: { location: 'Sydney', scheduleInterval: 'daily', scheduleAnchor: 3 },
})
const pageUuid: string = created.pagesList.edges[0].node.uuid
const scheduleAnchor: number | null | undefined = created.agentSettings?.scheduleAnchor
await Site.create({ name: 'Legacy', location: 'London' }) // deprecated alias still typed
const got = await Site.get({ slug: site }, { signal, timeoutMs: 5000 })
const canonical: string | null | undefined = got?.canonicalUrl
const cookieSecure: boolean | undefined = got?.cookies[0]?.secure
// @ts-expect-error Site.get resolves to null for an unknown slug: strict null checks apply
void (await Site.get({ slug: site })).name
const updated = await Site.update({ slug: site, name: 'Acme 2', headers: [{ name: 'X', value: '1' }] })
const updatedName: string = updated.name
const deleted = await Site.destroy({ slug: site })
const deletedSlug: string = deleted.slug
// @ts-expect-error `slug` must be a string
await Site.get({ slug: 42 })
// @ts-expect-error `slug` is required
await Site.get({})
// @ts-expect-error Site.get takes an object, not a bare slug
await Site.get(site)
// @ts-expect-error Site.list takes no arguments object (only call options)
await Site.list({ slug: site })
// @ts-expect-error `name` is required
await Site.create({ team: 'marketing' })
// @ts-expect-error slug is a string, not a number
const wrongSlug: number = sites[0].slug

// ─── Snapshot ───────────────────────────────────────────────────────────────────────────────────
const snap = await Snapshot.create({ site, ref: 123 })
const iid: number = snap.iid
await Snapshot.create({ site, ref: null })
await Snapshot.create({ site })
const { snapshots, pageInfo } = await Snapshot.list({ site, count: 10, cursor: null })
const endCursor: string | null = pageInfo.endCursor
exact<Equal<typeof pageInfo, PageInfo>>(true)
const snapshotRef: string | null = snapshots[0].ref
await Snapshot.list({ site, count: 10, cursor: endCursor })
const removed = await Snapshot.destroy({ site, id: snapshots[0].iid })
const removedIid: number = removed.iid
await Snapshot.destroy({ site, id: '12' })
const artifacts = await Snapshot.fetchArtifacts({ site, id: '12' })
const har: string | null | undefined = artifacts?.snapshot?.tests[0]?.har
// @ts-expect-error the Snapshot may not exist
void artifacts?.snapshot.iid
for await (const s of Snapshot.iterate({ site, pageSize: 50 }, { signal })) {
  const n: number = s.iid
  void n
}
// @ts-expect-error `count` is required by the API (calibre@7 has no default)
await Snapshot.list({ site })
// @ts-expect-error `site` is required
await Snapshot.list({ count: 10 })
// @ts-expect-error `ref` cannot be an object
await Snapshot.create({ site, ref: { name: 'v1' } })

// ─── Test ───────────────────────────────────────────────────────────────────────────────────────
const test = await Test.create({
  url: 'https://acme.example',
  location: 'Sydney',
  device: 'Pixel5',
  connection: 'regular3G',
  cookies: [{ name: 'session', value: 'x', secure: true }],
  headers: [{ name: 'X-Test', value: '1' }],
  isPrivate: true,
  blockedHosts: ['*.ads.example'],
  expiresAt: new Date(Date.now() + 86_400_000 * 7),
})
const uuid: string = test.uuid
await Test.create({ url: 'https://acme.example', location: 'Sydney', expiresAt: '2030-01-01T00:00:00.000Z' })
await Test.create({ url: 'https://acme.example', location: 'Sydney', expiresAt: null })
const list = await Test.getList()
const listedStatus: TestStatus = list[0].status
const byUuid = await Test.getTestByUuid(uuid)
const lcp: number | null | undefined = byUuid?.metrics.find((m) => m.name === 'largest-contentful-paint')?.value
const done = await Test.waitForTest(uuid, { intervalMs: 2000, timeoutMs: 600_000, signal })
exact<Equal<typeof done, SinglePageTest>>(true)
const report: string | null = done.markdownReport
const runtimeCode: string | undefined = done.runtimeError?.code
const testArtifacts = await Test.fetchArtifacts(uuid)
const video: string | null | undefined = testArtifacts?.video
// @ts-expect-error getTestByUuid takes the uuid itself, not an object (calibre@7 signature)
await Test.getTestByUuid({ uuid })
// @ts-expect-error waitForTest takes the uuid itself
await Test.waitForTest({ uuid })
// @ts-expect-error `intervalMs` is a number
await Test.waitForTest(uuid, { intervalMs: '5000' })
// @ts-expect-error `location` is required
await Test.create({ url: 'https://acme.example' })
// @ts-expect-error `isPrivate` is a boolean
await Test.create({ url: 'https://acme.example', location: 'Sydney', isPrivate: 'yes' })
// @ts-expect-error `signal` must be an AbortSignal
await Test.getList({ signal: 'stop' })

// ─── PullRequestReview ──────────────────────────────────────────────────────────────────────────
const started = await PullRequestReview.create({ site, title: 'Hero', url: 'https://pr-1.acme.example', branch: 'feat', sha: 'abc123', config: 'pages: []' })
const startedStatus: TestStatus = started.status
const reviews = await PullRequestReview.list({ site })
const sha: string = reviews[0].sha
const byBranch = await PullRequestReview.getPRReviewByBranch(site, 'feat')
const budgetStatus: string | null = byBranch[0].metricBudgetStatus
await PullRequestReview.getPRReviewByBranch(site) // branch may be omitted, as in calibre@7
await PullRequestReview.getPRReviewByBranch(site, null)
const review = await PullRequestReview.waitForReviewCompletion(site, 'feat', { intervalMs: 10_000, timeoutMs: 1_800_000 })
if (review.metricBudgetStatus === 'unmet') process.exitCode = 1
// @ts-expect-error positional arguments, not an object (calibre@7 signature)
await PullRequestReview.getPRReviewByBranch({ site, branch: 'feat' })
// @ts-expect-error `sha` is required
await PullRequestReview.create({ site, title: 'Hero', url: 'https://pr-1.acme.example', branch: 'feat' })

// ─── TestProfile ────────────────────────────────────────────────────────────────────────────────
const profile = await TestProfile.create({ site, name: 'Phone', device: 'Pixel5', connection: 'regular3G', javascript: true })
const jsOff: boolean = profile.jsIsDisabled
const profiles = await TestProfile.list({ site })
const bandwidth: string | undefined = profiles[0].bandwidth?.title
const updatedProfile = await TestProfile.update({ site, uuid: profile.uuid, headers: [{ name: 'X', value: '1' }], blockedThirdParties: ['Google Analytics'], javascript: true, position: 1 })
const position: number | null = updatedProfile.position
const deletedProfile = await TestProfile.destroy({ site, uuid: profile.uuid })
const deletedProfileName: string = deletedProfile.name
// @ts-expect-error `javascript` is a boolean
await TestProfile.create({ site, name: 'Phone', javascript: 'yes' })
// @ts-expect-error calibre@7 ignores `headers` in create; the type says so
await TestProfile.create({ site, name: 'Phone', headers: [{ name: 'X', value: '1' }] })
// @ts-expect-error `uuid` is required
await TestProfile.update({ site, name: 'Phone' })

// ─── Agent, Connection, Device ──────────────────────────────────────────────────────────────────
const locations = await Agent.list()
const ipv4: string = locations[0].agents[0].ipv4
const connections = await Connection.list()
const connectionName: string = connections[0].name
const devices = await Device.list()
const width: number = devices[0].screenWidth
const discontinued: boolean = devices[0].isDiscontinued
// @ts-expect-error Agent.list takes no arguments object
await Agent.list({ site })

// ─── Page ───────────────────────────────────────────────────────────────────────────────────────
const page = await Page.create({ site, name: 'Pricing', url: 'https://acme.example/pricing', position: 2 })
const pageUrl: string = page.url
const pages = await Page.list({ site, count: 25 })
const pageNames: string[] = pages.pages.map((p) => p.name)
const hasNext: boolean = pages.pageInfo.hasNextPage
await Page.update({ site, uuid: page.uuid, name: 'Plans' })
const deletedPage = await Page.destroy({ site, uuid: page.uuid })
const deletedPageUuid: string = deletedPage.uuid
for await (const p of Page.iterate({ site }, { pageSize: 100, signal })) {
  const name: string = p.name
  const pos: number | null = p.position
  // @ts-expect-error uuid is a string
  const wrong: number = p.uuid
  void [name, pos, wrong]
}
const pageIterator = Page.iterate({ site })
const firstPage = await pageIterator.next()
if (!firstPage.done) void firstPage.value.uuid
// @ts-expect-error `pageSize` is a number
Page.iterate({ site }, { pageSize: '100' })
// @ts-expect-error `site` is required
Page.iterate({ pageSize: 10 })

// ─── SnapshotMetrics ────────────────────────────────────────────────────────────────────────────
const metrics = await SnapshotMetrics.snapshot({ site, snapshotId: 3 })
const measurementValue: number | null | undefined = metrics?.snapshot?.tests[0]?.measurements[0]?.value
const profileIsMobile: boolean | undefined = metrics?.testProfiles[0]?.isMobile
// @ts-expect-error `snapshotId` is a number (sent unchanged, the API wants Int!)
await SnapshotMetrics.snapshot({ site, snapshotId: '3' })

// ─── GraphQL ────────────────────────────────────────────────────────────────────────────────────
const data = await GraphQL.request({ query: 'query Q($slug: String!) { organisation { site(slug: $slug) { name } } }', slug: site })
const org: unknown = data.organisation
interface SiteNameData {
  organisation: { site: { name: string } | null } | null
}
const typed = await GraphQL.request<SiteNameData>({ query: 'query Q($slug: String!) { organisation { site(slug: $slug) { name } } }', slug: site })
const typedName: string | undefined = typed.organisation?.site?.name
// @ts-expect-error `query` is required
await GraphQL.request({ slug: site })

// ─── TimeSeries ─────────────────────────────────────────────────────────────────────────────────
const series = await TimeSeries.list({ site, measurements: ['largest-contentful-paint'], from: new Date('2024-01-01'), to: '2024-02-01' })
const values: Array<number | null> = series.series[0].values
const metricLabel: string = series.metrics[0].label
// @ts-expect-error `pages` is a list of UUIDs
await TimeSeries.list({ site, pages: 'home' })

// ─── Deploy ─────────────────────────────────────────────────────────────────────────────────────
const deploy = await Deploy.create({ site, revision: 'abc123', repository: 'https://github.com/acme/site', username: 'ci', createdAt: new Date() })
const deployUuid: string = deploy.uuid
const deploys = await Deploy.list({ site }) // count defaults to 25
const revision: string | null = deploys.deploys[0].revision
await Deploy.destroy({ site, uuid: deployUuid })
for await (const d of Deploy.iterate({ site })) void d.createdAt
// @ts-expect-error `count` is a number
await Deploy.list({ site, count: '25' })

// ─── Integration ────────────────────────────────────────────────────────────────────────────────
const integration = await Integration.create({ site, provider: 'webhook', url: 'https://hooks.acme.example', events: ['new_snapshot'], secret: 's' })
const events: string[] = integration.events
await Integration.update({ site, uuid: integration.uuid, isDisabled: true })
const integrations = await Integration.list({ site, count: 10 })
const disabled: boolean = integrations.integrations[0].isDisabled
await Integration.destroy({ site, uuid: integration.uuid })
for await (const i of Integration.iterate({ site })) void i.provider
// @ts-expect-error `isDisabled` is a boolean
await Integration.update({ site, uuid: integration.uuid, isDisabled: 'true' })

// ─── MetricBudget ───────────────────────────────────────────────────────────────────────────────
const budget = await MetricBudget.create({ site, measurement: 'largest-contentful-paint', value: 2500, pages: [pageUuid] })
const within: boolean | null | undefined = budget.budgets[0]?.withinBudget
await MetricBudget.update({ site, uuid: budget.uuid, value: 2000 })
const budgets = await MetricBudget.list({ site, count: 25, metric: 'largest-contentful-paint' })
const metricName: string | undefined = budgets.metricBudgets[0].metric?.name
await MetricBudget.destroy({ site, uuid: budget.uuid })
for await (const b of MetricBudget.iterate({ site, metric: 'lcp' })) void b.value
// @ts-expect-error `value` is a number
await MetricBudget.create({ site, measurement: 'lcp', value: '2500' })

// ─── AgentSettings ──────────────────────────────────────────────────────────────────────────────
const settings = await AgentSettings.get({ site })
const locationTag: string | undefined = settings.location?.tag
const newSettings = await AgentSettings.update({ site, scheduleInterval: 'every_x_hours', scheduleAnchor: 6 })
const interval: string = newSettings.agentSettings.scheduleInterval
// @ts-expect-error `scheduleAnchor` is a number
await AgentSettings.update({ site, scheduleAnchor: '6' })

// ─── Crux ───────────────────────────────────────────────────────────────────────────────────────
const cruxSummary = await Crux.summary({ site, formFactor: 'phone' })
const assessment: string | null | undefined = cruxSummary?.cruxCvwAssessment
const p75: number | null | undefined = cruxSummary?.cruxAggregateMetrics?.[0]?.value
const history = await Crux.history({ site, formFactor: 'desktop', timePeriod: 'six-months' })
const periods: number | undefined = history?.cruxHistory?.[0]?.values.length
const urls = await Crux.urls({ site, formFactor: 'tablet' })
const cruxUrlUuid: string | undefined = urls?.cruxUrlsList.edges[0]?.node.uuid
const one = await Crux.url({ site, uuid: cruxUrlUuid ?? '', timePeriod: 'twelve-months' })
const cruxUrl: string | undefined = one?.cruxUrl?.url
// @ts-expect-error the metrics are null for a Site without CrUX: strict null checks apply
void cruxSummary?.cruxAggregateMetrics.length
// @ts-expect-error calibre@7 maps lower-case spellings only; 'PHONE' would be dropped silently
await Crux.summary({ site, formFactor: 'PHONE' })
// @ts-expect-error unknown time period
await Crux.history({ site, timePeriod: 'SIX_MONTHS' })
// @ts-expect-error `uuid` is required
await Crux.url({ site })

// ─── Rum ────────────────────────────────────────────────────────────────────────────────────────
const rum = await Rum.summary({ site, metrics: ['lcp', 'inp'], duration: 28, dateBin: 'day', country: 'AU', device: 'mobile' })
const visitors: number | null | undefined = rum?.liveVisitors
const rumHistory = await Rum.history({ site, dateBin: 'month' })
const firstDate: string | undefined = rumHistory?.history[0]?.date
const rumPages = await Rum.pages({ site, limit: 10, offset: 0, sortBy: '-lcp' })
const path: string | undefined = rumPages?.aggregate[0]?.path
const rumConfig = await Rum.config({ site })
const enabled: boolean | undefined = rumConfig?.enabled
// @ts-expect-error Rum results are null for a Site without RUM: strict null checks apply
void (await Rum.summary({ site })).totalCount
// @ts-expect-error unknown date bin ('week' is not mapped by calibre@7)
await Rum.summary({ site, dateBin: 'week' })
// @ts-expect-error unknown device ('phone' is a CrUX form factor, not a RUM device)
await Rum.history({ site, device: 'phone' })

// ─── Token ──────────────────────────────────────────────────────────────────────────────────────
const resolved = Token.resolve()
const source: TokenSource = resolved.source
const stored = Token.set('new-token')
const shadowed: boolean = stored.shadowedByEnv
const removedToken: boolean = Token.remove().removed
const refreshed = await Token.refresh({ persist: true, timeoutMs: 10_000 })
const expiresAt: string | null = refreshed.expiresAt
const status = await Token.status({ check: true })
const check: 'valid' | 'expired' | 'ip-not-allowed' | 'invalid' | 'unreachable' | undefined = status.check
const inKeyring: 'file' | 'keyring' = Token.set('new-token', { store: 'keyring', profile: 'work', host: 'https://api.calibreapp.com' }).store
void Token.remove({ profile: 'work' })
const tokenList = Token.list()
const defaultProfile: string = tokenList.default
const where: 'file' | 'keyring' | 'command' | 'none' = tokenList.profiles[0].store
const masked: string | null = tokenList.profiles[0].masked
Token.use('work')
const profileOfToken: string | undefined = Token.resolve().profile
const fromFunction = new Calibre({ token: async () => 'from-a-vault', profile: 'work' })
void new Calibre({ token: () => 'sync' })
// @ts-expect-error a token function returns a string
void new Calibre({ token: async () => 42 })
// @ts-expect-error the store is 'file' or 'keyring'
Token.set('t', { store: 'vault' })
// @ts-expect-error Token.set needs the token
Token.set()
// @ts-expect-error Token.resolve is synchronous
await Token.resolve().then(() => undefined)

// ─── Calibre client ─────────────────────────────────────────────────────────────────────────────
const client = new Calibre({
  token: process.env.OTHER_TOKEN,
  host: 'https://api.calibreapp.com',
  timeoutMs: 30_000,
  throttle: { limit: 5, intervalMs: 1000 },
  retries: { max: 2, baseMs: 250 },
  proxy: false,
  autoRefresh: true,
  onTokenRefreshed: (info) => {
    const t: string = info.token
    const from: TokenSource = info.source
    void [t, from]
  },
})
const clientSites: SiteSummary[] = await client.Site.list()
const { list: boundList } = client.Page
await boundList({ site, count: 5 })
await client.Token.refresh()
new Calibre()
new Calibre({ retries: false, throttle: false })
// @ts-expect-error `token` is a string
new Calibre({ token: 123 })
// @ts-expect-error `throttle` is an object or false
new Calibre({ throttle: true })
// @ts-expect-error unknown option
new Calibre({ tokne: 'x' })

// ─── Errors ─────────────────────────────────────────────────────────────────────────────────────
try {
  await Site.create({ name: '' })
} catch (e) {
  if (e instanceof CalibreError) {
    // calibre@7-style access to the GraphQL errors array still compiles.
    const explanation: string | undefined = e[0]?.extensions?.problems?.[0]?.explanation
    const count: number = e.length
    const first: GraphQLError | undefined = e.errors[0]
    e.code satisfies CalibreErrorCode
    const httpStatus: number | null = e.status
    const body: string | undefined = e.response?.body
    const variables: Record<string, unknown> | undefined = e.request?.variables
    const attempts: number = e.attempts
    const message: string = e.message
    switch (e.code) {
      case 'CALIBRE_TOKEN_EXPIRED':
      case 'CALIBRE_RATE_LIMITED':
        break
      // @ts-expect-error not a CalibreErrorCode
      case 'CALIBRE_NOPE':
        break
    }
    void [explanation, count, first, httpStatus, body, variables, attempts, message]
  }
}
const caught = await Rum.config({ site }).catch((e: unknown) => (e instanceof CalibreError ? e.code : 'other'))
void caught

// ─── calibre-native/testing ─────────────────────────────────────────────────────────────────────
const fake: FakeCalibre = await startFakeCalibre({ seed: true, rateLimit: false, completeTestsImmediately: true })
process.env.CALIBRE_HOST = fake.url
process.env.CALIBRE_API_TOKEN = fake.tokens.create({ type: 'admin' })
fake.failNext({ status: 503, headers: { 'retry-after': '1' }, count: 2 })
const now: number = fake.advance(20_000)
const requestCount: number = fake.requests.length
await fake.close()
// @ts-expect-error `port` is a number
await startFakeCalibre({ port: '0' })

void [firstSlug, crux, pageUuid, scheduleAnchor, canonical, cookieSecure, updatedName, deletedSlug, wrongSlug, iid, endCursor, snapshotRef, removedIid, har]
void [list, listedStatus, report, runtimeCode, video, lcp, startedStatus, sha, budgetStatus, jsOff, bandwidth, position, deletedProfileName, ipv4, connectionName, width, discontinued]
void [pageUrl, pageNames, hasNext, deletedPageUuid, measurementValue, profileIsMobile, org, typedName, values, metricLabel, revision, events, disabled, within, metricName]
void [locationTag, interval, assessment, p75, periods, cruxUrl, visitors, firstDate, path, enabled, source, shadowed, removedToken, expiresAt, check, clientSites, now, requestCount]
void [inKeyring, defaultProfile, where, masked, profileOfToken, fromFunction]
