// Parity of the `calibre-native` command with calibre@7.0.0's `calibre` command (a devDependency):
// every command runs on both CLIs with the same arguments, against ONE recording server on
// 127.0.0.1 that answers both from the same canned data. The requests must be the same on the
// wire (query text, operationName, variables with their key order, the body byte for byte),
// `--json` (and `--csv` / `--markdown`) stdout must be the same bytes, and both must exit 0.
//
// Each run gets its own token, so the recorder can tell the runs apart and the cases run a few
// at a time. Where calibre@7 has a plain bug the difference is listed with the case (`differs`)
// and only what stays identical is compared.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import https from 'node:https'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startRecorder } from './helpers/recorder.mjs'
import { CANNED, cannedKey } from './helpers/canned.mjs'
import { makeCerts, certsUnavailable } from './helpers/certs.mjs'
import { childEnv } from './helpers/env.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const OURS = path.join(root, 'bin', 'calibre-native.js')
const OFFICIAL = path.join(root, 'node_modules', 'calibre', 'src', 'cli.js')
const YEAR_MS = 31556952000

// Numbers and strings that JSON.stringify prints in its own way, served as raw JSON text.
const TRICKY_METRICS = `{"data":{"metrics":[
  {"__typename":"Metric","name":"first-contentful-paint","value":"first-contentful-paint","label":"First Contentful Paint","shortLabel":"FCP","budgetThreshold":"LessThan","formatter":"humanDuration","docsPath":"/docs/fcp","goodStop":1800,"poorStop":3000.0,"recommended":true,"category":{"name":"performance","label":"Performance"}},
  {"__typename":"Metric","name":"odd","value":"odd \\"quoted\\" \\\\ \\n\\t\\u0001 \\u2028 ✓ 🚀","label":"Odd","shortLabel":null,"budgetThreshold":"GreaterThan","formatter":"unitless","docsPath":"/docs/odd","goodStop":1e21,"poorStop":-0,"recommended":false,"category":null},
  {"__typename":"Metric","name":"tiny","value":"tiny","label":"Tiny","shortLabel":"T","budgetThreshold":"LessThan","formatter":"number","docsPath":"/x","goodStop":1.5E-7,"poorStop":12345678901234567890123,"recommended":false,"category":{"name":"c","label":"C"}},
  {"__typename":"Metric","name":"floats","value":"floats","label":"F","shortLabel":"F","budgetThreshold":"LessThan","formatter":"number","docsPath":"/y","goodStop":0.1,"poorStop":5e-324,"recommended":false,"category":{"name":"c","label":"C"}}
]}}`

// A report with the Markdown Calibre's reports use, for the terminal rendering.
const RICH_REPORT = [
  '# Single Page Test: https://acme.example/', '', '- Status: completed', '- Location: 🇮🇪 Ireland', '',
  '| Metric | Value |', '| --- | ---: |', '| Largest Contentful Paint | 2.10 s |', '| Cumulative Layout Shift | `0.05` **good** |', '',
  '## Budgets', '', 'Preview: https://pr-1.example.com · Branch: `feat` · [Report](https://calibreapp.com/t/1) :white_check_mark:',
  'A second *line*.', '', '1. first', '2. second', '',
].join('\n')

