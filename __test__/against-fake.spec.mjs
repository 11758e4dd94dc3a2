// The client end to end against the offline fake Calibre API: every namespace as round
// trips that really change state, and the token rules with the client's error codes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeCalibre } from '../testing/index.mjs'
import { Calibre } from '../index.mjs'

let fake
let api
let token

before(async () => {
  fake = await startFakeCalibre({ rateLimit: false })
  token = fake.tokens.create({ type: 'admin' })
  api = new Calibre({ token, host: fake.url, throttle: false })
})
after(async () => { await fake.close() })

test('Site: create, list, get, update, destroy', async () => {
  const created = await api.Site.create({ name: 'Round Trip', location: 'Ireland', pages: [{ name: 'Home', url: 'https://rt.example/' }] })
  assert.equal(created.agentSettings.location.tag, 'Ireland', 'the deprecated location alias still works')
  assert.deepEqual(created.pagesList.edges.map((e) => e.node.name), ['Home'])
  assert.ok((await api.Site.list()).some((s) => s.slug === created.slug))
  await api.Site.update({ slug: created.slug, name: 'Renamed', headers: [{ name: 'X-Test', value: '1' }] })
  const got = await api.Site.get({ slug: created.slug })
  assert.equal(got.name, 'Renamed')
  assert.deepEqual(got.headers, [{ name: 'X-Test', value: '1' }])
  assert.deepEqual(await api.Site.destroy({ slug: created.slug }), { name: 'Renamed', slug: created.slug })
  assert.equal(await api.Site.get({ slug: created.slug }), null, 'an unknown site is null, as calibre@7 returns it')
})

test('Page and TestProfile round trips, and the pagination helper', async () => {
  const site = 'acme-website'
  const before = await api.Page.list({ site, count: 100 })
  const page = await api.Page.create({ site, name: 'Pricing v2', url: 'https://www.acme.example/pricing-v2' })
  await api.Page.update({ site, uuid: page.uuid, name: 'Pricing 2' })
  const names = []
  for await (const p of api.Page.iterate({ site, pageSize: 2 })) names.push(p.name)
  assert.equal(names.length, before.pages.length + 1)
  assert.ok(names.includes('Pricing 2'))
  await api.Page.destroy({ site, uuid: page.uuid })
  assert.equal((await api.Page.list({ site, count: 100 })).pages.length, before.pages.length)

  const profile = await api.TestProfile.create({ site, name: 'Slow phone', device: 'MotorolaMotoGPower', connection: 'regular3G', javascript: true })
  assert.equal(profile.jsIsDisabled, false)
  const updated = await api.TestProfile.update({ site, uuid: profile.uuid, name: 'Slow phone, no JS' })
  assert.equal(updated.jsIsDisabled, true, 'calibre@7: omitted javascript disables JS')
  assert.ok((await api.TestProfile.list({ site })).some((p) => p.uuid === profile.uuid))
  await api.TestProfile.destroy({ site, uuid: profile.uuid })
  assert.ok(!(await api.TestProfile.list({ site })).some((p) => p.uuid === profile.uuid))
})

test('Snapshot, SnapshotMetrics and artifacts', async () => {
  const site = 'acme-website'
  const snapshot = await api.Snapshot.create({ site, ref: 1234 })
  assert.equal(snapshot.ref, '1234')
  const { snapshots, pageInfo } = await api.Snapshot.list({ site, count: 2 })
  assert.equal(snapshots[0].iid, snapshot.iid)
  assert.equal(typeof pageInfo.hasNextPage, 'boolean')
  let all = 0
  for await (const s of api.Snapshot.iterate({ site, pageSize: 3 })) all += s ? 1 : 0
  assert.ok(all > 2)
  fake.advance(60_000)
  const metrics = await api.SnapshotMetrics.snapshot({ site, snapshotId: snapshot.iid })
  assert.equal(metrics.snapshot.iid, snapshot.iid)
  assert.ok(metrics.snapshot.tests.length > 0)
  const artifacts = await api.Snapshot.fetchArtifacts({ site, id: String(snapshot.iid) })
  assert.ok(artifacts.snapshot.tests.every((t) => typeof t.har === 'string'))
  assert.deepEqual(await api.Snapshot.destroy({ site, id: snapshot.iid }), { iid: snapshot.iid })
  await assert.rejects(api.Snapshot.list({ site: 'no-such-site', count: 1 }), { code: 'CALIBRE_GRAPHQL_ERROR', message: /not found/ })
})

