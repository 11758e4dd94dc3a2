// calibre-native/testing: the offline fake Calibre API.
// The strongest check of its schema is calibre@7 itself: every one of its 53
// functions (plus the CLI-only metric.js and team.js) runs against the fake.
// The rest pins the HTTP contract: token rules, refresh, rate limits, the fake
// clock, injected faults, the request log and a clean shutdown.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { startFakeCalibre, TIMINGS } from '../testing/index.mjs'

const require = createRequire(import.meta.url)
const testingCjs = require('../testing/index.js')
const { ipAllowed, normaliseIp } = require('../testing/ip.js')
const catalog = require('../testing/catalog.js')

const SITE = 'acme-website'
const UNAUTHORIZED = { error: 'Unauthorized', message: 'The API token is invalid or has been revoked.' }
const EXPIRED = {
  error: 'Forbidden',
  message: 'This API token has expired. Refresh it before it expires, or re-save it in Calibre to renew it.'
}
const ipForbidden = ip => ({
  error: 'Forbidden',
  message: `Requests from IP address ${ip} are not allowed for this API token (Allowed IP Addresses).`
})

/** One HTTP call to the fake; the body is parsed when it is JSON. */
async function call (fake, urlPath, { token, body, method = 'POST', headers = {} } = {}) {
  const response = await fetch(fake.url + urlPath, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Token ${token}` } : {}),
      ...headers
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await response.text()
  let json
  try {
    json = JSON.parse(text)
  } catch {}
  return { status: response.status, headers: response.headers, text, json }
}

const gql = (fake, token, query, variables, operationName) =>
  call(fake, '/graphql', { token, body: { query, variables, operationName } })

const iso = ms => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Waits until just after the next rate-limit window (aligned to the epoch) begins. */
const windowStart = windowMs => new Promise(resolve => setTimeout(resolve, windowMs - (Date.now() % windowMs) + 10))

// ---------------------------------------------------------------- calibre@7

describe('calibre@7 against the fake', () => {
  let fake
  let calibre
  let Metric
  let Team
  let xdgDir
  const saved = {}

  before(async () => {
    // calibre@7 throttles itself to 10 requests per 1.1 s, only 10% under the
    // fake's limit, so a request delayed by a busy machine can (rarely) meet a
    // 429. Rate limiting has its own tests below.
    fake = await startFakeCalibre({ rateLimit: false })
    for (const key of ['CALIBRE_API_TOKEN', 'CALIBRE_HOST', 'XDG_CONFIG_HOME']) saved[key] = process.env[key]
    // calibre@7 reads the token at import and the host on every call.
    process.env.CALIBRE_API_TOKEN = fake.tokens.create({ type: 'admin' })
    process.env.CALIBRE_HOST = fake.url
    // An empty config home, so calibre@7 never touches the user's configstore.
    xdgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-calibre-xdg-'))
    process.env.XDG_CONFIG_HOME = xdgDir
    calibre = await import('calibre')
    // Not exported by calibre@7 (its CLI uses them): load them by file.
    const api = new URL('./src/api/', import.meta.resolve('calibre'))
    Metric = await import(new URL('metric.js', api))
    Team = await import(new URL('team.js', api))
  })

  after(async () => {
    await fake.close()
    fs.rmSync(xdgDir, { recursive: true, force: true })
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })

  test('all 53 functions of calibre@7 run without errors', async () => {
    const called = new Set()
    // Wraps calibre.<Namespace>.<fn> so the test can check that all were called.
    const api = new Proxy({}, {
      get: (_, ns) => new Proxy({}, {
        get: (__, fn) => (...args) => {
          called.add(`${ns}.${fn}`)
          return calibre[ns][fn](...args)
        }
      })
    })

    // Site
    const sites = await api.Site.list()
    assert.deepEqual(sites.map(s => s.slug), ['acme-website', 'acme-blog', 'acme-app', 'acme-docs'])
    assert.equal(sites[0].team.slug, 'marketing')
    const site = await api.Site.get({ slug: SITE })
    assert.equal(site.name, 'Acme Website')
    assert.equal(site.canonicalUrl, 'https://www.acme.example/')
    const created = await api.Site.create({
      name: 'Calibre Native',
      location: 'Sydney',
      team: 'engineering',
      pages: [{ name: 'Home', url: 'https://native.example/' }],
      testProfiles: [{ name: 'Chrome Desktop', device: 'Desktop', connection: 'cable' }],
      agentSettings: { scheduleInterval: 'daily', scheduleAnchor: 3 }
    })
    assert.equal(created.slug, 'calibre-native')
    assert.equal(created.agentSettings.location.tag, 'Sydney')
    assert.equal(created.agentSettings.scheduleInterval, 'daily')
    assert.equal(created.pagesList.edges[0].node.name, 'Home')
    const updated = await api.Site.update({
      slug: 'calibre-native',
      name: 'Calibre Native 2',
      headers: [{ name: 'X-Test', value: '1' }],
      cookies: [{ name: 'session', value: 'abc', domain: 'native.example', path: '/', secure: true, httpOnly: true }],
      authenticationSettings: { required: true, url: 'https://native.example/login', username: 'u', password: 'p' }
    })
    assert.equal(updated.name, 'Calibre Native 2')
    assert.deepEqual(updated.headers, [{ name: 'X-Test', value: '1' }])
    assert.equal(updated.authenticationSettings.required, true)
    assert.deepEqual(await api.Site.destroy({ slug: 'calibre-native' }), { name: 'Calibre Native 2', slug: 'calibre-native' })

    // Snapshot and SnapshotMetrics
    const { snapshots, pageInfo } = await api.Snapshot.list({ site: SITE, count: 3 })
    assert.equal(snapshots.length, 3)
    assert.equal(pageInfo.hasNextPage, true)
    const newest = snapshots[0].iid
    const snapshot = await api.Snapshot.create({ site: SITE, ref: 'v9.9.9' })
    assert.equal(snapshot.iid, newest + 1)
    assert.equal(snapshot.ref, 'v9.9.9')
    const artifacts = await api.Snapshot.fetchArtifacts({ site: SITE, id: newest })
    assert.match(artifacts.snapshot.tests[0].har, /\/artifacts\/.+\/requests\.har$/)
    assert.deepEqual(await api.Snapshot.destroy({ site: SITE, id: snapshot.iid }), { iid: snapshot.iid })
    const metrics = await api.SnapshotMetrics.snapshot({ site: SITE, snapshotId: newest })
    assert.equal(metrics.snapshot.sequenceId, newest)
    assert.ok(metrics.snapshot.tests[0].measurements.length > 5)
    assert.ok(metrics.testProfiles.length >= 1)

    // Test (single page tests)
    const spt = await api.Test.create({
      url: 'https://example.com/',
      location: 'Ireland',
      device: 'iPhone12',
      connection: 'LTE',
      cookies: [{ name: 'a', value: 'b' }],
      headers: [{ name: 'User-Agent', value: 'test' }],
      isPrivate: true,
      webhookUrl: 'https://hooks.example/calibre',
      webhookSecret: 'secret',
      blockedHosts: ['ads.example']
    })
    assert.match(spt.formattedTestUrl, new RegExp(`^${fake.url}/tests/`))
    assert.equal((await api.Test.getList())[0].uuid, spt.uuid)
    assert.equal((await api.Test.getTestByUuid(spt.uuid)).status, 'queued')
    assert.deepEqual(await api.Test.fetchArtifacts(spt.uuid), { uuid: spt.uuid, har: null, lighthouse: null, image: null, video: null })

    // PullRequestReview
    const review = await api.PullRequestReview.create({ site: SITE, title: 'Faster images', url: 'https://pr-7.preview.example', branch: 'feature/pr-7', sha: 'a1b2c3d', config: 'pages: []' })
    assert.equal(review.status, 'queued')
    assert.equal((await api.PullRequestReview.list({ site: SITE }))[0].branch, 'feature/pr-7')
    assert.equal((await api.PullRequestReview.getPRReviewByBranch(SITE, 'feature/pr-7')).length, 1)

    // Both waitFor* sleep 5 s before polling: finish the work first, wait once.
    fake.advance(TIMINGS.completedAfterMs)
    const [finishedTest, finishedReview] = await Promise.all([
      api.Test.waitForTest(spt.uuid),
      api.PullRequestReview.waitForReviewCompletion(SITE, 'feature/pr-7')
    ])
    assert.equal(finishedTest.status, 'completed')
    assert.ok(finishedTest.metrics.length > 5)
    assert.match(finishedTest.markdownReport, /Single Page Test/)
    assert.equal(finishedTest.runtimeError, null)
    assert.equal(finishedReview.status, 'completed')
    assert.match(finishedReview.metricBudgetStatus, /budget/)
    assert.match((await api.Test.fetchArtifacts(spt.uuid)).video, /render\.mp4$/)

    // TestProfile
    const profiles = await api.TestProfile.list({ site: SITE })
    assert.equal(profiles.length, 3)
    const profile = await api.TestProfile.create({ site: SITE, name: 'iPhone 12', device: 'iPhone12', connection: 'good3G', javascript: true })
    assert.equal(profile.isMobile, true)
    assert.equal(profile.jsIsDisabled, false)
    const profile2 = await api.TestProfile.update({ site: SITE, uuid: profile.uuid, name: 'iPhone 12 (no JS)', blockedThirdParties: ['Google Analytics'], position: 9 })
    assert.equal(profile2.jsIsDisabled, true) // calibre@7 sends jsIsDisabled: !javascript
    assert.deepEqual(profile2.blockedThirdParties, [{ name: 'Google Analytics' }])
    assert.deepEqual(await api.TestProfile.destroy({ site: SITE, uuid: profile.uuid }), { name: 'iPhone 12 (no JS)', uuid: profile.uuid })

    // Agent, Connection, Device
    const locations = await api.Agent.list()
    assert.ok(locations.some(l => l.tag === 'NorthVirginia' && l.emoji === '🇺🇸' && l.agents[0].ipv4))
    assert.deepEqual((await api.Connection.list()).map(c => c.name), catalog.CONNECTIONS.map(c => c.tag))
    assert.deepEqual((await api.Device.list()).map(d => [d.tag, d.type]), [['Desktop', 'desktop'], ['iPhone12', 'phone'], ['MotorolaMotoGPower', 'phone']])

    // Page
    const pages = await api.Page.list({ site: SITE, count: 2 })
    assert.equal(pages.pages.length, 2)
    const page = await api.Page.create({ site: SITE, name: 'Docs', url: 'https://www.acme.example/docs' })
    assert.equal((await api.Page.update({ site: SITE, uuid: page.uuid, name: 'Documentation' })).name, 'Documentation')
    assert.deepEqual(await api.Page.destroy({ site: SITE, uuid: page.uuid }), { name: 'Documentation', uuid: page.uuid })

    // GraphQL, TimeSeries
    const raw = await api.GraphQL.request({ query: 'query One($slug: String!) { organisation { site(slug: $slug) { slug } } }', slug: SITE })
    assert.deepEqual(raw, { organisation: { site: { slug: SITE } } })
    const series = await api.TimeSeries.list({
      site: SITE,
      measurements: ['first-contentful-paint', 'lighthouse-performance-score'],
      from: new Date(fake.now() - 3 * 86400000).toUTCString(),
      to: new Date(fake.now()).toUTCString()
    })
    assert.equal(series.times.length, 3)
    assert.equal(series.series.length, 3 * 4 * 2) // profiles x pages x measurements
    assert.equal(series.series[0].values.length, 3)
    assert.match(series.csv, /^timestamp,snapshot,profile,page,measurement,value\n/)

    // Deploy
    const deploys = await api.Deploy.list({ site: SITE })
    assert.deepEqual(deploys.deploys.map(d => d.revision), ['v2.2.0', 'v2.3.0', 'v2.4.0'])
    const deploy = await api.Deploy.create({ site: SITE, revision: 'v3.0.0', repository: 'https://github.com/acme/web', username: 'ci', createdAt: new Date(fake.now()).toISOString() })
    assert.equal(deploy.revision, 'v3.0.0')
    assert.deepEqual(await api.Deploy.destroy({ site: SITE, uuid: deploy.uuid }), { uuid: deploy.uuid })

    // Integration
    assert.equal((await api.Integration.list({ site: SITE, count: 10 })).integrations.length, 2)
    const hook = await api.Integration.create({ site: SITE, provider: 'webhook', url: 'https://hooks.example/x', events: ['new_snapshot'], secret: 's3', isDisabled: false })
    assert.equal((await api.Integration.update({ site: SITE, uuid: hook.uuid, isDisabled: true })).isDisabled, true)
    assert.deepEqual(await api.Integration.destroy({ site: SITE, uuid: hook.uuid }), { uuid: hook.uuid })

    // MetricBudget
    const budgets = await api.MetricBudget.list({ site: SITE, count: 10, metric: 'largest-contentful-paint' })
    assert.equal(budgets.metricBudgets.length, 1)
    assert.equal(budgets.metricBudgets[0].budgets.length, 4 * 3)
    const budget = await api.MetricBudget.create({ site: SITE, measurement: 'first-contentful-paint', value: 1500, pages: [pages.pages[0].uuid], profiles: [profiles[0].uuid] })
    assert.equal(budget.budgets.length, 1)
    assert.equal(typeof budget.budgets[0].withinBudget, 'boolean')
    assert.equal((await api.MetricBudget.update({ site: SITE, uuid: budget.uuid, value: 99999 })).status, 'within_budget')
    assert.deepEqual(await api.MetricBudget.destroy({ site: SITE, uuid: budget.uuid }), { uuid: budget.uuid })

    // AgentSettings
    assert.equal((await api.AgentSettings.get({ site: SITE })).location.tag, 'Sydney')
    const agent = await api.AgentSettings.update({ site: SITE, location: 'Frankfurt', scheduleInterval: 'hourly' })
    assert.equal(agent.agentSettings.location.tag, 'Frankfurt')
    assert.equal(agent.agentSettings.scheduleInterval, 'hourly')

    // Crux
    const summary = await api.Crux.summary({ site: SITE, formFactor: 'phone' })
    assert.match(summary.cruxCvwAssessment, /^(pass|fail)$/)
    assert.equal(summary.cruxAggregateMetrics.length, catalog.CRUX_METRICS.length)
    const history = await api.Crux.history({ site: SITE, formFactor: 'desktop', timePeriod: 'three-months' })
    assert.equal(history.cruxHistory[0].values.length, 3)
    const urls = await api.Crux.urls({ site: SITE })
    const uuid = urls.cruxUrlsList.edges[0].node.uuid
    const url = await api.Crux.url({ site: SITE, uuid, formFactor: 'tablet', timePeriod: 'twelve-months' })
    assert.equal(url.cruxUrl.cruxHistory[0].values.length, 12)

    // Rum
    const rum = await api.Rum.summary({ site: SITE })
    assert.equal(rum.metrics.length, 6)
    assert.equal(rum.aggregate.length, 1)
    assert.equal(rum.uxRating.length, 6)
    const rumHistory = await api.Rum.history({ site: SITE, duration: 14, device: 'mobile' })
    assert.equal(rumHistory.history.length, 14)
    const rumPages = await api.Rum.pages({ site: SITE, metrics: ['lcp', 'cls'], limit: 2, offset: 1, sortBy: '-sessionCount' })
    assert.equal(rumPages.aggregate.length, 2)
    assert.ok(rumPages.aggregate[0].sessionCount >= rumPages.aggregate[1].sessionCount)
    assert.equal(rumPages.aggregate[0].inp, null) // not requested
    assert.equal((await api.Rum.config({ site: SITE })).enabled, true)

    // Every exported function was exercised.
    const exported = Object.entries(calibre).flatMap(([ns, mod]) => Object.keys(mod).map(fn => `${ns}.${fn}`))
    assert.equal(exported.length, 53)
    assert.deepEqual([...called].sort(), exported.sort())
  })

  test('metric.js and team.js (calibre@7 CLI) run too', async () => {
    assert.equal((await Metric.list())[0].value, 'first-contentful-paint')
    assert.equal((await Metric.list({ type: 'crux' }))[0].__typename, 'Metric')
    assert.deepEqual((await Metric.list({ type: 'rum' })).map(m => m.value), ['lcp', 'cls', 'inp', 'fcp', 'ttfb', 'rtt'])
    assert.deepEqual((await Team.list()).map(t => t.slug), ['marketing', 'engineering'])
  })

  test('calibre@7 sees problems the way its humaniseError reads them', async () => {
    // A resolver error: calibre@7 throws the GraphQL errors array itself.
    await assert.rejects(calibre.Page.create({ site: SITE, name: 'No URL' }), errors => {
      assert.ok(Array.isArray(errors))
      assert.equal(errors[0].extensions.problems[0].explanation, "url can't be blank")
      return true
    })
    // A variable error (missing name) has problems too, like the real createSiteError.
    await assert.rejects(calibre.Site.create({ pages: [] }), errors => {
      assert.equal(errors[0].extensions.problems[0].explanation, 'Expected value to not be null')
      assert.deepEqual(errors[0].extensions.problems[0].path, ['name'])
      return true
    })
    // Unknown site: null, no error.
    assert.equal(await calibre.Site.get({ slug: 'no-such-site' }), null)
  })

  test('round trips change what later queries return', async () => {
    const count = async () => (await calibre.Page.list({ site: SITE, count: 100 })).pages.length
    const before = await count()
    const page = await calibre.Page.create({ site: SITE, name: 'Careers', url: 'https://www.acme.example/careers' })
    assert.equal(await count(), before + 1)
    await calibre.Page.update({ site: SITE, uuid: page.uuid, url: 'https://www.acme.example/jobs' })
    const listed = (await calibre.Page.list({ site: SITE, count: 100 })).pages.find(p => p.uuid === page.uuid)
    assert.equal(listed.url, 'https://www.acme.example/jobs')
    await calibre.Page.destroy({ site: SITE, uuid: page.uuid })
    assert.equal(await count(), before)
    assert.equal(fake.state.sites[0].pages.some(p => p.uuid === page.uuid), false)

    await calibre.Site.create({ name: 'Round Trip', pages: [{ url: 'https://round.example/' }] })
    assert.ok((await calibre.Site.list()).some(s => s.slug === 'round-trip'))
    await calibre.Site.update({ slug: 'round-trip', name: 'Round Trip 2' })
    assert.equal((await calibre.Site.get({ slug: 'round-trip' })).name, 'Round Trip 2')
    await calibre.Site.destroy({ slug: 'round-trip' })
    assert.equal(await calibre.Site.get({ slug: 'round-trip' }), null)

    // Changes made through fake.state are served too.
    fake.state.sites[0].name = 'Edited In State'
    assert.equal((await calibre.Site.get({ slug: SITE })).name, 'Edited In State')
  })
})

// ---------------------------------------------------------------- GraphQL endpoint

describe('GraphQL endpoint', () => {
  let fake
  let admin

  before(async () => {
    fake = await startFakeCalibre({ rateLimit: false })
    admin = fake.tokens.create({ type: 'admin' })
  })
  after(() => fake.close())

  test('a misspelt field is rejected with errors and no data', async () => {
    const res = await gql(fake, admin, `{ organisation { site(slug: "${SITE}") { nmae } } }`)
    assert.equal(res.status, 200)
    assert.equal('data' in res.json, false)
    assert.match(res.json.errors[0].message, /Cannot query field "nmae" on type "Site"/)
    assert.deepEqual(res.json.errors[0].locations, [{ line: 1, column: 47 }])
  })

  test('a syntax error is rejected with errors and no data', async () => {
    const res = await gql(fake, admin, '{ organisation { sites { slug }')
    assert.equal(res.status, 200)
    assert.equal('data' in res.json, false)
    assert.match(res.json.errors[0].message, /^Syntax Error/)
  })

  test('a wrong variable type is rejected with problems and no data', async () => {
    const query = 'query ListPages($site: String!, $count: Int!) { organisation { site(slug: $site) { pagesList(first: $count) { edges { node { uuid } } } } } }'
    const res = await gql(fake, admin, query, { site: SITE, count: 'ten' })
    assert.equal(res.status, 200)
    assert.equal('data' in res.json, false)
    const [error] = res.json.errors
    assert.equal(error.message, 'Variable $count of type Int! was provided invalid value')
    assert.equal(error.extensions.value, 'ten')
    assert.match(error.extensions.problems[0].explanation, /Int cannot represent/)

    const missing = await gql(fake, admin, query, { site: SITE })
    assert.deepEqual(missing.json.errors[0].extensions.problems, [{ path: [], explanation: 'Expected value to not be null' }])

    const unknownField = await gql(fake, admin, 'mutation P($site: String!, $attributes: PageInput!) { createPage(site: $site, attributes: $attributes) { uuid } }',
      { site: SITE, attributes: { name: 'x', url: 'https://www.acme.example/x', colour: 'red' } })
    assert.deepEqual(unknownField.json.errors[0].extensions.problems, [{ path: ['colour'], explanation: 'Field is not defined on PageInput' }])

    const badEnum = await gql(fake, admin, 'mutation T($url: URL!, $location: LocationTag!) { createTest(url: $url, location: $location) { uuid } }',
      { url: 'ftp://example.com', location: 'Mars' })
    assert.equal(badEnum.json.errors.length, 2)
  })

  test('resolver errors give null data, a path and problems', async () => {
    const create = await gql(fake, admin, 'mutation P($site: String!, $attributes: PageInput!) { createPage(site: $site, attributes: $attributes) { uuid } }',
      { site: SITE, attributes: { name: 'No URL' } })
    assert.deepEqual(create.json.data, { createPage: null })
    assert.deepEqual(create.json.errors[0].path, ['createPage'])
    assert.deepEqual(create.json.errors[0].extensions.problems, [{ path: ['attributes', 'url'], explanation: "url can't be blank" }])

    const update = await gql(fake, admin, `mutation { updatePage(site: "${SITE}", uuid: "nope", attributes: { name: "x" }) { uuid } }`)
    assert.deepEqual(update.json.data, { updatePage: null })
    assert.equal(update.json.errors[0].message, 'Page not found')
    assert.match(update.json.errors[0].extensions.problems[0].explanation, /No Page with uuid "nope"/)

    const remove = await gql(fake, admin, 'mutation { deleteDeploy(site: "no-such-site", uuid: "x") { uuid } }')
    assert.deepEqual(remove.json.data, { deleteDeploy: null })
    assert.equal(remove.json.errors[0].message, 'Site not found')
  })

  test('an unknown site slug resolves to null without errors', async () => {
    const res = await gql(fake, admin, '{ organisation { site(slug: "nope") { name } } }')
    assert.deepEqual(res.json, { data: { organisation: { site: null } } })
  })

  test('introspection works and the enums match the catalogue', async () => {
    const enumValues = async name =>
      (await gql(fake, admin, `{ __type(name: "${name}") { enumValues { name } } }`)).json.data.__type.enumValues.map(v => v.name)
    assert.deepEqual(await enumValues('ConnectionTag'), catalog.CONNECTIONS.map(c => c.tag))
    assert.deepEqual(await enumValues('LocationTag'), catalog.LOCATIONS.map(l => l.tag))
    assert.deepEqual(await enumValues('DeviceTag'), catalog.DEVICES.map(d => d.tag))
  })

  test("the catalogue's tags and metrics are the typings' known values", () => {
    // `export type KnownLocationTag = | 'A' | 'B'` in the shipped index.d.ts → ['A', 'B']
    const typings = fs.readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
    const union = name => {
      const body = typings.match(new RegExp(`^export type ${name} =([^]*?)(?:\\n\\n|\\n/\\*\\*)`, 'm'))
      assert.ok(body, `${name} is declared in index.d.ts`)
      return [...body[1].matchAll(/'([^']+)'/g)].map(m => m[1])
    }
    const sorted = list => [...list].sort()
    assert.deepEqual(sorted(union('KnownLocationTag')), sorted(catalog.LOCATIONS.map(l => l.tag)))
    assert.deepEqual(sorted(union('KnownDeviceTag')), sorted(catalog.DEVICES.map(d => d.tag)))
    assert.deepEqual(sorted(union('KnownConnectionTag')), sorted(catalog.CONNECTIONS.map(c => c.tag)))
    const deviceTypes = union('EmulatedDeviceType')
    for (const device of catalog.DEVICES) assert.ok(deviceTypes.includes(device.type), `${device.tag}: type ${device.type}`)
    const metricTags = union('MetricTag')
    for (const tag of catalog.METRIC_TAGS) assert.ok(metricTags.includes(tag), `MetricTag lists ${tag}`)
  })

  test('cursor pagination walks every connection', async () => {
    const query = `query P($first: Int, $after: String) { organisation { site(slug: "${SITE}") {
      pagesList(first: $first, after: $after) { edges { cursor node { name } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } } } } }`
    const first = (await gql(fake, admin, query, { first: 3 })).json.data.organisation.site.pagesList
    assert.deepEqual(first.edges.map(e => e.node.name), ['Home', 'Pricing', 'Features'])
    assert.deepEqual([first.pageInfo.hasPreviousPage, first.pageInfo.hasNextPage], [false, true])
    assert.equal(first.pageInfo.endCursor, first.edges[2].cursor)
    const rest = (await gql(fake, admin, query, { first: 3, after: first.pageInfo.endCursor })).json.data.organisation.site.pagesList
    assert.deepEqual(rest.edges.map(e => e.node.name), ['Blog'])
    assert.deepEqual([rest.pageInfo.hasPreviousPage, rest.pageInfo.hasNextPage], [true, false])

    const bad = await gql(fake, admin, query, { first: 1, after: 'not-a-cursor' })
    assert.equal(bad.json.errors[0].message, 'Invalid cursor')

    for (const field of ['snapshotsList', 'deploys', 'integrationsList', 'metricBudgetsList', 'cruxUrlsList']) {
      const res = await gql(fake, admin, `{ organisation { site(slug: "${SITE}") { ${field}(first: 1) { totalCount edges { cursor } pageInfo { hasNextPage } } } } }`)
      const connection = res.json.data.organisation.site[field]
      assert.equal(connection.edges.length, 1, field)
      assert.equal(connection.pageInfo.hasNextPage, connection.totalCount > 1, field)
    }
  })

  test('personal access tokens see only their team; admin tokens see all', async () => {
    const personal = fake.tokens.create({ type: 'personal', team: 'engineering' })
    const sites = async token => (await gql(fake, token, '{ organisation { sites { slug } teams { slug } } }')).json.data.organisation
    assert.deepEqual(await sites(personal), { sites: [{ slug: 'acme-app' }, { slug: 'acme-docs' }], teams: [{ slug: 'engineering' }] })
    assert.equal((await sites(admin)).sites.length, 4)
    const other = await gql(fake, personal, `{ organisation { site(slug: "${SITE}") { name } } }`)
    assert.deepEqual(other.json.data.organisation.site, null)
    const mutate = await gql(fake, personal, `mutation { createSnapshot(site: "${SITE}") { iid } }`)
    assert.equal(mutate.json.errors[0].message, 'Site not found')
  })

  test('viewer tokens may read but not run mutations', async () => {
    const viewer = fake.tokens.create({ type: 'personal', role: 'viewer', team: 'marketing' })
    assert.equal((await gql(fake, viewer, `{ organisation { site(slug: "${SITE}") { name } } }`)).json.data.organisation.site.name, 'Acme Website')
    const res = await gql(fake, viewer, `mutation { createSnapshot(site: "${SITE}") { iid } }`)
    assert.equal(res.status, 200)
    assert.deepEqual(res.json.data, { createSnapshot: null })
    assert.match(res.json.errors[0].message, /read-only/)
  })

  test('operationName picks one of several operations', async () => {
    const query = 'query A { locations { tag } } query B { emulatedDevices { tag } }'
    const res = await gql(fake, admin, query, {}, 'B')
    assert.ok(res.json.data.emulatedDevices)
    const ambiguous = await gql(fake, admin, query, {})
    assert.match(ambiguous.json.errors[0].message, /operation name is required/)
    const invalidJson = await call(fake, '/graphql', { token: admin, body: '{not json' })
    assert.equal(invalidJson.status, 400)
  })

  test('the same calls give the same data in two fakes', async () => {
    const other = await startFakeCalibre({ now: fake.now(), rateLimit: false })
    try {
      const token = other.tokens.create()
      const query = `{ organisation { site(slug: "${SITE}") { testProfiles { uuid } cruxAggregateMetrics { value } } } }`
      assert.deepEqual((await gql(other, token, query)).json, (await gql(fake, admin, query)).json)
    } finally {
      await other.close()
    }
  })
})

// ---------------------------------------------------------------- tokens

describe('tokens', () => {
  let fake

  before(async () => { fake = await startFakeCalibre({ rateLimit: false }) })
  after(() => fake.close())

  const ping = (token, urlPath = '/graphql') =>
    call(fake, urlPath, { token, body: urlPath === '/graphql' ? { query: '{ locations { tag } }' } : undefined })

  test('tokens look like Calibre tokens and describe themselves', () => {
    const token = fake.tokens.create({ type: 'personal', team: 'engineering', expiresIn: 60000, allowedIps: ['127.0.0.1'] })
    assert.match(token, /^[0-9a-f]{48}$/)
    const info = fake.tokens.get(token)
    assert.deepEqual(
      { type: info.type, role: info.role, team: info.team, expiresAt: info.expiresAt, allowedIps: info.allowedIps, refreshCount: info.refreshCount },
      { type: 'personal', role: 'member', team: 'engineering', expiresAt: fake.now() + 60000, allowedIps: ['127.0.0.1'], refreshCount: 0 })
    assert.match(info.id, /^tok_\d+$/)
    assert.equal(JSON.stringify(fake.tokens.list()).includes(token), false)
    assert.throws(() => fake.tokens.create({ type: 'personal', team: 'nope' }), TypeError)
    assert.throws(() => fake.tokens.create({ type: 'admin', role: 'viewer' }), TypeError)
    assert.throws(() => fake.tokens.create({ allowedIps: ['10.0.0.0/99'] }), TypeError)
    assert.throws(() => fake.tokens.create({ expiresIn: -1 }), TypeError)
  })

  test('missing, unknown and revoked tokens get 401', async () => {
    for (const token of [undefined, 'not-a-real-token']) {
      const res = await ping(token)
      assert.equal(res.status, 401)
      assert.deepEqual(res.json, UNAUTHORIZED)
      assert.equal(res.headers.get('ratelimit-limit'), null)
    }
    const token = fake.tokens.create()
    assert.equal((await ping(token)).status, 200)
    assert.equal(fake.tokens.revoke(token), true)
    assert.equal(fake.tokens.revoke(token), false)
    assert.deepEqual((await ping(token)).json, UNAUTHORIZED)
    assert.equal(fake.tokens.get(token).revoked, true)
  })

  test('expired tokens get 403 on the fake clock', async () => {
    const token = fake.tokens.create({ expiresIn: 60000 })
    assert.equal((await ping(token)).status, 200)
    fake.advance(59999)
    assert.equal((await ping(token)).status, 200)
    fake.advance(1)
    const res = await ping(token)
    assert.equal(res.status, 403)
    assert.deepEqual(res.json, EXPIRED)
    assert.match(res.json.message, /expired/)
  })

  test('requests from outside Allowed IP Addresses get 403', async () => {
    const denied = fake.tokens.create({ allowedIps: ['10.0.0.0/8', '2001:db8::/32'] })
    const res = await ping(denied)
    assert.equal(res.status, 403)
    assert.deepEqual(res.json, ipForbidden('127.0.0.1'))
    assert.match(res.json.message, /IP address .* not allowed/)
    for (const allowedIps of [['127.0.0.1'], ['127.0.0.0/8'], ['::ffff:127.0.0.1'], ['10.0.0.1', '127.0.0.1/32'], []]) {
      assert.equal((await ping(fake.tokens.create({ allowedIps }))).status, 200, JSON.stringify(allowedIps))
    }
  })

  test('checks run in order: known, IP, expiry', async () => {
    const both = fake.tokens.create({ allowedIps: ['10.0.0.0/8'], expiresIn: 1000 })
    fake.advance(1000)
    assert.deepEqual((await ping(both)).json, ipForbidden('127.0.0.1'))
    fake.tokens.revoke(both)
    assert.deepEqual((await ping(both)).json, UNAUTHORIZED)
  })

  test('POST /api/refresh_token extends expiry by the original duration', async () => {
    const token = fake.tokens.create({ expiresIn: 60000 })
    fake.advance(50000)
    const res = await ping(token, '/api/refresh_token')
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type'), /^application\/json/)
    assert.deepEqual(res.json, { token, expires_at: iso(fake.now() + 60000) })
    assert.equal(fake.tokens.get(token).expiresAt, fake.now() + 60000)
    assert.equal(fake.tokens.get(token).refreshCount, 1)
    fake.advance(30000) // past the original expiry
    assert.equal((await ping(token)).status, 200)

    const forever = fake.tokens.create()
    assert.deepEqual((await ping(forever, '/api/refresh_token')).json, { token: forever, expires_at: null })
  })

  test('refresh is refused for expired, disallowed and unknown tokens', async () => {
    const expired = fake.tokens.create({ expiresIn: 1000 })
    fake.advance(1000)
    const res = await ping(expired, '/api/refresh_token')
    assert.equal(res.status, 403)
    assert.deepEqual(res.json, EXPIRED)
    assert.equal(fake.tokens.get(expired).refreshCount, 0)

    const elsewhere = fake.tokens.create({ allowedIps: ['192.0.2.0/24'], expiresIn: 60000 })
    assert.deepEqual((await ping(elsewhere, '/api/refresh_token')).json, ipForbidden('127.0.0.1'))
    assert.deepEqual((await ping('unknown', '/api/refresh_token')).json, UNAUTHORIZED)
    assert.equal((await call(fake, '/api/refresh_token', { method: 'GET', token: elsewhere })).status, 405)
  })

  test('IP matching handles IPv4, IPv6, CIDR and mapped addresses', () => {
    assert.equal(normaliseIp('::ffff:127.0.0.1'), '127.0.0.1')
    assert.equal(ipAllowed('::ffff:10.1.2.3', ['10.0.0.0/8']), true)
    assert.equal(ipAllowed('10.1.2.3', ['::ffff:10.1.2.3']), true)
    assert.equal(ipAllowed('2001:db8::1', ['2001:db8::/32']), true)
    assert.equal(ipAllowed('2001:db9::1', ['2001:db8::/32']), false)
    assert.equal(ipAllowed('::1', ['::1']), true)
    assert.equal(ipAllowed('::1', ['127.0.0.1']), false)
    assert.equal(ipAllowed('192.168.1.1', []), true)
    assert.throws(() => ipAllowed('1.2.3.4', ['not an ip']), TypeError)
  })
})

// ---------------------------------------------------------------- rate limit

describe('rate limit', () => {
  test('the 11th request in a second gets 429 with headers', async () => {
    const fake = await startFakeCalibre()
    try {
      // Windows are whole real seconds: burst just after one starts. On a very
      // busy machine the burst may still straddle two, so allow a retry.
      let responses
      for (let attempt = 0; attempt < 3; attempt++) {
        const token = fake.tokens.create()
        await windowStart(1000)
        responses = await Promise.all(Array.from({ length: 11 }, () => call(fake, '/graphql', { token, body: { query: '{ locations { tag } }' } })))
        if (Date.now() % 1000 < 900) break
      }
      const ok = responses.filter(r => r.status === 200)
      const limited = responses.filter(r => r.status === 429)
      assert.equal(ok.length, 10)
      assert.equal(limited.length, 1)
      assert.deepEqual(ok.map(r => Number(r.headers.get('ratelimit-remaining'))).sort((a, b) => b - a), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
      for (const r of ok) assert.equal(r.headers.get('ratelimit-limit'), '10')
      const [res] = limited
      assert.equal(res.headers.get('retry-after'), '1')
      assert.equal(res.headers.get('ratelimit-limit'), '10')
      assert.equal(res.headers.get('ratelimit-remaining'), '0')
      assert.equal(res.headers.get('ratelimit-reset'), '1')
      assert.deepEqual(res.json, { errors: [{ message: 'Rate limit exceeded: 10 requests per second. Retry after 1 second.' }] })
      // Limits are per token.
      assert.equal((await call(fake, '/graphql', { token: fake.tokens.create(), body: { query: '{ locations { tag } }' } })).status, 200)
    } finally {
      await fake.close()
    }
  })

  test('the limit is configurable and can be disabled', async () => {
    const strict = await startFakeCalibre({ rateLimit: { limit: 2, windowMs: 2000 } })
    const off = await startFakeCalibre({ rateLimit: false })
    try {
      const token = strict.tokens.create()
      await windowStart(2000)
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push(await call(strict, '/graphql', { token, body: { query: '{ locations { tag } }' } }))
      assert.deepEqual(statuses.map(r => r.status), [200, 200, 429])
      assert.equal(statuses[2].json.errors[0].message, 'Rate limit exceeded: 2 requests per 2 seconds. Retry after 2 seconds.')

      const free = off.tokens.create()
      const many = await Promise.all(Array.from({ length: 25 }, () => call(off, '/graphql', { token: free, body: { query: '{ locations { tag } }' } })))
      assert.ok(many.every(r => r.status === 200 && r.headers.get('ratelimit-limit') === null))
    } finally {
      await strict.close()
      await off.close()
    }
  })
})

// ---------------------------------------------------------------- fake clock

describe('fake clock', () => {
  const CREATE = 'mutation T($url: URL!, $location: LocationTag!) { createTest(url: $url, location: $location) { uuid formattedTestUrl } }'
  const GET = `query G($uuid: String!) { organisation { singlePageTest(uuid: $uuid) {
    status markdownReport measurements { name value } har: artifactURL(name: TEST_ARTIFACT_HAR)
    image: mediaURL(name: TEST_MEDIA_IMAGE) runtimeError: artifact(name: TEST_ARTIFACT_RUNTIME_ERROR) } } }`

  test('single page tests go queued -> running -> completed as the clock advances', async () => {
    const fake = await startFakeCalibre({ now: Date.UTC(2024, 0, 15, 10, 30), rateLimit: false })
    try {
      assert.equal(fake.now(), Date.UTC(2024, 0, 15, 10, 30))
      const token = fake.tokens.create()
      const { uuid } = (await gql(fake, token, CREATE, { url: 'https://example.com/', location: 'Sydney' })).json.data.createTest
      const status = async () => (await gql(fake, token, GET, { uuid })).json.data.organisation.singlePageTest
      assert.equal((await status()).status, 'queued')
      assert.equal((await status()).markdownReport, null)
      fake.advance(TIMINGS.runningAfterMs - 1)
      assert.equal((await status()).status, 'queued')
      fake.advance(1)
      assert.equal((await status()).status, 'running')
      assert.equal(fake.state.singlePageTests[0].status, 'running')
      assert.equal(fake.advance(TIMINGS.completedAfterMs - TIMINGS.runningAfterMs), Date.UTC(2024, 0, 15, 10, 30) + TIMINGS.completedAfterMs)
      const done = await status()
      assert.equal(done.status, 'completed')
      assert.ok(done.measurements.some(m => m.name === 'largest-contentful-paint' && m.value > 0))
      assert.match(done.markdownReport, /^# Single Page Test: https:\/\/example\.com\//)
      assert.equal(done.runtimeError, null)

      const har = await fetch(done.har)
      assert.equal(har.status, 200)
      assert.equal((await har.json()).log.version, '1.2')
      const image = await fetch(done.image)
      assert.equal(image.headers.get('content-type'), 'image/jpeg')
      await image.arrayBuffer()
      assert.throws(() => fake.advance(-1), TypeError)
    } finally {
      await fake.close()
    }
  })

  test('a test of an errored.* host ends errored with a runtime error', async () => {
    const fake = await startFakeCalibre({ rateLimit: false })
    try {
      const token = fake.tokens.create()
      const { uuid } = (await gql(fake, token, CREATE, { url: 'https://errored.example/', location: 'Tokyo' })).json.data.createTest
      fake.advance(TIMINGS.completedAfterMs)
      const test = (await gql(fake, token, GET, { uuid })).json.data.organisation.singlePageTest
      assert.equal(test.status, 'errored')
      assert.equal(test.runtimeError.code, 'INTERSTITIAL_ERROR')
      assert.equal(test.har, null)
    } finally {
      await fake.close()
    }
  })

  test('completeTestsImmediately finishes tests and snapshots at once', async () => {
    const fake = await startFakeCalibre({ completeTestsImmediately: true, rateLimit: false })
    try {
      const token = fake.tokens.create()
      const { uuid } = (await gql(fake, token, CREATE, { url: 'https://example.com/', location: 'Sydney' })).json.data.createTest
      assert.equal((await gql(fake, token, GET, { uuid })).json.data.organisation.singlePageTest.status, 'completed')
      const snapshot = await gql(fake, token, `mutation { createSnapshot(site: "${SITE}") { iid } }`)
      assert.equal(fake.state.sites[0].snapshots[0].iid, snapshot.json.data.createSnapshot.iid)
      assert.equal(fake.state.sites[0].snapshots[0].status, 'completed')
    } finally {
      await fake.close()
    }
  })

  test('snapshots complete on the clock and feed the time series', async () => {
    const fake = await startFakeCalibre({ rateLimit: false })
    try {
      const token = fake.tokens.create()
      const { iid } = (await gql(fake, token, `mutation { createSnapshot(site: "${SITE}", ref: "abc") { iid } }`)).json.data.createSnapshot
      const read = async () => (await gql(fake, token, `{ organisation { site(slug: "${SITE}") {
        snapshot(id: ${iid}) { status tests { status measurements { name } } }
        timeSeries(measurements: ["first-contentful-paint"]) { times { snapshot } } } } }`)).json.data.organisation.site
      let site = await read()
      assert.equal(site.snapshot.status, 'queued')
      assert.equal(site.snapshot.tests.length, 4 * 3)
      assert.equal(site.timeSeries.times.some(t => t.snapshot === iid), false)
      fake.advance(TIMINGS.completedAfterMs)
      site = await read()
      assert.equal(site.snapshot.status, 'completed')
      assert.ok(site.snapshot.tests.every(t => t.status === 'completed' && t.measurements.length > 0))
      assert.equal(site.timeSeries.times.at(-1).snapshot, iid)
    } finally {
      await fake.close()
    }
  })
})

// ---------------------------------------------------------------- faults

describe('failNext', () => {
  let fake
  let token
  const query = { query: '{ locations { tag } }' }

  before(async () => {
    fake = await startFakeCalibre({ rateLimit: false })
    token = fake.tokens.create()
  })
  after(() => fake.close())

  test('answers with a canned status, body and headers, once', async () => {
    fake.failNext({ status: 503, body: { errors: [{ message: 'Down for maintenance' }] }, headers: { 'Retry-After': '7' } })
    const res = await call(fake, '/graphql', { token, body: query })
    assert.equal(res.status, 503)
    assert.deepEqual(res.json, { errors: [{ message: 'Down for maintenance' }] })
    assert.equal(res.headers.get('retry-after'), '7')
    assert.equal((await call(fake, '/graphql', { token, body: query })).status, 200)

    fake.failNext({ status: 500 })
    assert.deepEqual((await call(fake, '/graphql', { token, body: query })).json, { error: 'Internal Server Error' })
    fake.failNext({ status: 502, body: '<html>Bad gateway</html>' })
    const html = await call(fake, '/graphql', { token, body: query })
    assert.equal(html.text, '<html>Bad gateway</html>')
    assert.match(html.headers.get('content-type'), /^text\/plain/)
  })

  test('count repeats a fault and path narrows it', async () => {
    fake.failNext({ status: 429, count: 2, path: '/api/refresh_token' })
    assert.equal((await call(fake, '/graphql', { token, body: query })).status, 200)
    assert.equal((await call(fake, '/api/refresh_token', { token })).status, 429)
    assert.equal((await call(fake, '/api/refresh_token', { token })).status, 429)
    assert.equal((await call(fake, '/api/refresh_token', { token })).status, 200)
  })

  test('delayMs answers normally after a real delay', async () => {
    fake.failNext({ delayMs: 150 })
    const started = performance.now()
    const res = await call(fake, '/graphql', { token, body: query })
    assert.equal(res.status, 200)
    assert.ok(performance.now() - started >= 140)
  })

  test('hangUp destroys the connection without an answer', async () => {
    fake.failNext({ hangUp: true })
    await assert.rejects(call(fake, '/graphql', { token, body: query }), TypeError)
    const entry = fake.requests.at(-1)
    assert.equal(entry.fault, true)
    assert.equal(entry.status, null)
    assert.equal((await call(fake, '/graphql', { token, body: query })).status, 200)
  })

  test('malformed faults are refused', () => {
    assert.throws(() => fake.failNext({ status: 42 }), TypeError)
    assert.throws(() => fake.failNext({ count: 0 }), TypeError)
    assert.throws(() => fake.failNext({ path: 'graphql' }), TypeError)
  })
})

// ---------------------------------------------------------------- request log and lifecycle

describe('request log and lifecycle', () => {
  test('the request log never holds a token in clear', async () => {
    const fake = await startFakeCalibre({ rateLimit: false })
    try {
      const token = fake.tokens.create({ expiresIn: 60000 })
      const { id } = fake.tokens.get(token)
      await gql(fake, token, 'query Locations { locations { tag } }', { unused: 1 })
      await call(fake, '/api/refresh_token', { token })
      await gql(fake, `${token}x`, '{ locations { tag } }')
      fake.failNext({ status: 500 })
      await call(fake, '/graphql', { token, body: { query: '{ locations { tag } }' } })

      assert.equal(fake.requests.length, 4)
      assert.equal(JSON.stringify(fake.requests).includes(token), false)
      const [first, refresh, unknown, faulted] = fake.requests
      assert.deepEqual(
        { method: first.method, path: first.path, operationName: first.operationName, variables: first.variables, ip: first.ip, status: first.status, tokenId: first.tokenId, time: first.time },
        { method: 'POST', path: '/graphql', operationName: 'Locations', variables: { unused: 1 }, ip: '127.0.0.1', status: 200, tokenId: id, time: fake.now() })
      assert.equal(first.query, 'query Locations { locations { tag } }')
      assert.equal(first.headers.authorization, 'Token [REDACTED]')
      assert.deepEqual([refresh.path, refresh.status, refresh.tokenId], ['/api/refresh_token', 200, id])
      assert.deepEqual([unknown.status, unknown.tokenId], [401, null])
      assert.deepEqual([faulted.status, faulted.fault], [500, true])
    } finally {
      await fake.close()
    }
  })

  test('unknown paths get 404 and GET /graphql gets 405', async () => {
    const fake = await startFakeCalibre()
    try {
      assert.equal((await call(fake, '/nope', { method: 'GET' })).status, 404)
      const res = await call(fake, '/graphql', { method: 'GET' })
      assert.equal(res.status, 405)
      assert.equal(res.headers.get('allow'), 'POST')
    } finally {
      await fake.close()
    }
  })

  test('ESM and CommonJS entries share one implementation', () => {
    assert.equal(startFakeCalibre, testingCjs.startFakeCalibre)
    assert.equal(TIMINGS, testingCjs.TIMINGS)
  })

  test('index.d.ts compiles under strict TypeScript and types the API', t => {
    const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))
    if (!fs.existsSync(tsc)) return t.skip('typescript is not installed')
    // TypeScript 7's compiler is a native program, installed for the system that ran npm ci.
    if (!fs.existsSync(fileURLToPath(new URL(`../node_modules/@typescript/typescript-${process.platform}-${process.arch}`, import.meta.url)))) {
      return t.skip(`the TypeScript compiler installed here is not built for ${process.platform}-${process.arch}`)
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-calibre-types-'))
    const file = path.join(dir, 'use.ts')
    const entry = fileURLToPath(new URL('../testing/index.js', import.meta.url))
    fs.writeFileSync(file, `
      import { startFakeCalibre, TIMINGS, type FakeCalibre, type RefreshTokenResponse, type TokenInfo } from ${JSON.stringify(entry)}
      export async function use (): Promise<void> {
        const fake: FakeCalibre = await startFakeCalibre({ now: 0, rateLimit: { limit: 5 }, seed: false })
        const token: string = fake.tokens.create({ type: 'personal', role: 'viewer', team: 'default', expiresIn: 1000, allowedIps: ['::1'] })
        const info: TokenInfo | undefined = fake.tokens.get(token)
        const expiry: number | null | undefined = info?.expiresAt
        const refreshed: RefreshTokenResponse = { token, expires_at: null }
        fake.failNext({ status: 503, body: { errors: [{ message: 'down' }] }, headers: { 'retry-after': '1' }, count: 2 })
        fake.state.sites[0]?.pages.push({ uuid: 'u', name: 'n', url: 'https://x.example/', position: 1, canonical: false, createdAt: 0, updatedAt: 0 })
        const n: number = fake.advance(TIMINGS.completedAfterMs) + fake.now()
        console.log(expiry, refreshed, n, fake.requests[0]?.tokenId, fake.url)
        // @ts-expect-error: unknown token type
        fake.tokens.create({ type: 'robot' })
        // @ts-expect-error: rateLimit is an object or false
        await startFakeCalibre({ rateLimit: true })
        await fake.close()
      }
    `)
    try {
      const result = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--types', 'node', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', file], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 60000 })
      assert.equal(result.status, 0, result.stdout + result.stderr)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test('close() lets the process exit, even with keep-alive sockets and pending delays', () => {
    const entry = new URL('../testing/index.mjs', import.meta.url).href
    const script = `
      import { startFakeCalibre } from ${JSON.stringify(entry)}
      const fake = await startFakeCalibre()
      const token = fake.tokens.create()
      const res = await fetch(fake.url + '/graphql', { method: 'POST', headers: { authorization: 'Token ' + token, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ locations { tag } }' }) })
      await res.json()
      fake.failNext({ delayMs: 60000 })
      const pending = fetch(fake.url + '/graphql', { method: 'POST', headers: { authorization: 'Token ' + token }, body: '{}' }).catch(() => 'dropped')
      await new Promise(resolve => setTimeout(resolve, 50))
      await fake.close()
      await fake.close()
      console.log(await pending)
    `
    const started = Date.now()
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 })
    assert.equal(child.signal, null, 'the child had to be killed: close() left something open')
    assert.equal(child.status, 0, child.stderr)
    assert.equal(child.stdout.trim(), 'dropped')
    assert.ok(Date.now() - started < 10000)
  })
})

// ─────────────────────────────────────────────────────────────────────────────

describe('compression', () => {
  const zlib = require('node:zlib')
  const http = require('node:http')
  const { pickEncoding } = require('../testing/server.js')
  const decoders = { br: zlib.brotliDecompressSync, gzip: zlib.gunzipSync, deflate: zlib.inflateSync }

  /** POSTs with node:http, which neither asks for nor decodes compression by itself. */
  function rawPost (fake, token, acceptEncoding) {
    return new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/json', authorization: `Token ${token}` }
      if (acceptEncoding !== undefined) headers['accept-encoding'] = acceptEncoding
      const req = http.request(`${fake.url}/graphql`, { method: 'POST', headers }, res => {
        const chunks = []
        res.on('data', chunk => chunks.push(chunk))
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
      })
      req.on('error', reject)
      req.end(JSON.stringify({ query: '{ locations { tag name } }' }))
    })
  }

  test('answers in the coding the client prefers among br, gzip and deflate, as a server does', async () => {
    const fake = await startFakeCalibre({ rateLimit: false })
    try {
      const token = fake.tokens.create()
      const plain = await rawPost(fake, token)
      assert.equal(plain.headers['content-encoding'], undefined)
      assert.equal(fake.requests.at(-1).encoding, null)
      const expected = JSON.parse(plain.body)
      assert.ok(expected.data.locations.length > 0)
      for (const [accept, encoding] of [
        ['gzip, deflate', 'gzip'],
        ['gzip, deflate, br', 'br'],
        ['deflate', 'deflate'],
        ['br;q=0, gzip;q=0.5, deflate', 'gzip'],
        ['*', 'br'],
        ['identity', undefined],
        ['zstd', undefined]
      ]) {
        const answer = await rawPost(fake, token, accept)
        assert.equal(answer.headers['content-encoding'], encoding, accept)
        assert.equal(answer.headers.vary, 'Accept-Encoding')
        assert.equal(Number(answer.headers['content-length']), answer.body.length)
        assert.equal(fake.requests.at(-1).encoding, encoding ?? null)
        const body = encoding ? decoders[encoding](answer.body) : answer.body
        assert.deepEqual(JSON.parse(body), expected, accept)
      }
    } finally {
      await fake.close()
    }
  })

  test('compression: false always answers uncompressed', async () => {
    const fake = await startFakeCalibre({ rateLimit: false, compression: false })
    try {
      const answer = await rawPost(fake, fake.tokens.create(), 'gzip, deflate, br')
      assert.equal(answer.headers['content-encoding'], undefined)
      assert.equal(answer.headers.vary, undefined)
      assert.ok(JSON.parse(answer.body).data.locations)
    } finally {
      await fake.close()
    }
    await assert.rejects(startFakeCalibre({ compression: 'yes' }), TypeError)
  })

  test('Accept-Encoding is read with its q-values', () => {
    assert.equal(pickEncoding(undefined), null)
    assert.equal(pickEncoding(''), null)
    assert.equal(pickEncoding('GZIP'), 'gzip')
    assert.equal(pickEncoding('gzip;q=0'), null)
    assert.equal(pickEncoding('*;q=0, deflate'), 'deflate')
    assert.equal(pickEncoding('br ; q=0.1 , gzip'), 'br')
  })
})

describe('the graphql peer dependency', () => {
  // A copy of testing/ where `graphql` cannot be resolved (or resolves to an old version), as in a
  // project that installed calibre-native without its optional peer.
  function copyOfTesting (graphqlVersion) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-peer-'))
    fs.cpSync(new URL('../testing', import.meta.url), path.join(dir, 'testing'), { recursive: true })
    if (graphqlVersion) {
      const pkg = path.join(dir, 'node_modules', 'graphql')
      fs.mkdirSync(pkg, { recursive: true })
      fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'graphql', version: graphqlVersion, main: 'index.js' }))
      fs.writeFileSync(path.join(pkg, 'index.js'), `exports.version = '${graphqlVersion}'; exports.versionInfo = { major: ${parseInt(graphqlVersion, 10)} }`)
    }
    return dir
  }
  const load = (dir, args) => spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' })

  test('without graphql, require and import say how to install it', t => {
    const dir = copyOfTesting()
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const cjs = load(dir, ['-e', "try { require('./testing') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }"])
    const { code, message } = JSON.parse(cjs.stdout)
    assert.equal(code, 'MODULE_NOT_FOUND')
    assert.match(message, /^calibre-native\/testing needs the 'graphql' package .* npm install --save-dev graphql$/)
    const uncaught = load(dir, ['--input-type=module', '-e', "await import('./testing/index.mjs')"])
    assert.notEqual(uncaught.status, 0)
    assert.match(uncaught.stderr, /npm install --save-dev graphql/)
    assert.doesNotMatch(uncaught.stderr, /Require stack/)
  })

  test('an old graphql is named with its version', t => {
    const dir = copyOfTesting('15.8.0')
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const r = load(dir, ['-e', "require('./testing')"])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /needs graphql-js 16 or later; version 15\.8\.0 is installed\. Upgrade it: npm install --save-dev graphql@16/)
  })
})