/** The CLI-only documents (metric and team lists) plus the API suite's canned data. */
function reply(entry, artifactBase) {
  const query = entry.body?.query ?? ''
  if (/^\s*query\s*\{\s*metrics\b/.test(query)) return { body: TRICKY_METRICS }
  if (/\bcruxMetrics\b/.test(query)) return { body: { data: { cruxMetrics: [{ __typename: 'Metric', name: 'cruxLargestContentfulPaint', value: 'cruxLargestContentfulPaint', label: 'Largest Contentful Paint', shortLabel: 'LCP', budgetThreshold: 'LessThan', formatter: 'humanDuration', docsPath: '/docs/lcp', goodStop: 2500, poorStop: 4000, recommended: true, category: { name: 'performance', label: 'Performance' } }] } } }
  if (/\brumMetrics\b/.test(query)) return { body: { data: { rumMetrics: [{ __typename: 'Metric', name: 'lcp', value: 'lcp', label: 'Largest Contentful Paint', shortLabel: 'LCP', budgetThreshold: 'LessThan', formatter: 'humanDuration', docsPath: '/docs/rum/lcp', goodStop: 2500, poorStop: 4000, recommended: true }] } } }
  if (/\bteams\b/.test(query)) return { body: { data: { organisation: { teams: [{ name: 'Marketing', description: null, slug: 'marketing' }, { name: 'Engineering', description: 'Builds things', slug: 'engineering' }] } } } }
  const key = cannedKey(entry.body)
  if (entry.body?.variables?.uuid === 'spt-md') return { body: { data: { organisation: { singlePageTest: { uuid: 'spt-md', status: 'completed', markdownReport: RICH_REPORT } } } } }
  if (artifactBase && key === 'GetSinglePageTestArtifacts') {
    return { body: { data: { organisation: { singlePageTest: { uuid: 'spt-1', har: `${artifactBase}/t/har`, lighthouse: `${artifactBase}/t/lh.json`, image: `${artifactBase}/t/img`, video: `${artifactBase}/t/video` } } } } }
  }
  if (artifactBase && key === 'GetSnapshotArtifacts') {
    const test = (page, profile, files) => ({ status: 'completed', har: null, lighthouse: null, image: null, video: null, ...files, page, testProfile: profile })
    return { body: { data: { organisation: { site: { snapshot: { iid: 12, tests: [
      test({ uuid: 'pg-1', name: 'Home' }, { uuid: 'tp-1', name: 'Chrome Desktop' }, { har: `${artifactBase}/s/1/har`, lighthouse: `${artifactBase}/s/1/lh`, image: `${artifactBase}/s/1/img`, video: `${artifactBase}/s/1/video` }),
      test({ uuid: 'pg-1', name: 'Home' }, { uuid: 'tp-2', name: 'Phone / 3G' }, { har: `${artifactBase}/s/2/har` }),
    ] } } } } } }
  }
  if (key && Object.hasOwn(CANNED, key)) return { body: { data: CANNED[key] } }
  return { body: { data: null, errors: [{ message: `no canned data for ${key}` }] } }
}

let server
let scratch
let artifactServer
let certs
let runs = 0

before(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-cli-parity-'))
  server = await startRecorder((entry) => reply(entry, artifactServer?.url))
})
after(async () => {
  await server.close()
  if (artifactServer) await new Promise((resolve) => artifactServer.server.close(resolve))
  certs?.remove()
  fs.rmSync(scratch, { recursive: true, force: true })
})

