// Parity with calibre@7.0.0: every one of its 53 functions (and its quirky inputs) is called with the
// same arguments on calibre@7 and on calibre-native, against ONE recording server on 127.0.0.1 that
// answers both from the same canned `data`. The two requests must be the same (method, path, headers,
// query text, operationName, variables with their key order, the whole body byte for byte) and so must
// the resolved values. Failing responses must give a CalibreError carrying what calibre@7 threw.
//
// calibre@7 reads its token at import and throws without one, so it is imported dynamically after
// CALIBRE_API_TOKEN and CALIBRE_HOST are set. Its process-wide throttle allows 10 request starts per
// 1.1 s, which sets the pace of this file (~15 s for ~130 cases).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import * as ours from 'calibre-native'
import { startRecorder } from './helpers/recorder.mjs'
import { isolatedEnv } from './helpers/env.mjs'
import { cannedReply, cannedKey } from './helpers/canned.mjs'

const TOKEN = 'parity-token-0123456789'
const S = 'my-site'
const YEAR_MS = 31556952000

let server
let env
let c7
let humaniseError

before(async () => {
  server = await startRecorder(cannedReply)
  env = isolatedEnv({ CALIBRE_API_TOKEN: TOKEN, CALIBRE_HOST: server.url })
  c7 = await import('calibre')
  // calibre@7's own message humaniser (CLI-only, not exported): loaded by file from the package.
  ;({ humaniseError } = await import(new URL('./src/utils/api-error.js', import.meta.resolve('calibre'))))
})
after(async () => {
  env.restore()
  await server.close()
})

const fnOf = (lib, name) => {
  const [ns, fn] = name.split('.')
  return lib[ns][fn]
}

/** Calls `name(...args)` on `lib` and returns what it sent and what it resolved to or threw. */
async function capture(lib, name, args) {
  const from = server.requests.length
  let result
  let error
  let threw = false
  try {
    result = await fnOf(lib, name)(...structuredClone(args))
  } catch (e) {
    threw = true
    error = e
  }
  return { requests: server.requests.slice(from), result, error, threw }
}

/** Asserts that two recorded requests are the same on the wire. */
function assertSameRequest(ra, rb, label) {
  assert.equal(rb.method, ra.method, `${label}: method`)
  assert.equal(rb.path, ra.path, `${label}: path`)
  for (const h of ['content-type', 'authorization', 'accept']) {
    assert.equal(rb.headers[h], ra.headers[h], `${label}: ${h} header`)
  }
  const a = ra.body
  const b = rb.body
  assert.equal(typeof b, 'object', `${label}: calibre-native body is JSON`)
  assert.equal(b.query, a.query, `${label}: query text`)
  assert.equal('operationName' in b, 'operationName' in a, `${label}: operationName presence`)
  assert.equal(b.operationName, a.operationName, `${label}: operationName`)
  assert.deepStrictEqual(b.variables, a.variables, `${label}: variables`)
  // deepStrictEqual ignores key order; JSON text does not.
  assert.equal(JSON.stringify(b.variables), JSON.stringify(a.variables), `${label}: variables key order`)
  assert.equal(rb.text, ra.text, `${label}: body byte for byte`)
}

/** Runs the call on both packages and asserts the same single request and the same result. */
async function assertParity(name, args) {
  const a = await capture(c7, name, args)
  const b = await capture(ours, name, args)
  const label = `${name}(${describe(args)})`
  assert.equal(a.threw, false, `${label}: calibre@7 threw ${a.error?.message ?? JSON.stringify(a.error)}`)
  assert.equal(b.threw, false, `${label}: calibre-native threw ${b.error?.code} ${b.error?.message}`)
  assert.equal(a.requests.length, 1, `${label}: calibre@7 sent ${a.requests.length} requests`)
  assert.equal(b.requests.length, 1, `${label}: calibre-native sent ${b.requests.length} requests`)
  assertSameRequest(a.requests[0], b.requests[0], label)
  assert.deepStrictEqual(b.result, a.result, `${label}: resolved value`)
  return { a, b }
}

function describe(args) {
  const text = args.map((x) => (x === undefined ? 'undefined' : JSON.stringify(x, (k, v) => (v === undefined ? '<undefined>' : v)))).join(', ')
  return text.length > 110 ? `${text.slice(0, 107)}...` : text
}

// ─── The cases: every function, with calibre@7's quirks ────────────────────────────────────────

