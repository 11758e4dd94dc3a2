// Seeing every request: the debug log (CALIBRE_DEBUG, NODE_DEBUG) from the API and the CLI,
// diagnostics_channel events per HTTP attempt, and artifact downloads through the one HTTP
// path (retries, timeouts, progress on a terminal).
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import diagnostics from 'node:diagnostics_channel'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { GraphQL, Calibre } from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { isolatedEnv, childEnv } from './helpers/env.mjs'
import { runChild, noTerminal, onTerminalArgs } from './helpers/child.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = path.join(root, 'bin', 'calibre-native.js')
const entry = pathToFileURL(path.join(root, 'index.mjs')).href
const TOKEN = 'observability-secret-token-0123456789'
let server
let env

before(async () => { server = await startRecorder() })
after(async () => { await server.close() })
beforeEach(() => {
  env = isolatedEnv({ CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: TOKEN })
  server.reply = () => ({ body: { data: { ok: true } } })
})
afterEach(() => env.restore())

/** Runs `args` with node (or `program`), asynchronously: the servers answer from this process. */
function run(args, { extraEnv = {}, program = process.execPath } = {}) {
  const vars = { XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: TOKEN, ...extraEnv }
  return runChild(program, args, { cwd: env.dir, env: { ...childEnv(env.dir), ...vars } })
}

/** A script calling the API in a child process (the debug log goes to its stderr). */
const script = (body) => ['--input-type=module', '-e', `import * as calibre from ${JSON.stringify(entry)}\n${body}`]
const debugLines = (stderr) => stderr.split('\n').filter((l) => l.startsWith('calibre-native '))

test('CALIBRE_DEBUG=1: a line per attempt and the token source, never the token', async () => {
  server.reply = (e) => ({ body: { data: { echoed: e.headers.authorization } } })
  const { code, stderr } = await run(script("await calibre.GraphQL.request({ query: 'query ListSites { organisation { sites { slug } } }' })"), { extraEnv: { CALIBRE_DEBUG: '1' } })
  assert.equal(code, 0, stderr)
  const lines = debugLines(stderr)
  assert.match(lines[0], /^calibre-native \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z token from the CALIBRE_API_TOKEN environment variable \(env\)$/)
  const url = `${server.url}/graphql`
  assert.match(lines[1], new RegExp(`^calibre-native \\S+ POST ${url} ListSites attempt 1 -> 200, \\d+ bytes, \\d+\\.\\d ms$`))
  assert.equal(lines.length, 2, stderr)
  assert.ok(!stderr.includes(TOKEN), 'the token is never printed')
})

test('a retried call shows both attempts and the wait; a compressed answer shows its decoded size', async () => {
  let calls = 0
  const text = JSON.stringify({ data: { list: Array.from({ length: 500 }, (_, i) => ({ i })) } })
  server.reply = () => (++calls === 1
    ? { status: 503, body: { error: 'busy' } }
    : { body: zlib.gzipSync(text), headers: { 'content-encoding': 'gzip' } })
  const { code, stderr } = await run(script("await new calibre.Calibre({ retries: { max: 2, baseMs: 20, capMs: 50 } }).GraphQL.request({ query: 'query Busy { list }' })"), { extraEnv: { CALIBRE_DEBUG: '1' } })
  assert.equal(code, 0, stderr)
  const lines = debugLines(stderr).map((l) => l.replace(/^calibre-native \S+ /, ''))
  assert.match(lines[1], /Busy attempt 1 -> 503, \d+ bytes, [\d.]+ ms$/)
  assert.match(lines[2], /^retry: Busy attempt 2 in \d+ ms \(HTTP 503\)$/)
  assert.match(lines[3], new RegExp(`Busy attempt 2 -> 200, ${Buffer.byteLength(text)} bytes, [\\d.]+ ms$`))
})

test('throttle waits and rate-limit pauses are logged', async () => {
  server.reply = () => ({ body: { data: { ok: true } }, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '0.2' } })
  const { code, stderr } = await run(script(`
    const client = new calibre.Calibre({ throttle: { limit: 1, intervalMs: 100 }, retries: false })
    await client.GraphQL.request({ query: '{ a }' })
    await client.GraphQL.request({ query: '{ b }' })`), { extraEnv: { CALIBRE_DEBUG: '1' } })
  assert.equal(code, 0, stderr)
  assert.match(stderr, /rate limit: RateLimit-Remaining is 0, request starts pause for 200 ms/)
  assert.match(stderr, /throttle: waited \d+ ms before http:\/\/127\.0\.0\.1:\d+\/graphql \(starts paused: the API said its rate limit is spent/)
})