test('Test: create, get, wait (bounded), artifacts, list', async () => {
  const { uuid, formattedTestUrl } = await api.Test.create({ url: 'https://acme.example/', location: 'Sydney', device: 'iPhone12' })
  assert.ok(formattedTestUrl)
  assert.equal((await api.Test.getTestByUuid(uuid)).status, 'queued')
  await assert.rejects(api.Test.waitForTest(uuid, { intervalMs: 20, timeoutMs: 150 }), { code: 'CALIBRE_TIMEOUT', message: /last status was "queued"/ })
  setTimeout(() => fake.advance(30_000), 50)
  const done = await api.Test.waitForTest(uuid, { intervalMs: 20 })
  assert.equal(done.status, 'completed')
  assert.ok(done.metrics.length > 0)
  assert.equal((await api.Test.fetchArtifacts(uuid)).uuid, uuid)
  assert.ok((await api.Test.getList()).some((t) => t.uuid === uuid))
})

test('PullRequestReview: create, list, by branch, wait', async () => {
  const site = 'acme-app'
  const review = await api.PullRequestReview.create({ site, title: 'Faster checkout', url: 'https://github.com/acme/app/pull/7', branch: 'faster-checkout', sha: 'abc123' })
  assert.equal(review.branch, 'faster-checkout')
  assert.ok((await api.PullRequestReview.list({ site })).some((r) => r.branch === 'faster-checkout'))
  const [byBranch] = await api.PullRequestReview.getPRReviewByBranch(site, 'faster-checkout')
  assert.equal(byBranch.title, 'Faster checkout')
  setTimeout(() => fake.advance(60_000), 30)
  const finished = await api.PullRequestReview.waitForReviewCompletion(site, 'faster-checkout', { intervalMs: 20, timeoutMs: 10_000 })
  assert.equal(finished.status, 'completed')
})

test('Agent, Connection, Device, TimeSeries, AgentSettings', async () => {
  const locations = await api.Agent.list()
  assert.ok(locations.some((l) => l.tag === 'NorthVirginia'))
  assert.ok((await api.Connection.list()).some((c) => c.name === 'cable'))
  assert.ok((await api.Device.list()).some((d) => d.tag === 'Desktop'))
  const series = await api.TimeSeries.list({ site: 'acme-website', measurements: ['largest-contentful-paint'] })
  assert.ok(series.times.length > 0 && typeof series.csv === 'string')
  const site = 'acme-blog'
  await api.AgentSettings.update({ site, location: 'Tokyo', scheduleInterval: 'daily' })
  const settings = await api.AgentSettings.get({ site })
  assert.equal(settings.location.tag, 'Tokyo')
})

