// Library-style TypeScript (a .ts file in a package without "type": "module", so CommonJS output)
// using `new Calibre()` clients: every one of the 18 namespaces plus Token through a client,
// helper functions typed with the exported shapes, and rejected misuse. Type-checked, never run.
import { Calibre, CalibreError } from 'calibre-native'
import type {
  CalibreOptions,
  CallOptions,
  CruxFormFactor,
  DeployDetails,
  GraphQLData,
  IterateOptions,
  MetricBudgetListItem,
  MetricTag,
  PageDetails,
  PullRequestReviewDetails,
  RumSummaryResult,
  SiteDetails,
  TerminalTestStatus,
  TestCreateArgs,
  TokenStatus,
  WaitOptions,
} from 'calibre-native'
import { startFakeCalibre, TIMINGS } from 'calibre-native/testing'
import type { FakeCalibreOptions, RecordedRequest } from 'calibre-native/testing'

/** One client per organisation, each with its own token and settings. */
export function clientFor(token: string, extra: Omit<CalibreOptions, 'token'> = {}): Calibre {
  return new Calibre({ token, timeoutMs: 20_000, ...extra })
}

/** Drains any `iterate` helper into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

export async function everything(client: Calibre, site: string, options: CallOptions = {}): Promise<void> {
  const { Site, Snapshot, Test, PullRequestReview, TestProfile, Agent, Page, Connection, Device, SnapshotMetrics, GraphQL, TimeSeries, Deploy, Integration, MetricBudget, AgentSettings, Crux, Rum, Token } = client

  const details: SiteDetails | null = await Site.get({ slug: site }, options)
  await Site.update({ slug: site, authenticationSettings: { required: true, url: 'https://acme.example/login', username: 'u', password: 'p' } })
  await Site.create({ name: 'New', pages: [{ name: 'Home', url: 'https://new.example' }] })
  await Site.destroy({ slug: 'new' })
  const sites = await Site.list(options)

  const snap = await Snapshot.create({ site, ref: 'v2.0.0' })
  await Snapshot.fetchArtifacts({ site, id: snap.iid })
  await Snapshot.list({ site, count: 1 })
  await Snapshot.destroy({ site, id: snap.iid })

  const args: TestCreateArgs = { url: 'https://acme.example', location: 'Frankfurt', device: 'iPhone12' }
  const { uuid } = await Test.create(args)
  const wait: WaitOptions = { intervalMs: 1000, timeoutMs: 120_000 }
  const result = await Test.waitForTest(uuid, wait)
  const terminal: TerminalTestStatus[] = ['completed', 'errored', 'timeout']
  const finished: boolean = terminal.some((s) => s === result.status)
  await Test.getTestByUuid(uuid)
  await Test.fetchArtifacts(uuid)
  await Test.getList()

  await PullRequestReview.create({ site, title: 'T', url: 'https://pr.example', branch: 'b', sha: 's' })
  await PullRequestReview.list({ site })
  const reviews: PullRequestReviewDetails[] = await PullRequestReview.getPRReviewByBranch(site, 'b')
  const latest: PullRequestReviewDetails = await PullRequestReview.waitForReviewCompletion(site, 'b', wait)

  const tp = await TestProfile.create({ site, name: 'Slow phone', device: 'MotorolaMotoG4', connection: 'regular3G', javascript: true })
  await TestProfile.update({ site, uuid: tp.uuid, javascript: true, cookies: [{ name: 'ab', value: 'b', httpOnly: true }] })
  await TestProfile.list({ site })
  await TestProfile.destroy({ site, uuid: tp.uuid })

  const [agents, connections, devices] = await Promise.all([Agent.list(), Connection.list(), Device.list()])
  const tags: string[] = [...agents.map((a) => a.tag), ...connections.map((c) => c.name), ...devices.map((d) => d.tag)]

  const iterate: IterateOptions = { pageSize: 200, ...options }
  const pages: PageDetails[] = await collect(Page.iterate({ site }, iterate))
  const deploys: DeployDetails[] = await collect(Deploy.iterate({ site }))
  const budgets: MetricBudgetListItem[] = await collect(MetricBudget.iterate({ site, metric: 'lcp', pageSize: 50 }))
  const integrations = await collect(Integration.iterate({ site }))
  const snapshots = await collect(Snapshot.iterate({ site }))
  await Page.create({ site, name: 'About', url: 'https://acme.example/about' })
  await Page.update({ site, uuid: pages[0].uuid, url: 'https://acme.example/' })
  await Page.destroy({ site, uuid: pages[0].uuid })
  await Page.list({ site, count: 10 })

  const metrics = await SnapshotMetrics.snapshot({ site, snapshotId: snapshots[0].iid })
  const measured: number = metrics?.snapshot?.tests.length ?? 0

  const raw: GraphQLData = await GraphQL.request({ query: '{ organisation { slug } }' })
  const org = await GraphQL.request<{ organisation: { slug: string } }>({ query: '{ organisation { slug } }' })
  const orgSlug: string = org.organisation.slug

  const measurements: MetricTag[] = ['largest-contentful-paint', 'cumulative-layout-shift']
  const ts = await TimeSeries.list({ site, measurements, pages: pages.map((p) => p.uuid) })
  const csv: string | null = ts.csv

  await Deploy.create({ site, revision: process.env.GIT_SHA ?? 'unknown' })
  await Deploy.list({ site, count: 5 })
  await Deploy.destroy({ site, uuid: deploys[0].uuid })

  await Integration.create({ site, provider: 'slack', url: 'https://hooks.slack.example/x' })
  await Integration.update({ site, uuid: integrations[0].uuid, events: ['metric_budget_change'] })
  await Integration.list({ site, count: 10 })
  await Integration.destroy({ site, uuid: integrations[0].uuid })

  await MetricBudget.create({ site, measurement: 'lcp', value: 2500 })
  await MetricBudget.update({ site, uuid: budgets[0].uuid, profiles: [tp.uuid] })
  await MetricBudget.list({ site, count: 10 })
  await MetricBudget.destroy({ site, uuid: budgets[0].uuid })

  await AgentSettings.get({ site })
  await AgentSettings.update({ site, location: 'Tokyo' })

  const factors: CruxFormFactor[] = ['desktop', 'phone', 'tablet']
  for (const formFactor of factors) await Crux.summary({ site, formFactor })
  await Crux.history({ site, timePeriod: 'twenty-four-months' })
  const urls = await Crux.urls({ site })
  if (urls) for (const { node } of urls.cruxUrlsList.edges) await Crux.url({ site, uuid: node.uuid })

  const rum: RumSummaryResult | null = await Rum.summary({ site })
  await Rum.history({ site, path: '/checkout', pageGrouping: 'pg-1' })
  await Rum.pages({ site, sortBy: 'sessionCount' })
  await Rum.config({ site })

  const status: TokenStatus = await Token.status()
  Token.resolve()
  await Token.refresh()

  // @ts-expect-error client functions take the same arguments: `site` is required
  await client.Deploy.list({ count: 5 })
  // @ts-expect-error the wait options are checked too
  await client.Test.waitForTest(uuid, { timeoutMs: 'forever' })
  // @ts-expect-error the client's namespaces are read-only getters
  client.Site = Site

  void [details, sites, finished, reviews, latest, tags, measured, raw, orgSlug, csv, rum, status]
}

export async function fakeFor(options: FakeCalibreOptions = {}): Promise<{ client: Calibre; requests: () => RecordedRequest[]; close: () => Promise<void> }> {
  const fake = await startFakeCalibre({ rateLimit: false, ...options })
  const client = new Calibre({ token: fake.tokens.create(), host: fake.url, throttle: false })
  fake.advance(TIMINGS.completedAfterMs)
  return { client, requests: () => fake.requests, close: () => fake.close() }
}

export function describeError(e: unknown): string {
  if (!(e instanceof CalibreError)) return String(e)
  const first = e[0]
  const detail = first?.extensions?.problems?.[0]?.explanation ?? first?.message
  return detail ? `${e.code}: ${detail}` : `${e.code} (HTTP ${e.status ?? 'none'})`
}

// diagnostics_channel messages, as a subscriber times calls.
import diagnostics from 'node:diagnostics_channel'
import type { CalibreRequestChannel, CalibreRequestEndMessage, CalibreRequestErrorMessage } from 'calibre-native'
const endChannel: CalibreRequestChannel = 'calibre-native:request:end'
diagnostics.subscribe(endChannel, (message) => {
  const end = message as CalibreRequestEndMessage
  const label: string = `${end.method} ${end.operationName ?? end.url} #${end.attempt}: ${end.status} in ${end.durationMs.toFixed(1)} ms, ${end.bytes} bytes`
  void label
})
diagnostics.subscribe('calibre-native:request:error', (message) => {
  const failed = message as CalibreRequestErrorMessage
  const code: CalibreError['code'] = failed.code
  void code
})
// @ts-expect-error: not one of the channels
const wrongChannel: CalibreRequestChannel = 'calibre-native:request:done'
void wrongChannel