test('CALIBRE_DEBUG=api adds bodies, cut short, with the token and secret= values scrubbed', async () => {
  const long = 'x'.repeat(5000)
  server.reply = (e) => ({ body: { data: { token: e.headers.authorization, url: 'https://files.example/a.har?secret=hunter2&X-Amz-Signature=abc&ok=1', long } } })
  const { code, stderr } = await run(script("await calibre.GraphQL.request({ query: 'query Q($webhook: String) { a }', webhook: 'https://h/?secret=sent-secret' })"), { extraEnv: { CALIBRE_DEBUG: 'api' } })
  assert.equal(code, 0, stderr)
  const sent = debugLines(stderr).find((l) => / > /.test(l))
  const received = debugLines(stderr).find((l) => / < /.test(l))
  assert.match(sent, /"operationName":"Q"/)
  assert.match(sent, /secret=\[redacted\]/)
  assert.match(received, /Token \[redacted token\]/)
  assert.match(received, /secret=\[redacted\]&X-Amz-Signature=\[redacted\]&ok=1/)
  assert.match(received, /… \(\d{4} bytes in all\)$/)
  assert.ok(received.length < 2300, 'cut at 2000 characters')
  for (const secret of [TOKEN, 'hunter2', 'sent-secret']) assert.ok(!stderr.includes(secret), secret)
})

test("NODE_DEBUG naming calibre turns the log on, as Node's debuglog sections; nothing without either", async () => {
  const call = script("await calibre.GraphQL.request({ query: '{ a }' })")
  for (const NODE_DEBUG of ['calibre', 'http,CALIBRE', 'cal*']) {
    const { stderr } = await run(call, { extraEnv: { NODE_DEBUG } })
    assert.match(stderr, /calibre-native \S+ POST /, NODE_DEBUG)
  }
  for (const extraEnv of [{}, { NODE_DEBUG: 'net' }, { CALIBRE_DEBUG: '0', NODE_DEBUG: 'calibre' }]) {
    const { code, stderr } = await run(call, { extraEnv })
    assert.equal(code, 0)
    assert.ok(!stderr.includes('calibre-native '), JSON.stringify(extraEnv))
  }
})

test('a CLI command under CALIBRE_DEBUG=1 logs its requests, never the token', async () => {
  server.reply = () => ({ body: { data: { organisation: { sites: [] } } } })
  const { code, stderr } = await run([bin, 'site', 'list', '--json'], { extraEnv: { CALIBRE_DEBUG: '1' } })
  assert.equal(code, 0, stderr)
  assert.match(stderr, /token from the CALIBRE_API_TOKEN environment variable \(env\)/)
  assert.match(stderr, new RegExp(`POST ${server.url}/graphql attempt 1 -> 200, \\d+ bytes`), "an anonymous document: no operation name")
  assert.ok(!stderr.includes(TOKEN))
})

/** Collects the messages of the three channels while `work` runs. */
async function collect(work) {
  const seen = []
  const handlers = ['start', 'end', 'error'].map((kind) => {
    const handler = (message) => seen.push({ kind, message, copy: { ...message } })
    diagnostics.subscribe(`calibre-native:request:${kind}`, handler)
    return [kind, handler]
  })
  try {
    await work(seen)
  } finally {
    for (const [kind, handler] of handlers) diagnostics.unsubscribe(`calibre-native:request:${kind}`, handler)
  }
  return seen
}