test('Deploy, Integration and MetricBudget round trips', async () => {
  const site = 'acme-docs'
  const deploy = await api.Deploy.create({ site, revision: 'v9.9.9', repository: 'https://github.com/acme/docs' })
  assert.ok((await api.Deploy.list({ site, count: 50 })).deploys.some((d) => d.revision === 'v9.9.9'))
  const revisions = []
  for await (const d of api.Deploy.iterate({ site, pageSize: 2 })) revisions.push(d.revision)
  assert.ok(revisions.includes('v9.9.9'))
  await api.Deploy.destroy({ site, uuid: deploy.uuid })
  assert.ok(!(await api.Deploy.list({ site, count: 50 })).deploys.some((d) => d.uuid === deploy.uuid))

  const hook = await api.Integration.create({ site, provider: 'webhook', url: 'https://hooks.example/calibre', events: ['new_snapshot'], secret: 's3', isDisabled: false })
  await api.Integration.update({ site, uuid: hook.uuid, isDisabled: true, provider: 'webhook', url: hook.url, events: hook.events })
  const { integrations } = await api.Integration.list({ site, count: 50 })
  assert.equal(integrations.find((i) => i.uuid === hook.uuid).isDisabled, true)
  await api.Integration.destroy({ site, uuid: hook.uuid })

  const budget = await api.MetricBudget.create({ site, measurement: 'largest-contentful-paint', value: 2500 })
  await api.MetricBudget.update({ site, uuid: budget.uuid, value: 2000, measurement: 'largest-contentful-paint' })
  const { metricBudgets } = await api.MetricBudget.list({ site, count: 50 })
  assert.equal(metricBudgets.find((b) => b.uuid === budget.uuid).value, 2000)
  await api.MetricBudget.destroy({ site, uuid: budget.uuid })
})

test('Crux, Rum and GraphQL.request', async () => {
  const site = 'acme-website'
  assert.ok((await api.Crux.summary({ site, formFactor: 'phone' })).cruxAggregateMetrics.length > 0)
  assert.ok((await api.Crux.history({ site, timePeriod: 'six-months' })).cruxHistory.length > 0)
  const urls = await api.Crux.urls({ site })
  const first = urls.cruxUrlsList.edges[0].node
  assert.equal((await api.Crux.url({ site, uuid: first.uuid })).cruxUrl.uuid, first.uuid)
  assert.equal(typeof (await api.Rum.summary({ site, device: 'mobile', dateBin: 'day' })).totalCount, 'number')
  assert.ok(Array.isArray((await api.Rum.history({ site })).history))
  assert.ok(Array.isArray((await api.Rum.pages({ site, limit: 5 })).aggregate))
  assert.equal(typeof (await api.Rum.config({ site })).enabled, 'boolean')
  const data = await api.GraphQL.request({ query: 'query One($slug: String!) { organisation { site(slug: $slug) { name } } }', slug: site })
  assert.deepEqual(data, { organisation: { site: { name: 'Acme Website' } } })
  await assert.rejects(api.GraphQL.request({ query: '{ organisation { sitez { name } } }' }), (e) => {
    assert.equal(e.code, 'CALIBRE_GRAPHQL_ERROR')
    assert.match(e.message, /sitez/)
    assert.match(e[0].message, /sitez/)
    return true
  })
})

test('token rules end to end: unknown, expired, IP, viewer, personal scope', async () => {
  const at = (t) => new Calibre({ token: t, host: fake.url, throttle: false, retries: false })
  await assert.rejects(at('0'.repeat(48)).Site.list(), { code: 'CALIBRE_UNAUTHORIZED', status: 401 })
  const expiring = fake.tokens.create({ type: 'admin', expiresIn: 1000 })
  fake.advance(5000)
  await assert.rejects(at(expiring).Site.list(), { code: 'CALIBRE_TOKEN_EXPIRED', status: 403 })
  await assert.rejects(at(fake.tokens.create({ type: 'admin', allowedIps: ['10.0.0.0/8'] })).Site.list(), { code: 'CALIBRE_IP_NOT_ALLOWED' })
  assert.ok((await at(fake.tokens.create({ type: 'admin', allowedIps: ['127.0.0.1'] })).Site.list()).length >= 4)
  const viewer = at(fake.tokens.create({ type: 'personal', role: 'viewer', team: 'marketing' }))
  assert.deepEqual((await viewer.Site.list()).map((s) => s.team.slug).sort(), ['marketing', 'marketing'])
  await assert.rejects(viewer.Deploy.create({ site: 'acme-website', revision: 'x' }), (e) => e.code === 'CALIBRE_GRAPHQL_ERROR' && /Member or Admin role/.test(e.message))
})