const CASES = [
  // Site
  ['Site.create', [{ name: 'S', pages: [{ name: 'Home', url: 'https://x.test' }], team: 't', testProfiles: [{ name: 'p', jsIsDisabled: true }], location: 'Sydney' }], 'location alias into agentSettings'],
  ['Site.create', [{ name: 'S', location: 'London', agentSettings: { location: 'Sydney', scheduleInterval: 'daily' } }], 'truthy location wins over agentSettings.location'],
  ['Site.create', [{ name: 'S', agentSettings: { scheduleAnchor: 3 }, location: '' }], 'falsy location ignored'],
  ['Site.create', [{ name: 'S' }], 'agentSettings always sent ({})'],
  ['Site.create', [{ name: 'S', team: undefined, pages: null, agentSettings: { scheduleInterval: undefined, scheduleAnchor: null } }], 'undefined dropped, null kept'],
  ['Site.create', [{ name: 'S', agentSettings: null }], 'agentSettings null spreads to {}'],
  ['Site.list', []],
  ['Site.destroy', [{ slug: S }]],
  ['Site.get', [{ slug: S, extra: 1 }], 'unknown keys ignored'],
  ['Site.update', [{ slug: S, name: 'N', canonicalUrl: 'https://x.test', team: 't', authenticationSettings: { required: true, url: 'https://x.test/login', username: 'u', password: 'p', formSelector: 'form', usernameSelector: '#u', passwordSelector: '#p' }, cookies: [{ name: 'c', value: 'v', domain: 'x.test', path: '/', secure: true, httpOnly: false }], headers: [{ name: 'h', value: 'v' }] }]],
  ['Site.update', [{ slug: S, name: 'Only name' }]],
  ['Site.update', [{ slug: S, name: undefined, canonicalUrl: null, cookies: [] }], 'undefined dropped, null kept'],
  // Snapshot
  ['Snapshot.create', [{ site: S, ref: 'v1.0' }]],
  ['Snapshot.create', [{ site: S, ref: 123 }], 'number ref sent as string'],
  ['Snapshot.create', [{ site: S }], 'missing ref sent as null'],
  ['Snapshot.create', [{ site: S, ref: undefined }], 'undefined ref sent as null'],
  ['Snapshot.create', [{ site: S, ref: '' }], 'empty ref sent as null'],
  ['Snapshot.create', [{ site: S, ref: 0 }], 'zero ref sent as null'],
  ['Snapshot.create', [{ site: S, ref: null }]],
  ['Snapshot.destroy', [{ site: S, id: 5 }], 'String(id)'],
  ['Snapshot.destroy', [{ site: S, id: '5' }]],
  ['Snapshot.destroy', [{ site: S, id: 0 }]],
  ['Snapshot.destroy', [{ site: S }], 'missing id sent as "undefined"'],
  ['Snapshot.list', [{ site: S, count: 10 }]],
  ['Snapshot.list', [{ site: S, count: 10, cursor: 'abc' }]],
  ['Snapshot.list', [{ site: S, count: 10, cursor: null }]],
  ['Snapshot.list', [{ site: S, count: 10, cursor: undefined }]],
  ['Snapshot.fetchArtifacts', [{ site: S, id: '12' }], 'Number(id)'],
  ['Snapshot.fetchArtifacts', [{ site: S, id: 12 }]],
  ['Snapshot.fetchArtifacts', [{ site: S, id: ' 7 ' }]],
  ['Snapshot.fetchArtifacts', [{ site: S, id: 'abc' }], 'NaN sent as null'],
  ['Snapshot.fetchArtifacts', [{ site: S }], 'missing id: NaN sent as null'],
  // Test
  ['Test.create', [{ url: 'https://x.test', location: 'Sydney', device: 'MotoG4', connection: 'regular3G', cookies: [{ name: 'a', value: 'b' }], headers: [{ name: 'h', value: 'v' }], isPrivate: true, webhookUrl: 'https://hook.test', webhookSecret: 's', blockedHosts: ['*.ads.test'], expiresAt: '2030-01-01T00:00:00.000Z' }]],
  ['Test.create', [{ url: 'https://x.test', location: 'Sydney', expiresAt: null }], 'null expiresAt kept'],
  ['Test.create', [{ url: 'https://x.test', location: 'Sydney', expiresAt: new Date(Date.UTC(2031, 0, 2)) }], 'Date expiresAt'],
  ['Test.create', [{ url: 'https://x.test', location: 'Sydney', isPrivate: false, device: undefined, blockedHosts: [], expiresAt: '2030-01-01T00:00:00.000Z' }]],
  ['Test.getList', []],
  ['Test.getTestByUuid', ['u-1']],
  ['Test.fetchArtifacts', ['u-1']],
  // PullRequestReview
  ['PullRequestReview.create', [{ site: S, title: 'PR 1', url: 'https://preview.test', branch: 'feat', sha: 'abc123', config: 'pages: []' }]],
  ['PullRequestReview.create', [{ site: S, title: 'PR 1', url: 'https://preview.test', branch: 'feat', sha: 'abc123' }]],
  ['PullRequestReview.list', [{ site: S }]],
  ['PullRequestReview.getPRReviewByBranch', [S, 'feat']],
  ['PullRequestReview.getPRReviewByBranch', [S], 'branch omitted'],
  ['PullRequestReview.getPRReviewByBranch', [S, null], 'branch null'],
  // TestProfile
  ['TestProfile.create', [{ site: S, name: 'P', device: 'iPhone', connection: 'cable', cookies: [{ name: 'a', value: 'b' }], javascript: true, headers: [{ name: 'ignored', value: 'x' }] }], 'headers not forwarded'],
  ['TestProfile.create', [{ site: S, name: 'P' }], 'javascript omitted: jsIsDisabled true'],
  ['TestProfile.create', [{ site: S, name: 'P', javascript: false }]],
  ['TestProfile.create', [{ site: S, name: 'P', javascript: null }]],
  ['TestProfile.list', [{ site: S }]],
  ['TestProfile.update', [{ uuid: 'tp', site: S, name: 'P2', device: 'iPhone', connection: 'cable', cookies: [], headers: [{ name: 'h', value: 'v' }], blockedThirdParties: ['Google'], javascript: false, position: 2 }]],
  ['TestProfile.update', [{ uuid: 'tp', site: S, javascript: 'yes' }], 'jsIsDisabled: !javascript'],
  ['TestProfile.update', [{ uuid: 'tp', site: S, javascript: true, position: null, cookies: undefined }]],
  ['TestProfile.destroy', [{ site: S, uuid: 'tp' }]],
  // Agent, Connection, Device
  ['Agent.list', []],
  ['Connection.list', []],
  ['Device.list', []],
  // Page
  ['Page.create', [{ site: S, name: 'Home', url: 'https://x.test', position: 1 }]],
  ['Page.create', [{ site: S, name: 'Home', url: 'https://x.test' }]],
  ['Page.list', [{ site: S, count: 25 }]],
  ['Page.list', [{ site: S, count: 25, cursor: 'c' }]],
  ['Page.destroy', [{ site: S, uuid: 'p1' }]],
  ['Page.update', [{ site: S, uuid: 'p1', name: 'N', url: 'https://y.test', position: 0 }]],
  ['Page.update', [{ site: S, uuid: 'p1', name: 'N', position: null }]],
  // SnapshotMetrics
  ['SnapshotMetrics.snapshot', [{ site: S, snapshotId: 3 }]],
  // GraphQL
  ['GraphQL.request', [{ query: 'query Q($a: String, $c: String, $d: [Int]) { a }', a: 'x', b: undefined, c: null, d: [1, 2] }], 'every other key is a variable'],
  ['GraphQL.request', [{ query: '{ a }' }], 'anonymous: no operationName, variables {}'],
  ['GraphQL.request', [{ query: 'query Q($when: String, $o: In) { a }', when: new Date(Date.UTC(2024, 1, 3)), o: { z: 1, a: [{ y: null, b: undefined }] } }], 'nested and Date variables'],
  // TimeSeries
  ['TimeSeries.list', [{ site: S }], '[] defaults'],
  ['TimeSeries.list', [{ site: S, measurements: ['lcp'], pages: ['p'], profiles: ['q'], from: new Date(Date.UTC(2024, 0, 1)), to: '2024-02-01' }]],
  ['TimeSeries.list', [{ site: S, measurements: null, pages: undefined }], 'null kept, undefined defaulted'],
  // Deploy
  ['Deploy.create', [{ site: S, revision: 'abc', repository: 'https://github.com/a/b', username: 'me', createdAt: '2024-01-01T00:00:00Z' }]],
  ['Deploy.create', [{ site: S }]],
  ['Deploy.destroy', [{ site: S, uuid: 'd1' }]],
  ['Deploy.list', [{ site: S }], 'count defaults to 25'],
  ['Deploy.list', [{ site: S, count: 5, cursor: 'c' }]],
  ['Deploy.list', [{ site: S, count: undefined }], 'undefined count defaults to 25'],
  ['Deploy.list', [{ site: S, count: null }], 'null count kept'],
  // Integration
  ['Integration.create', [{ site: S, provider: 'webhook', url: 'https://hook.test', events: ['new_snapshot'], secret: 's', isDisabled: false }]],
  ['Integration.create', [{ site: S, provider: 'slack', url: 'https://hook.test', secret: undefined }]],
  ['Integration.destroy', [{ site: S, uuid: 'i1' }]],
  ['Integration.update', [{ site: S, uuid: 'i1', provider: 'slack', url: 'https://hook.test', events: [], secret: 's', isDisabled: true }]],
  ['Integration.update', [{ site: S, uuid: 'i1', isDisabled: true, events: null }]],
  ['Integration.list', [{ site: S, count: 5 }]],
  ['Integration.list', [{ site: S, count: 5, cursor: 'c' }]],
  // MetricBudget
  ['MetricBudget.create', [{ site: S, value: 2500, measurement: 'lcp', pages: ['p'], profiles: ['q'] }]],
  ['MetricBudget.create', [{ site: S, value: 2500, measurement: 'lcp' }]],
  ['MetricBudget.destroy', [{ site: S, uuid: 'm1' }]],
  ['MetricBudget.update', [{ site: S, uuid: 'm1', value: 2000, measurement: 'lcp', pages: [], profiles: [] }]],
  ['MetricBudget.update', [{ site: S, uuid: 'm1', value: null }]],
  ['MetricBudget.list', [{ site: S, count: 5 }]],
  ['MetricBudget.list', [{ site: S, count: 5, metric: 'lcp', cursor: 'c' }]],
  // AgentSettings
  ['AgentSettings.get', [{ site: S }]],
  ['AgentSettings.update', [{ site: S, scheduleAnchor: 3, scheduleInterval: 'daily', location: 'Sydney' }]],
  ['AgentSettings.update', [{ site: S, scheduleInterval: 'hourly', scheduleAnchor: null }]],
  // Crux: lower-case enum spellings are mapped; unmapped values are dropped
  ['Crux.summary', [{ site: S }]],
  ['Crux.summary', [{ site: S, formFactor: 'phone' }]],
  ['Crux.summary', [{ site: S, formFactor: 'PHONE' }], 'unmapped formFactor dropped'],
  ['Crux.summary', [{ site: S, formFactor: '' }]],
  ['Crux.history', [{ site: S, formFactor: 'desktop', timePeriod: 'six-months' }]],
  ['Crux.history', [{ site: S, timePeriod: 'SIX_MONTHS' }], 'unmapped timePeriod dropped'],
  ['Crux.history', [{ site: S, formFactor: 'tablet', timePeriod: 'eighteen-months' }]],
  ['Crux.urls', [{ site: S, formFactor: 'tablet' }]],
  ['Crux.urls', [{ site: S, formFactor: 'mobile' }], 'unmapped formFactor dropped'],
  ['Crux.urls', [{ site: S }]],
  ['Crux.url', [{ site: S, uuid: 'c', formFactor: 'phone', timePeriod: 'twenty-four-months' }]],
  ['Crux.url', [{ timePeriod: 'three-months', uuid: 'c', site: S }]],
  ['Crux.url', [{ site: S, uuid: 'c', formFactor: 'Desktop', timePeriod: 'nine-months' }], 'unmapped formFactor dropped'],
  // Rum: default metrics, enum maps, `filter` only when a filter value is truthy ({} when all unmapped)
  ['Rum.summary', [{ site: S }], 'default metrics, no filter'],
  ['Rum.summary', [{ site: S, metrics: ['lcp'], duration: 7, dateBin: 'day', country: 'AU', path: '/', device: 'mobile', pageGrouping: 'g' }]],
  ['Rum.summary', [{ site: S, dateBin: 'WEEK' }], 'unmapped dateBin: filter {}'],
  ['Rum.summary', [{ site: S, device: 'phone', dateBin: 'today' }], 'unmapped device dropped'],
  ['Rum.summary', [{ site: S, metrics: [], duration: 0 }], 'empty metrics kept, falsy filter omitted'],
  ['Rum.summary', [{ site: S, metrics: null, country: '' }], 'null metrics: default'],
  ['Rum.history', [{ site: S, device: 'desktop' }]],
  ['Rum.history', [{ site: S, metrics: ['cls', 'inp'] }]],
  ['Rum.history', [{ site: S, device: 'PHONE' }], 'unmapped device: filter {}'],
  ['Rum.pages', [{ site: S, limit: 10, offset: 0, sortBy: 'lcp', dateBin: 'month' }]],
  ['Rum.pages', [{ site: S }]],
  ['Rum.pages', [{ site: S, limit: undefined, offset: null, path: '/pricing', dateBin: 'year' }]],
  ['Rum.config', [{ site: S }]],
]