test('diagnostics_channel: start and end for every attempt, published before the call settles', async () => {
  let calls = 0
  server.reply = () => (++calls === 1 ? { status: 503, body: { error: 'busy' } } : { body: { data: { ok: true } } })
  const client = new Calibre({ throttle: false, retries: { max: 2, baseMs: 10, capMs: 20 } })
  const seen = await collect(() => client.GraphQL.request({ query: 'query Twice { ok }' }))
  assert.deepEqual(seen.map((s) => s.kind), ['start', 'end', 'start', 'end'])
  const url = `${server.url}/graphql`
  assert.deepEqual(seen[0].copy, { operationName: 'Twice', method: 'POST', url, attempt: 1 })
  assert.equal(seen[1].message, seen[0].message, 'the end message is the start message, completed')
  assert.equal(seen[1].copy.status, 503)
  assert.equal(seen[3].copy.attempt, 2)
  assert.equal(seen[3].copy.status, 200)
  assert.equal(seen[3].copy.bytes, JSON.stringify({ data: { ok: true } }).length)
  assert.ok(seen[3].copy.durationMs > 0 && seen[3].copy.durationMs < 10000)
})

test('diagnostics_channel: an error event with the code; aborted attempts end too; nothing without subscribers', async () => {
  const closed = http.createServer()
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const deadUrl = `http://127.0.0.1:${closed.address().port}`
  await new Promise((resolve) => closed.close(resolve))
  const refused = new Calibre({ host: deadUrl, throttle: false, retries: false })
  const seen = await collect(() => assert.rejects(refused.GraphQL.request({ query: '{ a }' }), { code: 'CALIBRE_NETWORK_ERROR' }))
  assert.deepEqual(seen.map((s) => s.kind), ['start', 'error'])
  assert.equal(seen[1].copy.code, 'CALIBRE_NETWORK_ERROR')
  assert.equal(seen[1].copy.operationName, null)

  server.reply = () => ({ hang: true })
  const controller = new AbortController()
  const aborted = await collect(async (seen) => {
    const pending = new Calibre({ throttle: false }).GraphQL.request({ query: 'query Slow { a }' }, { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    await assert.rejects(pending, { code: 'CALIBRE_ABORTED' })
    // The abandoned attempt is reported from the runtime once the call is gone.
    for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10))
  })
  assert.deepEqual(aborted.map((s) => [s.kind, s.copy.code]), [['start', undefined], ['error', 'CALIBRE_ABORTED']])

  server.reply = () => ({ body: { data: { ok: true } } })
  await GraphQL.request({ query: '{ unobserved }' })
  const later = await collect(() => new Promise((r) => setTimeout(r, 20)))
  assert.deepEqual(later, [], 'calls made without subscribers publish nothing, later either')
})