test('refresh extends a live token and is refused for an expired one', async () => {
  const t = fake.tokens.create({ type: 'admin', expiresIn: 60 * 60 * 1000 })
  const before = fake.tokens.get(t).expiresAt
  fake.advance(10 * 60 * 1000)
  const result = await new Calibre({ token: t, host: fake.url }).Token.refresh()
  assert.equal(result.token, t)
  assert.ok(Date.parse(result.expiresAt) > before)
  assert.equal(fake.tokens.get(t).refreshCount, 1)
  const gone = fake.tokens.create({ type: 'admin', expiresIn: 1000 })
  fake.advance(2000)
  await assert.rejects(new Calibre({ token: gone, host: fake.url }).Token.refresh(), { code: 'CALIBRE_TOKEN_EXPIRED' })
})

test('automatic refresh: many concurrent calls, one refresh seen by the fake', async () => {
  // A fake whose clock is the real one: expiries are compared with the local clock.
  const fake = await startFakeCalibre({ rateLimit: false })
  after(() => fake.close())
  const t = fake.tokens.create({ type: 'admin', expiresIn: 2 * 60 * 1000 })
  const client = new Calibre({ token: t, host: fake.url, throttle: false })
  await client.Token.refresh() // the client now knows the expiry: inside the 5-minute window
  const refreshes = () => fake.requests.filter((r) => r.path === '/api/refresh_token' && r.tokenId === fake.tokens.get(t).id).length
  assert.equal(refreshes(), 1)
  await Promise.all(Array.from({ length: 12 }, () => client.Agent.list()))
  assert.equal(refreshes(), 2, 'twelve calls, one automatic refresh')
  await client.Device.list()
  assert.equal(refreshes(), 2, 'at most one attempt per 30 s')
})

test('the rate limit: 429 without retries, absorbed with them', async () => {
  // Without retries: a window no run outlasts, so the count does not depend on how fast the six
  // requests arrive (under Wine they can take more than a second).
  const strict = await startFakeCalibre({ rateLimit: { limit: 3, windowMs: 600000 } })
  const limited = await startFakeCalibre({ rateLimit: { limit: 3, windowMs: 1000 } })
  try {
    const eager = new Calibre({ token: strict.tokens.create({ type: 'admin' }), host: strict.url, throttle: false, retries: false })
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => eager.Device.list()))
    const rejected = results.filter((r) => r.status === 'rejected')
    assert.equal(rejected.length, 3)
    assert.ok(rejected.every((r) => r.reason.code === 'CALIBRE_RATE_LIMITED' && r.reason.response.headers['retry-after']))
    const patient = new Calibre({ token: limited.tokens.create({ type: 'admin' }), host: limited.url, throttle: false })
    const ok = await Promise.all(Array.from({ length: 6 }, () => patient.Device.list()))
    assert.equal(ok.length, 6)
  } finally {
    await Promise.all([strict.close(), limited.close()])
  }
})

test('answers come compressed from the fake (brotli) and decode to the same data', async () => {
  const now = Date.UTC(2024, 5, 1)
  const fakes = [await startFakeCalibre({ rateLimit: false, now }), await startFakeCalibre({ rateLimit: false, now, compression: false })]
  try {
    const [compressed, plain] = await Promise.all(fakes.map((f) => {
      const client = new Calibre({ token: f.tokens.create({ type: 'admin' }), host: f.url, throttle: false })
      return client.TimeSeries.list({ site: 'acme-website' })
    }))
    const [asked, plainAsked] = fakes.map((f) => f.requests.at(-1))
    assert.match(asked.headers['accept-encoding'], /\bbr\b/)
    assert.match(asked.headers['accept-encoding'], /\bgzip\b/)
    assert.equal(asked.encoding, 'br')
    assert.equal(plainAsked.encoding, null)
    assert.ok(compressed.series.length > 0)
    assert.deepEqual(compressed, plain)
  } finally {
    await Promise.all(fakes.map((f) => f.close()))
  }
})