const covered = new Set()
for (const [name, args, note] of CASES) {
  covered.add(name)
  test(`${name}(${describe(args)})${note ? ` — ${note}` : ''}`, async () => {
    await assertParity(name, args)
  })
}

test('Test.create default expiresAt: same shape, both ≈ now + 31556952000 ms', async () => {
  covered.add('Test.create')
  const args = [{ url: 'https://x.test', location: 'Sydney', device: 'Desktop' }]
  const t0 = Date.now()
  const a = await capture(c7, 'Test.create', args)
  const b = await capture(ours, 'Test.create', args)
  const t1 = Date.now()
  assert.equal(a.threw || b.threw, false)
  const [ra] = a.requests
  const [rb] = b.requests
  const ea = ra.body.variables.expiresAt
  const eb = rb.body.variables.expiresAt
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
  assert.match(ea, iso)
  assert.match(eb, iso)
  for (const e of [ea, eb]) {
    const t = Date.parse(e)
    assert.ok(t >= t0 + YEAR_MS && t <= t1 + YEAR_MS, `${e} is not within [${t0}, ${t1}] + 1 year`)
  }
  assert.deepEqual(Object.keys(rb.body.variables), Object.keys(ra.body.variables))
  // Everything but the timestamp is the same request.
  const same = (r, e) => ({ ...r, text: r.text.replace(e, 'EXPIRES'), body: { ...r.body, variables: { ...r.body.variables, expiresAt: 'EXPIRES' } } })
  assertSameRequest(same(ra, ea), same(rb, eb), 'Test.create default expiresAt')
  assert.deepStrictEqual(b.result, a.result)
})