// Artifact downloads: the API answers with URLs on a second server that misbehaves on demand.
async function startFiles(handlers) {
  const hits = []
  const files = http.createServer((req, res) => {
    hits.push(req.url)
    const handle = handlers[req.url.split('?')[0]] ?? ((_, r) => { r.statusCode = 404; r.end('missing') })
    handle(req, res, hits.filter((h) => h === req.url).length)
  })
  await new Promise((resolve) => files.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${files.address().port}`
  return { url, hits, close: () => new Promise((resolve) => { files.closeAllConnections(); files.close(resolve) }) }
}

function answerArtifacts(filesUrl, names = ['img', 'video', 'har', 'lh.json']) {
  const at = (name) => (names.includes(name) ? `${filesUrl}/t/${name}?X-Amz-Signature=signed-secret` : null)
  server.reply = () => ({ body: { data: { organisation: { singlePageTest: { uuid: 'spt-1', image: at('img'), video: at('video'), har: at('har'), lighthouse: at('lh.json') } } } } })
}

const ok = (body) => (_, res) => res.end(body)

test('downloads are retried after a 5xx and logged; a stalled one ends with a timeout error and no file', async () => {
  const files = await startFiles({
    '/t/img': (_, res, n) => { if (n === 1) { res.statusCode = 500; res.end('oops') } else res.end('IMAGE') },
    '/t/video': ok('VIDEO'),
    '/t/har': ok('{"log":{}}'),
    '/t/lh.json': ok('{}'),
  })
  try {
    answerArtifacts(files.url)
    const fetched = await run([bin, 'test', 'download-artifacts', 'spt-1'], { extraEnv: { CALIBRE_DEBUG: '1' } })
    assert.equal(fetched.code, 0, fetched.stderr)
    assert.equal(fs.readFileSync(path.join(env.dir, 'test-artifacts', 'spt-1', 'image.jpg'), 'utf8'), 'IMAGE')
    assert.match(fetched.stderr, new RegExp(`GET ${files.url}/t/img attempt 1 -> 500`))
    assert.match(fetched.stderr, new RegExp(`retry: ${files.url}/t/img attempt 2 in \\d+ ms \\(HTTP 500\\)`))
    assert.match(fetched.stderr, new RegExp(`GET ${files.url}/t/img attempt 2 -> 200, 5 bytes`))
    assert.ok(!fetched.stderr.includes('signed-secret'), 'signed URLs are logged without their query')
    assert.ok(!fetched.stdout.includes('\r'), 'no progress line off a terminal')
  } finally {
    await files.close()
  }

  const stalling = await startFiles({
    '/t/img': (_, res) => { res.setHeader('content-length', '1000000'); res.write('partial') },
  })
  try {
    answerArtifacts(stalling.url, ['img'])
    const started = Date.now()
    const stalled = await run([bin, 'test', 'download-artifacts', 'spt-2', '--timeout', '1s'])
    assert.equal(stalled.code, 5, stalled.stderr)
    assert.ok(Date.now() - started < 15000)
    const where = `${stalling.url}/t/img`
    assert.match(stalled.stderr, new RegExp(`test download-artifacts: (No complete answer from ${where} within 1000 ms|${where} sent nothing for 1000 ms)`))
    assert.ok(!stalled.stderr.includes('signed-secret'))
    assert.deepEqual(fs.readdirSync(path.join(env.dir, 'test-artifacts', 'spt-2')), [], 'no partial file is left')
  } finally {
    await stalling.close()
  }
})

test('on a terminal a download shows a progress line; not with --json', { skip: noTerminal }, async () => {
  const big = Buffer.alloc(3 << 20, 7)
  const slowly = (_, res) => {
    res.setHeader('content-length', String(big.length))
    let sent = 0
    const more = () => {
      if (sent >= big.length) return res.end()
      res.write(big.subarray(sent, sent + (256 << 10)))
      sent += 256 << 10
      setTimeout(more, 30)
    }
    more()
  }
  const files = await startFiles({ '/t/video': slowly })
  try {
    answerArtifacts(files.url, ['video'])
    const onTty = (args) => run(onTerminalArgs([process.execPath, bin, ...args]), { program: 'script' })
    const shown = await onTty(['test', 'download-artifacts', 'spt-3'])
    assert.equal(shown.code, 0, shown.stdout)
    assert.match(shown.stdout, /\r\x1b\[2KDownloading [\d.]+ [KM]B of 3\.0 MB, [\d.]+ [KM]?B\/s/)
    assert.equal(fs.statSync(path.join(env.dir, 'test-artifacts', 'spt-3', 'render.mp4')).size, big.length)
    const json = await onTty(['test', 'download-artifacts', 'spt-4', '--json'])
    assert.equal(json.code, 0, json.stdout)
    assert.ok(!json.stdout.includes('Downloading'), json.stdout)
  } finally {
    await files.close()
  }
})

test('on a terminal a large answer shows a progress line while it arrives; small ones and pipes show none', { skip: noTerminal }, async () => {
  const site = (name) => ({ name, slug: 'big', createdAt: '2024-01-02T03:04:05Z', team: null, monitoringStatus: null })
  let size = 6 << 20
  server.reply = () => ({ body: JSON.stringify({ data: { organisation: { sites: [site('x'.repeat(size))] } } }) })
  const onTty = (args) => run(onTerminalArgs([process.execPath, bin, ...args]), { program: 'script' })
  const large = await onTty(['site', 'list', '--json'])
  assert.equal(large.code, 0, large.stdout)
  assert.match(large.stdout, /\r\x1b\[2KReceiving [\d.]+ MB of 6\.0 MB, [\d.]+ [KM]?B\/s/)
  assert.match(large.stdout, /\r\x1b\[2K\[\r?\n/, 'the line is cleared before the output')
  size = 10
  const small = await onTty(['site', 'list', '--json'])
  assert.ok(!small.stdout.includes('Receiving'), small.stdout)
  size = 6 << 20
  const piped = await run([bin, 'site', 'list', '--json'])
  assert.equal(piped.code, 0)
  assert.ok(!piped.stderr.includes('Receiving') && !piped.stdout.includes('\r'))
})