/** Runs one CLI with its own token; resolves to what it printed, its exit code and its requests. */
function run(script, args, { cwd = scratch, env = {}, who, raw = false }) {
  const token = `parity-${who}-${++runs}`
  const home = fs.mkdtempSync(path.join(scratch, 'home-'))
  return new Promise((resolve, reject) => {
    const child = spawn(raw ? script : process.execPath, raw ? args : [script, ...args], {
      cwd,
      env: {
        ...childEnv(home), XDG_CONFIG_HOME: path.join(home, 'xdg'),
        CALIBRE_API_TOKEN: token, CALIBRE_HOST: server.url, TZ: 'Australia/Sydney',
        // Only the length of calibre@7's fixed 5 s sleep; what is sent does not change.
        CALIBRE_POLL_INTERVAL_MS: '20', ...env,
      },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    child.stdin.end()
    const timer = setTimeout(() => { child.kill(); reject(new Error(`timed out: ${who} ${args.join(' ')}`)) }, 60000)
    child.on('close', (code) => {
      clearTimeout(timer)
      const requests = server.requests.filter((r) => r.headers.authorization === `Token ${token}`)
      resolve({ code, stdout, stderr, requests })
    })
  })
}

/** calibre@7's `request` sends its whole argv as variables: `_`, `$0` and yargs' camelCase copies. */
function withoutYargsNoise(variables, args) {
  const out = { ...variables }
  delete out._
  delete out.$0
  for (const arg of args) {
    const name = /^--([^=]+)/.exec(arg)?.[1]
    if (name?.includes('-')) delete out[name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())]
  }
  return out
}

/**
 * The default `expiresAt` is "now + 1 year" in each process: the same to the minute, and a year
 * after the request arrived (`sent`: the recorder's time of it; the checks run after every command).
 */
function sameExpiry(a, b, sent, label) {
  const [ta, tb] = [Date.parse(a.variables.expiresAt), Date.parse(b.variables.expiresAt)]
  assert.ok(Math.abs(ta - tb) < 60000 && Math.abs(ta - sent - YEAR_MS) < 120000, `${label}: default expiresAt ${a.variables.expiresAt} vs ${b.variables.expiresAt}`)
  assert.match(b.variables.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  b.variables.expiresAt = a.variables.expiresAt
}

function assertSameRequests(a, b, label, { request = false, args = [], expiry = false } = {}) {
  assert.equal(b.length, a.length, `${label}: calibre@7 sent ${a.length} request(s), calibre-native ${b.length}`)
  a.forEach((ra, i) => {
    const rb = b[i]
    const l = `${label} request ${i + 1}`
    assert.equal(rb.method, ra.method, `${l}: method`)
    assert.equal(rb.path, ra.path, `${l}: path`)
    for (const h of ['content-type', 'accept']) assert.equal(rb.headers[h], ra.headers[h], `${l}: ${h}`)
    const [ba, bb] = [structuredClone(ra.body), structuredClone(rb.body)]
    assert.equal(bb.query, ba.query, `${l}: query text`)
    assert.equal(bb.operationName, ba.operationName, `${l}: operationName`)
    if (request) ba.variables = withoutYargsNoise(ba.variables, args)
    if (expiry && ba.variables?.expiresAt !== bb.variables?.expiresAt) sameExpiry(ba, bb, rb.time, l)
    assert.deepStrictEqual(bb.variables, ba.variables, `${l}: variables`)
    assert.equal(JSON.stringify(bb.variables), JSON.stringify(ba.variables), `${l}: variables key order`)
    if (!request && !expiry) assert.equal(rb.text, ra.text, `${l}: body byte for byte`)
  })
}

/**
 * [args, options]: `differs` names calibre@7's bug and what is left uncompared; `expiry` for
 * `test create`'s clock-dependent default; `request` for the named-variable noise.
 */
const CASES = [
  // site
  [['site', 'create', 'My Site', '--url', 'https://example.com', '--location', 'Sydney', '--json']],
  [['site', 'create', 'My Site', '--url=https://example.com/', '--location', 'Ireland', '--team', 'marketing', '--schedule', 'daily', '--interval', '3', '--json']],
  [['site', 'list', '--json']],
  [['site', 'delete', 'my-site', '--json']],
  // synthetic: pages
  [['synthetic', 'pages', '--site', 'my-site', '--json']],
  [['synthetic', 'pages', '--site=my-site', '--count', '10', '--cursor', 'Y3Vyc29yOjI=', '--json']],
  [['synthetic', 'create-page', 'Pricing', '--site', 'my-site', '--url', 'https://example.com/pricing', '--json']],
  [['synthetic', 'update-page', '--site', 'my-site', '--uuid', 'pg-1', '--name', 'Home page', '--url', 'https://example.com/home', '--json']],
  [['synthetic', 'update-page', '--site', 'my-site', '--uuid', 'pg-1', '--json']],
  [['synthetic', 'delete-page', '--site', 'my-site', '--uuid', 'pg-1', '--json']],
  // synthetic: snapshots
  [['synthetic', 'snapshots', '--site', 'my-site', '--json']],
  [['synthetic', 'snapshots', '--site', 'my-site', '--count', '2', '--json']],
  [['synthetic', 'create-snapshot', '--site', 'my-site', '--ref', 'v1.0', '--json']],
  [['synthetic', 'create-snapshot', '--site', 'my-site', '--ref', '123', '--json']],
  [['synthetic', 'create-snapshot', '--site', 'my-site', '--json']],
  [['synthetic', 'delete-snapshot', '--site', 'my-site', '--id', '5', '--json']],
  [['synthetic', 'delete-snapshot', '--site', 'my-site', '--id', 'abc', '--json']],
  [['synthetic', 'download-artifacts', '--site', 'my-site', '--id', '12', '--json']],
  [['synthetic', 'get-snapshot-metrics', '--site', 'my-site', '--snapshot', '3', '--json']],
  [['synthetic', 'get-snapshot-metrics', '--site', 'my-site', '--snapshot', '3', '--csv']],
  // synthetic: time series
  [['synthetic', 'metrics', '--site', 'my-site', '--json']],
  [['synthetic', 'metrics', '--site', 'my-site', '--csv']],
  [['synthetic', 'metrics', '--site', 'my-site', '--pages', 'pg-1', 'pg-2', '--profiles', 'tp-1', '--profiles', 'tp-2', '--metrics', 'largest-contentful-paint', '--from', '2024-01-01', '--to', '2024-01-31T12:00:00Z', '--json']],
  [['synthetic', 'metrics', '--site', 'my-site', '--from', '2024-02-30', '--json']],
  // synthetic: test profiles
  [['synthetic', 'test-profiles', '--site', 'my-site', '--json']],
  [['synthetic', 'create-test-profile', 'Phone', '--site', 'my-site', '--json']],
  [['synthetic', 'create-test-profile', 'Slow phone', '--site', 'my-site', '--device', 'MotorolaMotoGPower', '--connection', 'regular3G', '--no-javascript', '--cookie-jar', '@jar', '--json']],
  [['synthetic', 'update-test-profile', '--site', 'my-site', '--uuid', 'tp-1', '--json']],
  [['synthetic', 'update-test-profile', '--site', 'my-site', '--uuid', 'tp-1', '--device', 'iPhone12', '--javascript', 'false', '--cookie-jar', '@jar', '--json']],
  [['synthetic', 'delete-test-profile', '--site', 'my-site', '--uuid', 'tp-1', '--json']],
  // synthetic: pull request reviews
  [['synthetic', 'pull-request-reviews', '--site', 'my-site', '--json']],
  [['synthetic', 'create-pull-request-review', '--site', 'my-site', '--title', 'Add hero image', '--url', 'https://pr-1.example.com', '--branch', 'feat', '--sha', 'abc123', '--waitForResult', '--json']],
  [['synthetic', 'create-pull-request-review', '--site', 'my-site', '--title', 'T', '--url', 'https://pr-1.example.com', '--branch', 'feat', '--sha', 'abc123', '--configPath', '@config', '--waitForResult', '--markdown']],
  [['synthetic', 'create-pull-request-review', '--site', 'my-site', '--title', 'T', '--url', 'https://pr-1.example.com', '--branch', 'feat', '--sha', 'abc123', '--json'],
    { differs: 'calibre@7 crashes after the request without --waitForResult (spinner undefined) and prints nothing; calibre-native prints the queued review' }],
  [['synthetic', 'pull-request-review', 'feat', '--site', 'my-site', '--json']],
  [['synthetic', 'pull-request-review', 'feat', '--site', 'my-site', '--markdown']],
  // synthetic: catalogues
  [['synthetic', 'connections', '--json']],
  [['synthetic', 'devices', '--json']],
  [['synthetic', 'locations', '--json']],
  [['metric-list', '--json']],
  [['metric-list', '--type', 'crux', '--json']],
  [['metric-list', '--type=rum', '--json']],
  // deploy
  [['deploy', 'list', '--site', 'my-site', '--json']],
  [['deploy', 'list', '--site', 'my-site', '--count', '5', '--cursor', 'abc', '--json']],
  [['deploy', 'create', '--site', 'my-site', '--revision', 'abc123', '--repository', 'https://github.com/acme/site', '--username', 'me', '--json']],
  [['deploy', 'create', '--site', 'my-site', '--json']],
  [['deploy', 'delete', '--site', 'my-site', '--uuid', 'dp-1', '--json']],
  // crux
  [['crux', 'summary', '--site', 'my-site', '--json']],
  [['crux', 'summary', '--site', 'my-site', '--formFactor', 'phone', '--json']],
  [['crux', 'history', '--site', 'my-site', '--json']],
  [['crux', 'history', '--site', 'my-site', '--formFactor', 'desktop', '--timePeriod', 'twelve-months', '--limit', '3', '--json']],
  [['crux', 'urls', '--site', 'my-site', '--formFactor', 'tablet', '--json']],
  [['crux', 'url', 'cu-1', '--site', 'my-site', '--json']],
  [['crux', 'url', 'cu-1', '--site', 'my-site', '--formFactor', 'phone', '--timePeriod', 'three-months', '--json']],
  // rum
  [['rum', 'summary', '--site', 'my-site', '--json']],
  [['rum', 'summary', '--site', 'my-site', '--duration', '30', '--dateBin', 'month', '--country', 'AU', '--device', 'mobile', '--path', '/pricing', '--pageGrouping', 'pg-group-1', '--json']],
  [['rum', 'history', '--site', 'my-site', '--dateBin', 'today', '--limit', '3', '--json']],
  [['rum', 'pages', '--site', 'my-site', '--json']],
  [['rum', 'pages', '--site', 'my-site', '--limit', '10', '--offset', '20', '--sortBy', 'lcp', '--device', 'desktop', '--json']],
  [['rum', 'config', '--site', 'my-site', '--json']],
  // test
  [['test', 'create', 'https://example.com', '--location', 'Sydney', '--json'], { expiry: true }],
  [['test', 'create', 'https://example.com/a?b=c', '--location', 'Ireland', '--device', 'MotorolaMotoGPower', '--connection', 'regular3G', '--private', '--webhookUrl', 'https://hook.example.com', '--webhookSecret', 's3cret', '--expiresAt', '2030-01-01T00:00:00Z', '--headers', '[{"X-A":"1"},{"X-B":"2","ignored":"3"}]', '--blockedHosts', 'ads.example.com, *.tracker.test', '--cookie-jar', '@jar', '--markdown'], { expiry: true }],
  [['test', 'create', 'https://example.com', '--location', 'Sydney', '--headers', '{"Authorization":"Basic x"}', '--blockedHosts', '["a.test","b.test"]', '--json'], { expiry: true }],
  [['test', 'create', 'https://example.com', '--location', 'Sydney', '--headers', '@headers', '--blockedHosts', '@hosts', '--json'], { expiry: true }],
  [['test', 'download-artifacts', 'spt-1', '--json']],
  [['test', 'list', '--json']],
  [['test', 'show', 'spt-1', '--json']],
  [['test', 'show', 'spt-1', '--markdown']],
  // team
  [['team', 'list', '--json']],
  // request
  [['request', '--query', 'query Q($slug: String, $count: Int) { a }', '--slug', 'my-site', '--count', '5', '--flag'], { request: true }],
  [['request', '--query={ a }', '--dashed-name=x'], { request: true }],
  // deprecated names (a notice on stderr, the same output)
  [['connection-list', '--json']],
  [['device-list', '--json']],
  [['location-list', '--json']],
  [['site', 'pages', '--site', 'my-site', '--json']],
  [['site', 'snapshots', '--site', 'my-site', '--json']],
  [['site', 'create-snapshot', '--site', 'my-site', '--ref', 'v2', '--json']],
  [['site', 'get-snapshot-metrics', '--site', 'my-site', '--snapshot', '3', '--csv']],
  [['site', 'metrics', '--site', 'my-site', '--json']],
  [['site', 'test-profiles', '--site', 'my-site', '--json']],
  [['site', 'pull-request-reviews', '--site', 'my-site', '--json']],
  [['site', 'pull-request-review', 'feat', '--site', 'my-site', '--json']],
  [['site', 'deploys', '--site', 'my-site', '--json']],
  [['site', 'create-deploy', '--site', 'my-site', '--revision', 'r1', '--json']],
  [['site', 'delete-deploy', '--site', 'my-site', '--uuid', 'dp-1', '--json']],
  [['site', 'create-page', 'P', '--site', 'my-site', '--url', 'https://example.com/p', '--json']],
  [['site', 'update-page', '--site', 'my-site', '--uuid', 'pg-1', '--name', 'N', '--json']],
  [['site', 'delete-page', '--site', 'my-site', '--uuid', 'pg-1', '--json']],
  [['site', 'delete-snapshot', '--site', 'my-site', '--id', '3', '--json']],
  [['site', 'download-snapshot-artifacts', '--site', 'my-site', '--id', '12', '--json']],
  [['site', 'create-test-profile', 'X', '--site', 'my-site', '--json']],
  [['site', 'update-test-profile', '--site', 'my-site', '--uuid', 'tp-1', '--json']],
  [['site', 'delete-test-profile', '--site', 'my-site', '--uuid', 'tp-1', '--json']],
  [['site', 'create-pull-request-review', '--site', 'my-site', '--title', 'T', '--url', 'https://pr.example.com', '--branch', 'feat', '--sha', 's', '--waitForResult', '--json']],
]

/** Files that cases name as `@jar`, `@config`, ... */
function inputFiles() {
  const files = {
    jar: '# Netscape HTTP Cookie File\n.example.com\tTRUE\t/\tTRUE\t0\tsession\tabc\n#HttpOnly_example.com\tFALSE\t/app\tFALSE\t1900000000\tid\tx=1\n',
    config: 'pages:\n  - name: Home\n    path: /\n',
    headers: JSON.stringify({ 'X-From-File': 'yes' }),
    hosts: JSON.stringify(['file.example.com']),
  }
  return Object.fromEntries(Object.entries(files).map(([name, text]) => {
    const file = path.join(scratch, `${name}.input`)
    fs.writeFileSync(file, text)
    return [`@${name}`, file]
  }))
}

/** Runs the cases a few at a time; each is one `node:test` subtest. */
test('every command: same requests and the same --json / --csv / --markdown output as calibre@7', async (t) => {
  const files = inputFiles()
  const queue = CASES.map(([args, options = {}]) => [args.map((a) => files[a] ?? a), options])
  const results = new Map()
  const worker = async () => {
    while (queue.length) {
      const [args, options] = queue.shift()
      const [a, b] = await Promise.all([run(OFFICIAL, args, { who: 'c7' }), run(OURS, args, { who: 'ours' })])
      results.set(args.join(' '), { args, options, a, b })
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker))
  for (const { args, options, a, b } of results.values()) {
    const label = args.join(' ').replace(scratch, '<tmp>')
    await t.test(label, () => {
      assert.equal(a.code, 0, `calibre@7 exit code (stderr: ${a.stderr})`)
      assert.equal(b.code, 0, `calibre-native exit code (stderr: ${b.stderr})`)
      assertSameRequests(a.requests, b.requests, label, { ...options, args })
      if (!options.differs) assert.equal(b.stdout, a.stdout, `${label}: stdout byte for byte`)
      else assert.ok(b.stdout.length > 0, `${label}: calibre-native prints the result (${options.differs})`)
      if (args[0] === 'site' && !['create', 'list', 'delete'].includes(args[1])) {
        assert.match(b.stderr, /\[calibre:deprecated\] "site /, 'the deprecation notice')
      }
    })
  }
})

test('request prints data like calibre@7, without its yargs noise in the variables', async () => {
  const args = ['request', '--query', 'query Q($slug: String) { a }', '--slug', 'x', '--some-thing', '7']
  const [a, b] = await Promise.all([run(OFFICIAL, args, { who: 'c7' }), run(OURS, args, { who: 'ours' })])
  const sent = a.requests[0].body.variables
  assert.deepEqual([sent._, sent.slug, sent['some-thing'], sent.someThing, typeof sent.$0], [['request'], 'x', 7, 7, 'string'])
  assert.deepEqual(b.requests[0].body.variables, { slug: 'x', 'some-thing': 7 })
  assert.equal(b.stdout, a.stdout)
  assert.equal(b.stderr, a.stderr, 'its spinner line on stderr')
})

test('download-artifacts writes the same files to the same places as calibre@7', { skip: certsUnavailable() }, async () => {
  certs = makeCerts()
  const bodies = new Map()
  const server = https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    const body = `artifact ${req.url}\n`
    bodies.set(req.url, body)
    res.end(body)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  artifactServer = { server, url: `https://127.0.0.1:${server.address().port}` }
  const env = { NODE_EXTRA_CA_CERTS: certs.caPath }
  const dirs = { c7: fs.mkdtempSync(path.join(scratch, 'dl-c7-')), ours: fs.mkdtempSync(path.join(scratch, 'dl-ours-')) }
  // calibre@7 writes into the first directory `mkdirSync` created (its return value), which is
  // only the right one when the parent directories exist: give it those.
  fs.mkdirSync(path.join(dirs.c7, 'test-artifacts'))
  fs.mkdirSync(path.join(dirs.c7, 'snapshot-artifacts', 'my-site', '12', 'Home-pg-1'), { recursive: true })
  for (const args of [['test', 'download-artifacts', 'spt-1'], ['synthetic', 'download-artifacts', '--site', 'my-site', '--id', '12']]) {
    const a = await run(OFFICIAL, args, { who: 'c7', cwd: dirs.c7, env })
    const b = await run(OURS, args, { who: 'ours', cwd: dirs.ours, env })
    assert.equal(a.code, 0, a.stderr)
    assert.equal(b.code, 0, b.stderr)
    assertSameRequests(a.requests, b.requests, args.join(' '))
  }
  const tree = (dir) => fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort()
  assert.deepEqual(tree(dirs.ours), tree(dirs.c7))
  if (process.platform === 'win32') {
    // There the `/` left in "Phone / 3G" makes a folder "Phone " (its trailing space kept, as
    // Node's fs writes it) holding " 3G-tp-2", and Node 20's recursive readdir does not descend
    // into it. calibre@7 writes that test's file into the first folder its mkdirSync created
    // ("Phone "), the bug the parent folders made above avoid for the others; we write it where
    // the path says.
    const ours = path.join(dirs.ours, 'snapshot-artifacts/my-site/12/Home-pg-1/Phone / 3G-tp-2/requests.har')
    const theirs = path.join(dirs.c7, 'snapshot-artifacts/my-site/12/Home-pg-1/Phone /requests.har')
    assert.equal(fs.readFileSync(ours, 'utf8'), fs.readFileSync(theirs, 'utf8'))
  } else {
    assert.deepEqual(tree(dirs.ours), [
      'snapshot-artifacts/my-site/12/Home-pg-1/Chrome Desktop-tp-1/image.jpg',
      'snapshot-artifacts/my-site/12/Home-pg-1/Chrome Desktop-tp-1/lighthouse.json',
      'snapshot-artifacts/my-site/12/Home-pg-1/Chrome Desktop-tp-1/render.mp4',
      'snapshot-artifacts/my-site/12/Home-pg-1/Chrome Desktop-tp-1/requests.har',
      'snapshot-artifacts/my-site/12/Home-pg-1/Phone  3G-tp-2/requests.har',
      'snapshot-artifacts/my-site/12/manifest.json',
      'test-artifacts/spt-1/image.jpg',
      'test-artifacts/spt-1/lighthouse.json',
      'test-artifacts/spt-1/render.mp4',
      'test-artifacts/spt-1/requests.har',
    ])
  }
  // The working folder, as it is and as JSON writes it (backslashes doubled on Windows).
  const cwd = (text, dir) => text.replaceAll(dir, '<cwd>').replaceAll(JSON.stringify(dir).slice(1, -1), '<cwd>')
  // calibre@7's manifest names where it wrote the "Phone / 3G" file on Windows (see above).
  const json = (p) => JSON.stringify(p).slice(1, -1)
  const c7Manifest = (text) => process.platform === 'win32'
    ? text.replace(json('Home-pg-1\\Phone \\requests.har'), json('Home-pg-1\\Phone \\ 3G-tp-2\\requests.har'))
    : text
  for (const file of tree(dirs.ours)) {
    const [a, b] = [fs.readFileSync(path.join(dirs.c7, file), 'utf8'), fs.readFileSync(path.join(dirs.ours, file), 'utf8')]
    if (file.endsWith('manifest.json')) assert.equal(cwd(b, dirs.ours), c7Manifest(cwd(a, dirs.c7)), file)
    else assert.equal(b, a, file)
  }
})

/**
 * Human output (no --json): [args, differs]. `differs` says where calibre@7 is wrong and we are
 * right (COMPATIBILITY.md lists each); those cases compare everything but the named lines.
 */
const HUMAN = [
  [['site', 'create', 'My Site', '--url', 'https://example.com', '--location', 'Sydney']],
  [['site', 'list']],
  [['synthetic', 'pages', '--site', 'my-site'], { line: /^To see pages after /, why: 'calibre@7 hard-codes --site=calibre and the deprecated "site pages"' }],
  [['synthetic', 'create-page', 'Pricing', '--site', 'my-site', '--url', 'https://example.com/pricing']],
  [['synthetic', 'update-page', '--site', 'my-site', '--uuid', 'pg-1', '--name', 'Home page']],
  [['synthetic', 'delete-page', '--site', 'my-site', '--uuid', 'pg-1']],
  [['synthetic', 'snapshots', '--site', 'my-site'], { line: /^To see snapshots after /, why: 'calibre@7 hard-codes --site=calibre and the deprecated "site snapshots"' }],
  [['synthetic', 'create-snapshot', '--site', 'my-site', '--ref', 'v1.0']],
  [['synthetic', 'delete-snapshot', '--site', 'my-site', '--id', '5']],
  [['synthetic', 'get-snapshot-metrics', '--site', 'my-site', '--snapshot', '3']],
  [['synthetic', 'metrics', '--site', 'my-site']],
  [['synthetic', 'test-profiles', '--site', 'my-site']],
  [['synthetic', 'create-test-profile', 'Slow phone', '--site', 'my-site', '--device', 'MotorolaMotoGPower', '--cookie-jar', '@jar']],
  [['synthetic', 'update-test-profile', '--site', 'my-site', '--uuid', 'tp-1']],
  [['synthetic', 'delete-test-profile', '--site', 'my-site', '--uuid', 'tp-1']],
  [['synthetic', 'pull-request-reviews', '--site', 'my-site']],
  [['synthetic', 'pull-request-review', 'feat', '--site', 'my-site']],
  [['synthetic', 'create-pull-request-review', '--site', 'my-site', '--title', 'T', '--url', 'https://pr-1.example.com', '--branch', 'feat', '--sha', 'abc123'], { crash: 'calibre@7 crashes in marked() on the queued review\'s null report (exit 1); we print nothing for it' }],
  [['synthetic', 'connections']],
  [['synthetic', 'devices']],
  [['synthetic', 'locations']],
  [['metric-list'], { line: /^(?!\d+ metrics|IDENTIFIER)/, why: 'calibre@7 swaps the GOOD/POOR signs' }],
  [['metric-list', '--type', 'rum'], { line: /^(?!\d+ metrics|IDENTIFIER)/, why: 'calibre@7 swaps the GOOD/POOR signs' }],
  [['deploy', 'list', '--site', 'my-site']],
  [['deploy', 'create', '--site', 'my-site', '--revision', 'abc123']],
  [['deploy', 'delete', '--site', 'my-site', '--uuid', 'dp-1']],
  [['crux', 'summary', '--site', 'my-site']],
  [['crux', 'history', '--site', 'my-site']],
  [['crux', 'urls', '--site', 'my-site']],
  [['crux', 'url', 'cu-1', '--site', 'my-site']],
  [['rum', 'summary', '--site', 'my-site']],
  [['rum', 'history', '--site', 'my-site']],
  [['rum', 'pages', '--site', 'my-site', '--limit', '1']],
  [['rum', 'config', '--site', 'my-site']],
  [['test', 'create', 'https://example.com', '--location', 'Sydney']],
  [['test', 'list']],
  [['test', 'show', 'spt-1']],
  [['test', 'show', 'spt-md']],
  [['team', 'list'], { line: /^\d+ (sites|teams)$/, why: 'calibre@7 counts teams as "sites"' }],
  [['site', 'deploys', '--site', 'my-site']],
]

/** The lines of `text` except those `differs.line` names. */
const kept = (text, differs) => differs?.line ? text.split('\n').filter((l) => !differs.line.test(l)).join('\n') : text

for (const [label, env] of [['TZ=Australia/Sydney', {}], ['TZ=America/New_York', { TZ: 'America/New_York' }]]) {
  test(`every command's human output is calibre@7's, byte for byte on stdout and stderr (${label})`, async (t) => {
    const files = inputFiles()
    const queue = HUMAN.map(([args, differs]) => [args.map((a) => files[a] ?? a), differs])
    const results = []
    const worker = async () => {
      while (queue.length) {
        const [args, differs] = queue.shift()
        const [a, b] = await Promise.all([run(OFFICIAL, args, { who: 'c7', env }), run(OURS, args, { who: 'ours', env })])
        results.push({ args, differs, a, b })
      }
    }
    await Promise.all(Array.from({ length: 4 }, worker))
    for (const { args, differs, a, b } of results) {
      const name = args.join(' ').replace(scratch, '<tmp>')
      await t.test(name, () => {
        assert.equal(kept(b.stdout, differs), kept(a.stdout, differs), `${name}: stdout${differs?.why ? ` (${differs.why})` : ''}`)
        if (differs?.crash) {
          assert.equal(b.code, 0, `${name}: ours succeeds (${differs.crash}); stderr: ${b.stderr}`)
          return
        }
        assert.equal(b.code, a.code, `exit code (calibre@7 stderr: ${a.stderr}; ours: ${b.stderr})`)
        assert.equal(b.stderr, a.stderr, `${name}: stderr`)
      })
    }
  })
}

/** `script(1)` gives the command a terminal for stdout (stderr is left out: the spinner animates). */
const SCRIPT = process.platform === 'win32' ? null : ['/usr/bin/script', '/bin/script'].find((p) => fs.existsSync(p))

test('on a terminal: the same colours and columns as calibre@7', { skip: SCRIPT ? false : 'needs script(1) for a pseudo-terminal' }, async (t) => {
  const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`
  const cases = [['test', 'show', 'spt-md'], ['site', 'list'], ['deploy', 'list', '--site', 'my-site'], ['crux', 'summary', '--site', 'my-site'], ['synthetic', 'pull-request-reviews', '--site', 'my-site'], ['rum', 'history', '--site', 'my-site'], ['synthetic', 'get-snapshot-metrics', '--site', 'my-site', '--snapshot', '3']]
  for (const args of cases) {
    const inPty = (script) => ['-qec', `stty cols 100; ${quote(process.execPath)} ${quote(script)} ${args.map(quote).join(' ')} 2>/dev/null`, '/dev/null']
    const env = { TERM: 'xterm-256color' }
    const [a, b] = await Promise.all([run(SCRIPT, inPty(OFFICIAL), { who: 'c7', env, raw: true }), run(SCRIPT, inPty(OURS), { who: 'ours', env, raw: true })])
    await t.test(args.join(' '), () => {
      assert.equal(b.stdout, a.stdout)
      if (args[0] === 'site' && process.env.CI === undefined) assert.ok(b.stdout.includes('\x1b[90m'), 'colours on a terminal')
    })
  }
})

test('validation errors say what calibre@7 (yargs) says, then the command\'s help; the exit code stays 2', async (t) => {
  const cases = [
    ['request'], ['synthetic', 'pages'], ['synthetic', 'pages', '--site'], ['team'], ['site', 'create'],
    ['site', 'create', 'My Site'], ['synthetic', 'delete-snapshot', '--site', 'x'], ['site', 'delete-deploy', '--site', 'x'],
    ['test', 'create', 'https://example.com'], ['crux', 'summary', '--site'],
  ]
  const message = (stderr) => stderr.split('\n\n')[1]
  for (const args of cases) {
    const [a, b] = await Promise.all([run(OFFICIAL, args, { who: 'c7' }), run(OURS, args, { who: 'ours' })])
    await t.test(args.join(' '), () => {
      assert.equal(a.code, 1, a.stderr)
      assert.equal(b.code, 2, `our usage errors exit 2 (${b.stderr})`)
      assert.equal(message(b.stderr), message(a.stderr))
      assert.equal(b.stderr.split('\n\n')[0], a.stderr.split('\n\n')[0], 'what comes before (a deprecation notice)')
      assert.match(b.stderr.split('\n\n').slice(2).join('\n\n'), /Usage: calibre-native /, 'then the command\'s help')
      assert.equal(b.requests.length, 0)
    })
  }
})