test('Test.waitForTest and PullRequestReview.waitForReviewCompletion: first poll after 5 s, same request, same result', async () => {
  covered.add('Test.waitForTest')
  covered.add('PullRequestReview.waitForReviewCompletion')
  const from = server.requests.length
  const t0 = Date.now()
  // The four waits run at once (each sleeps 5 s before its first poll).
  const [ta, tb, pa, pb] = await Promise.all([
    c7.Test.waitForTest('spt-1'),
    ours.Test.waitForTest('spt-1'),
    c7.PullRequestReview.waitForReviewCompletion(S, 'feat'),
    ours.PullRequestReview.waitForReviewCompletion(S, 'feat'),
  ])
  const sent = server.requests.slice(from)
  assert.equal(sent.length, 4)
  for (const op of ['GetSinglePageTest', 'GetPullRequestReviewByBranch']) {
    const pair = sent.filter((r) => cannedKey(r.body) === op)
    assert.equal(pair.length, 2, `${op}: one poll each`)
    for (const r of pair) assert.ok(r.time - t0 >= 4900, `${op}: polled after ${r.time - t0} ms, before the 5 s sleep`)
    // One is calibre@7's, one is ours; identical requests make the order irrelevant.
    assertSameRequest(pair[0], pair[1], op)
  }
  assert.deepStrictEqual(tb, ta)
  assert.deepStrictEqual(pb, pa)
  assert.equal(ta.status, 'completed')
  assert.equal(pa.status, 'completed')
})

test('every calibre@7 function is covered, and calibre-native exports all of them', () => {
  const all = Object.entries(c7).flatMap(([ns, o]) => Object.keys(o).map((f) => `${ns}.${f}`))
  assert.equal(Object.keys(c7).length, 18)
  assert.equal(all.length, 53)
  assert.deepEqual(all.filter((n) => !covered.has(n)), [])
  for (const name of all) assert.equal(typeof fnOf(ours, name), 'function', name)
})

// ─── Errors: the same failing responses on both ────────────────────────────────────────────────

const problem = { message: 'Variable $attributes of type SiteInput! was provided invalid value for name', locations: [{ line: 2, column: 3 }], path: ['createSite'], extensions: { problems: [{ path: ['name'], explanation: 'Expected value to not be null' }] } }
const FAILURES = [
  { label: '200 with GraphQL errors (problems)', reply: { body: { data: null, errors: [problem, { message: 'Second problem' }] } }, graphql: true },
  { label: '200 with GraphQL errors and partial data', reply: { body: { data: { createSite: null }, errors: [{ message: 'Team not found', path: ['createSite'] }] } }, graphql: true },
  { label: '403 with a GraphQL errors body', reply: { status: 403, body: { errors: [{ message: 'You do not have permission to perform this action' }] } }, graphql: true },
  { label: '401 {"error":"Unauthorized"}', reply: { status: 401, body: { error: 'Unauthorized' } } },
  { label: '403 {"error":"Forbidden"}', reply: { status: 403, body: { error: 'Forbidden' } } },
  { label: '500 HTML', reply: { status: 500, contentType: 'text/html; charset=utf-8', body: '<!DOCTYPE html><html><body><h1>We\'re sorry, but something went wrong.</h1></body></html>' } },
  { label: '503 HTML (not retried: retries false)', reply: { status: 503, contentType: 'text/html', body: '<html><body>Service Unavailable</body></html>' } },
]
const noRetries = new ours.Calibre({ retries: false })

for (const { label, reply, graphql } of FAILURES) {
  test(`errors: ${label} — CalibreError exposes what calibre@7 threw`, async () => {
    const saved = server.reply
    server.reply = () => reply
    try {
      const args = [{ name: 'S', location: 'Sydney' }]
      const a = await capture(c7, 'Site.create', args)
      const b = await capture(noRetries, 'Site.create', args)
      assert.ok(a.threw && b.threw, 'both reject')
      assert.equal(a.requests.length, 1)
      assert.equal(b.requests.length, 1, 'sent once')
      assertSameRequest(a.requests[0], b.requests[0], label)
      const e = b.error
      assert.ok(e instanceof ours.CalibreError && e instanceof Error)
      const theirs = a.error
      const humanised = humaniseError(theirs)
      if (graphql) {
        // calibre@7 threw the bare GraphQL `errors` array.
        assert.ok(Array.isArray(theirs))
        assert.equal(e.length, theirs.length)
        assert.deepStrictEqual(e[0], theirs[0])
        assert.deepStrictEqual(Array.from({ length: e.length }, (_, i) => e[i]), theirs)
        assert.deepStrictEqual(e.errors, theirs)
        assert.ok(e.message.includes(humanised), `"${e.message}" should contain calibre's "${humanised}"`)
        assert.equal(e.status, reply.status ?? 200)
      } else {
        // calibre@7 threw graphql-request's ClientError.
        assert.ok(theirs instanceof Error && theirs.response, 'calibre@7 threw a ClientError')
        assert.equal(e.response.status, theirs.response.status)
        assert.equal(e.response.body, theirs.response.body)
        assert.equal(e.status, theirs.response.status)
        assert.equal(e.length, 0)
        assert.equal(e[0], undefined)
        assert.ok(e.message.includes(String(theirs.response.status)), `"${e.message}" should name HTTP ${theirs.response.status}`)
        // calibre@7 keeps the JavaScript values (undefined included); compare what was sent.
        const sent = (r) => JSON.parse(JSON.stringify(r))
        assert.deepStrictEqual(sent(e.request), sent(theirs.request))
      }
      assert.ok(!e.message.includes(TOKEN) && !String(humanised).includes(TOKEN))
    } finally {
      server.reply = saved
    }
  })
}

test('errors: the module-level functions behave the same as a client without retries for a non-retried failure', async () => {
  const saved = server.reply
  server.reply = () => ({ body: { errors: [{ message: 'Not allowed' }] } })
  try {
    const a = await capture(c7, 'Site.get', [{ slug: S }])
    const b = await capture(ours, 'Site.get', [{ slug: S }])
    assert.ok(a.threw && b.threw)
    assert.equal(b.requests.length, 1)
    assertSameRequest(a.requests[0], b.requests[0], 'Site.get')
    assert.deepStrictEqual(b.error.errors, a.error)
    assert.equal(b.error[0].message, 'Not allowed')
    assert.ok(b.error.message.includes(humaniseError(a.error)))
  } finally {
    server.reply = saved
  }
})
