// Fault injection: every way a server or the network can fail, against local servers this
// file starts. For each: the error code, how many attempts the server saw (and err.attempts),
// that the call settles (no hang), and that the token appears nowhere in the error.
import { test, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { GraphQL, Calibre, CalibreError } from '../index.mjs'
import { isolatedEnv, childEnv } from './helpers/env.mjs'
import { startFaulty, reply, freePort, sleep, settle } from './helpers/faulty.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)
const SECRET = 'tok_fault_5ecret_value_0123456789'
const QUERY = 'query GetSite($slug: String!) { organisation { site(slug: $slug) { name } } }'
const MUTATION = 'mutation CreateSite($name: String!) { createSite(attributes: { name: $name }) { slug } }'
const OK = { data: { organisation: { site: { name: 'A' } } } }
// Small backoff so retried cases stay fast; default max (3 retries = 4 attempts).
const FAST = { baseMs: 10, capMs: 200 }

let env
let server
beforeEach(() => { env = isolatedEnv({ CALIBRE_API_TOKEN: SECRET }) })
afterEach(async () => {
  await server?.close()
  server = undefined
  env.restore()
})

const client = (url, options = {}) => new Calibre({ token: SECRET, host: url, throttle: false, retries: FAST, ...options })
const query = (c, options) => c.GraphQL.request({ query: QUERY, slug: 'my-site' }, options)
const mutate = (c, options) => c.GraphQL.request({ query: MUTATION, name: 'New' }, options)

/** Everything a caller could print, log or serialise is free of the token. */
function assertNoToken(e) {
  const surfaces = {
    message: e.message,
    stack: e.stack,
    inspect: util.inspect(e, { showHidden: true, depth: 10 }),
    json: JSON.stringify(e),
    request: JSON.stringify(e.request ?? null),
    response: JSON.stringify(e.response ?? null),
    cause: String(e.cause),
  }
  for (const [where, text] of Object.entries(surfaces)) {
    assert.ok(!String(text).includes(SECRET), `the token leaked in ${where}: ${text}`)
  }
}

/** Awaits a rejection (bounded) and checks code, attempts (err and server) and redaction. */
async function failure(promise, { code, attempts, hits = attempts }) {
  let err
  try {
    await settle(promise)
  } catch (e) {
    err = e
  }
  assert.ok(err, 'expected a rejection')
  assert.ok(err instanceof CalibreError, `not a CalibreError: ${err?.stack}`)
  assert.equal(err.code, code, err.message)
  assert.equal(err.attempts, attempts, `err.attempts (${err.message})`)
  if (server && hits !== undefined) assert.equal(server.hits.length, hits, 'attempts seen by the server')
  assertNoToken(err)
  if (server) assert.ok(server.hits.every((h) => h.headers.authorization === `Token ${SECRET}`), 'every attempt carried the token')
  return err
}

// ---------------------------------------------------------------- server errors

test('HTML 502 page: a query is retried, then CALIBRE_HTTP_ERROR with an excerpt', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res) => reply(res, 502, '<html><head><title>502</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>', { 'content-type': 'text/html' }))
  const e = await failure(query(client(server.url)), { code: 'CALIBRE_HTTP_ERROR', attempts: 4 })
  assert.equal(e.status, 502)
  assert.match(e.message, /HTTP 502 Bad Gateway\.\nCalibre said: 502 Bad Gateway nginx/)
  assert.match(e.message, /gave up after 4 attempts/)
  assert.equal(e.response.headers['content-type'], 'text/html')
})

test('HTML 502 page: a mutation is not retried', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res) => reply(res, 502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' }))
  await failure(mutate(client(server.url)), { code: 'CALIBRE_HTTP_ERROR', attempts: 1 })
})

test('JSON 500: CALIBRE_HTTP_ERROR, not retried', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res) => reply(res, 500, { error: 'Internal Server Error' }))
  const e = await failure(query(client(server.url)), { code: 'CALIBRE_HTTP_ERROR', attempts: 1 })
  assert.equal(e.status, 500)
  assert.equal(e.response.body, '{"error":"Internal Server Error"}')
})

test('400, 401, 403, 404 and GraphQL errors are never retried', { timeout: 20000 }, async () => {
  const cases = [
    [400, { error: 'Bad Request' }, 'CALIBRE_HTTP_ERROR'],
    [400, { errors: [{ message: 'Variable $slug of type String! was provided invalid value' }] }, 'CALIBRE_GRAPHQL_ERROR'],
    [401, { error: 'Unauthorized' }, 'CALIBRE_UNAUTHORIZED'],
    [403, { error: 'Forbidden', message: 'This API token has expired.' }, 'CALIBRE_TOKEN_EXPIRED'],
    [403, { error: 'Forbidden' }, 'CALIBRE_FORBIDDEN'],
    [404, 'Not Found', 'CALIBRE_HTTP_ERROR'],
    [200, { data: null, errors: [{ message: 'Something went wrong' }] }, 'CALIBRE_GRAPHQL_ERROR'],
  ]
  for (const [status, body, code] of cases) {
    server = await startFaulty((req, res) => reply(res, status, body))
    const e = await failure(query(client(server.url, { retries: { max: 5, baseMs: 1, capMs: 5 } })), { code, attempts: 1 })
    assert.equal(e.status, status)
    await server.close()
    server = undefined
  }
})

// ---------------------------------------------------------------- retries that succeed

test('429 with Retry-After, then 200: succeeds after waiting, the server saw 2 attempts', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res, n) => n === 1
    ? reply(res, 429, { errors: [{ message: 'Rate limit exceeded' }] }, { 'retry-after': '1' })
    : reply(res, 200, OK))
  const data = await settle(query(client(server.url, { retries: { baseMs: 10, capMs: 5000 } })))
  assert.deepEqual(data, OK.data)
  assert.equal(server.hits.length, 2)
  const gap = server.hits[1].time - server.hits[0].time
  assert.ok(gap >= 900 && gap < 5000, `the retry came ${gap} ms after the 429 (Retry-After: 1)`)
})

test('429 asking for longer than capMs is not waited for: CALIBRE_RATE_LIMITED at once', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res) => reply(res, 429, { errors: [{ message: 'Rate limit exceeded' }] }, { 'retry-after': '30' }))
  const started = Date.now()
  const e = await failure(query(client(server.url)), { code: 'CALIBRE_RATE_LIMITED', attempts: 1 })
  assert.ok(Date.now() - started < 5000)
  assert.equal(e[0].message, 'Rate limit exceeded')
})

test('503 then 200: a query succeeds after one retry', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res, n) => n === 1 ? reply(res, 503, 'Service Unavailable', { 'content-type': 'text/plain' }) : reply(res, 200, OK))
  assert.deepEqual(await settle(query(client(server.url))), OK.data)
  assert.equal(server.hits.length, 2)
  assert.equal(server.hits[1].body, server.hits[0].body, 'the retry sends the same body')
})

test('503 then 200: a mutation is not retried without Retry-After', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res, n) => n === 1 ? reply(res, 503, 'Service Unavailable', { 'content-type': 'text/plain' }) : reply(res, 200, OK))
  const e = await failure(mutate(client(server.url)), { code: 'CALIBRE_HTTP_ERROR', attempts: 1 })
  assert.equal(e.status, 503)
  assert.equal(e.request.query, MUTATION)
})

test('503 with Retry-After then 200: a mutation is retried (the server said it did not act)', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res, n) => n === 1 ? reply(res, 503, 'Service Unavailable', { 'content-type': 'text/plain', 'retry-after': '0' }) : reply(res, 200, { data: { createSite: { slug: 'new' } } }))
  assert.deepEqual(await settle(mutate(client(server.url))), { createSite: { slug: 'new' } })
  assert.equal(server.hits.length, 2)
})

test('RateLimit-* headers on a 503 are not a Retry-After: a mutation is not retried', { timeout: 20000 }, async () => {
  // Calibre sends RateLimit-Limit/Remaining/Reset on every answer; they say when the quota
  // window resets, not that the server did not act on the request.
  const quota = { 'ratelimit-limit': '10', 'ratelimit-remaining': '9', 'ratelimit-reset': '1' }
  server = await startFaulty((req, res, n) => n === 1 ? reply(res, 503, 'Service Unavailable', { 'content-type': 'text/plain', ...quota }) : reply(res, 200, OK))
  await failure(mutate(client(server.url, { retries: { baseMs: 10, capMs: 5000 } })), { code: 'CALIBRE_HTTP_ERROR', attempts: 1 })
})

test('RateLimit-Reset on a 503 with quota left does not hold back a query retry', { timeout: 20000 }, async () => {
  const quota = { 'ratelimit-limit': '10', 'ratelimit-remaining': '9', 'ratelimit-reset': '60' }
  server = await startFaulty((req, res, n) => n === 1 ? reply(res, 503, 'Service Unavailable', { 'content-type': 'text/plain', ...quota }) : reply(res, 200, OK, quota))
  const started = Date.now()
  assert.deepEqual(await settle(query(client(server.url))), OK.data)
  assert.equal(server.hits.length, 2)
  assert.ok(Date.now() - started < 3000, 'retried after the backoff, not after the quota window')
})

// ---------------------------------------------------------------- broken connections

test('connection closed before any answer: a query is retried and succeeds, a mutation is not retried', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res, n) => (n === 1 || n === 3) ? req.socket.destroy() : reply(res, 200, OK))
  assert.deepEqual(await settle(query(client(server.url))), OK.data)
  assert.equal(server.hits.length, 2)
  // Third request: the mutation; the server drops it without answering.
  const e = await failure(mutate(client(server.url)), { code: 'CALIBRE_NETWORK_ERROR', attempts: 1, hits: 3 })
  assert.equal(e.status, null)
})

test('connection refused: retried (nothing was sent), attempts = max + 1, even for a mutation', { timeout: 20000 }, async () => {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  let e = await failure(query(client(url)), { code: 'CALIBRE_NETWORK_ERROR', attempts: 4 })
  assert.match(e.message, /refused/i)
  assert.match(e.message, /gave up after 4 attempts/)
  e = await failure(mutate(client(url, { retries: { max: 2, baseMs: 10, capMs: 100 } })), { code: 'CALIBRE_NETWORK_ERROR', attempts: 3 })
  e = await failure(query(client(url, { retries: false })), { code: 'CALIBRE_NETWORK_ERROR', attempts: 1 })
  assert.equal(e.status, null)
})

test('unresolvable host: CALIBRE_NETWORK_ERROR', { timeout: 30000 }, async () => {
  const e = await failure(query(client('http://calibre-native-test.invalid')), { code: 'CALIBRE_NETWORK_ERROR', attempts: 4 })
  assert.match(e.message, /calibre-native-test\.invalid/)
  assert.match(e.message, /dns|resolve|lookup|name/i)
})

test('truncated JSON with a matching short Content-Length: CALIBRE_INVALID_RESPONSE', { timeout: 20000 }, async () => {
  const full = JSON.stringify(OK)
  const half = full.slice(0, Math.floor(full.length / 2))
  server = await startFaulty((req, res) => reply(res, 200, half))
  const e = await failure(query(client(server.url)), { code: 'CALIBRE_INVALID_RESPONSE', attempts: 1 })
  assert.equal(e.response.body, half)
})

test('truncated JSON, connection closed before Content-Length is reached: CALIBRE_NETWORK_ERROR, not retried', { timeout: 20000 }, async () => {
  const full = JSON.stringify(OK)
  server = await startFaulty((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': full.length })
    res.write(full.slice(0, 10), () => res.socket.destroy())
  })
  await failure(query(client(server.url)), { code: 'CALIBRE_NETWORK_ERROR', attempts: 1 })
})

test('connection reset mid-body (chunked): CALIBRE_NETWORK_ERROR, not retried', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write('{"data":{"organisation":', () => setTimeout(() => res.socket.resetAndDestroy(), 20))
  })
  await failure(query(client(server.url)), { code: 'CALIBRE_NETWORK_ERROR', attempts: 1 })
})

// ---------------------------------------------------------------- slow servers

test('slow headers beyond timeoutMs: CALIBRE_TIMEOUT, not retried', { timeout: 20000 }, async () => {
  server = await startFaulty(async (req, res) => { await sleep(3000); reply(res, 200, OK) })
  const started = Date.now()
  const e = await failure(query(client(server.url, { timeoutMs: 300 })), { code: 'CALIBRE_TIMEOUT', attempts: 1 })
  const took = Date.now() - started
  assert.ok(took >= 250 && took < 2500, `took ${took} ms`)
  assert.match(e.message, /300 ms/)
})

test('slow body beyond timeoutMs (per-call option): CALIBRE_TIMEOUT', { timeout: 20000 }, async () => {
  server = await startFaulty(async (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write('{"data":')
    await sleep(3000)
    res.end('{}}')
  })
  const started = Date.now()
  await failure(query(client(server.url), { timeoutMs: 300 }), { code: 'CALIBRE_TIMEOUT', attempts: 1 })
  assert.ok(Date.now() - started < 2500)
})

// ---------------------------------------------------------------- bodies that are not GraphQL

test('invalid UTF-8 in a 200: CALIBRE_INVALID_RESPONSE', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res) => reply(res, 200, Buffer.from([0x7b, 0x22, 0x64, 0xff, 0xfe, 0x22, 0x7d])))
  const e = await failure(query(client(server.url)), { code: 'CALIBRE_INVALID_RESPONSE', attempts: 1 })
  assert.match(e.message, /UTF-8/)
})

test('a 200 that is not GraphQL: CALIBRE_INVALID_RESPONSE', { timeout: 20000 }, async () => {
  for (const [body, type] of [['<html><body>Welcome to nginx!</body></html>', 'text/html'], ['{"hello":"world"}', 'application/json'], ['', 'application/json'], ['[1,2,3]', 'application/json']]) {
    server = await startFaulty((req, res) => reply(res, 200, body, { 'content-type': type }))
    await failure(query(client(server.url)), { code: 'CALIBRE_INVALID_RESPONSE', attempts: 1 })
    await server.close()
    server = undefined
  }
})

test('maxResponseBytes: 1000 refuses a bigger body, declared or streamed', { timeout: 20000 }, async () => {
  const big = JSON.stringify({ data: { blob: 'x'.repeat(5000) } })
  // Declared by Content-Length: refused before reading.
  server = await startFaulty((req, res) => reply(res, 200, big))
  let e = await failure(query(client(server.url, { maxResponseBytes: 1000 })), { code: 'CALIBRE_INVALID_RESPONSE', attempts: 1 })
  assert.match(e.message, /maxResponseBytes \(1000 bytes\)/)
  await server.close()
  // Chunked, no length: refused once more than 1000 bytes arrived.
  server = await startFaulty((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    for (let i = 0; i < big.length; i += 500) res.write(big.slice(i, i + 500))
    res.end()
  })
  e = await failure(query(client(server.url, { maxResponseBytes: 1000 })), { code: 'CALIBRE_INVALID_RESPONSE', attempts: 1 })
  // The same body is fine under the limit.
  assert.equal((await settle(query(client(server.url, { maxResponseBytes: 100000 })))).blob.length, 5000)
})

test('a body larger than the default limit (100 MiB) is refused with bounded memory', { timeout: 120000 }, async (t) => {
  const LIMIT = 100 * 1024 * 1024
  const TOTAL = 160 * 1024 * 1024
  let sent = 0
  server = await startFaulty(async (req, res) => {
    // Streamed with backpressure: the server never holds more than one chunk.
    res.writeHead(200, { 'content-type': 'application/json' })
    let closed = false
    res.on('close', () => { closed = true })
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    res.write('{"data":')
    while (!closed && sent < TOTAL) {
      sent += chunk.length
      if (!res.write(chunk)) {
        await new Promise((resolve) => {
          const done = () => { res.off('drain', done); res.off('close', done); resolve() }
          res.on('drain', done)
          res.on('close', done)
        })
      }
    }
    if (!closed) res.end('{}}')
  })
  // In a child process, so its memory is measured alone.
  const script = `
    const { Calibre } = await import(${JSON.stringify(new URL('../index.mjs', import.meta.url).href)})
    const client = new Calibre({ token: process.env.T, host: process.env.H, throttle: false })
    const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) * 1024
    const base = process.memoryUsage().rss
    let peak = base
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 5)
    let result
    try { await client.GraphQL.request({ query: '{ a }' }); result = { code: 'none' } }
    catch (e) { result = { code: e.code, attempts: e.attempts, message: e.message } }
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage().rss)
    console.log(JSON.stringify({ ...result, base, peak, hwm: hwm(), after: process.memoryUsage().rss }))`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); ${script}`], {
    env: { ...childEnv(env.dir), T: SECRET, H: server.url },
    timeout: 100000,
    maxBuffer: 1 << 20,
  })
  const r = JSON.parse(stdout)
  assert.equal(r.code, 'CALIBRE_INVALID_RESPONSE', r.message)
  assert.equal(r.attempts, 1)
  assert.match(r.message, /maxResponseBytes \(104857600 bytes\)/)
  assert.ok(!r.message.includes(SECRET))
  assert.equal(server.hits.length, 1)
  assert.ok(sent >= LIMIT && sent < TOTAL, `the server stopped streaming when the client let go (sent ${sent} bytes)`)
  const growth = Math.max(r.peak, r.hwm) - r.base
  const mib = (n) => (n / 1024 / 1024).toFixed(1)
  t.diagnostic(`client RSS: base ${mib(r.base)} MiB, peak growth ${mib(growth)} MiB (sampled ${mib(r.peak - r.base)}), after ${mib(r.after)} MiB`)
  assert.ok(growth < 200 * 1024 * 1024, `client RSS grew by ${mib(growth)} MiB`)
})

// ---------------------------------------------------------------- cancellation and pacing

test('abort during a backoff sleep settles at once and sends nothing more', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res) => reply(res, 503, 'busy', { 'content-type': 'text/plain', 'retry-after': '1.5' }))
  const controller = new AbortController()
  const pending = query(client(server.url, { retries: { baseMs: 10, capMs: 5000 } }), { signal: controller.signal })
  pending.catch(() => {})
  while (server.hits.length === 0) await sleep(5)
  await sleep(100) // the 503 has been read: the call is now sleeping before its retry
  const aborted = Date.now()
  controller.abort()
  let e
  try { await settle(pending, 5000) } catch (err) { e = err }
  const took = Date.now() - aborted
  assert.equal(e?.code, 'CALIBRE_ABORTED', e?.message)
  assertNoToken(e)
  assert.ok(took < 300, `settled ${took} ms after abort`)
  await sleep(2000) // past the Retry-After
  assert.equal(server.hits.length, 1, 'no attempt after the abort')
})

test('RateLimit-Remaining: 0 with RateLimit-Reset: 1 delays the next start by about a second', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res, n) => reply(res, 200, OK, n === 1 ? { 'ratelimit-limit': '10', 'ratelimit-remaining': '0', 'ratelimit-reset': '1' } : { 'ratelimit-remaining': '9' }))
  const c = client(server.url, { throttle: { limit: 100, intervalMs: 1000 }, retries: false })
  await settle(query(c))
  await settle(query(c))
  await settle(query(c))
  const [a, b, d] = server.hits.map((h) => h.time)
  assert.ok(b - a >= 900 && b - a < 3000, `second start ${b - a} ms after the spent budget`)
  assert.ok(d - b < 500, `third start not paused (${d - b} ms)`)
})

test('a child process whose call fails exits promptly (no dangling handles)', { timeout: 30000 }, async () => {
  const port = await freePort()
  server = await startFaulty(() => {}) // accepts and never answers
  const script = `
    const { GraphQL, Calibre } = await import(${JSON.stringify(new URL('../index.mjs', import.meta.url).href)})
    const out = []
    try { await GraphQL.request({ query: '{ a }' }) } catch (e) { out.push(e.code, e.attempts) }
    const hanging = new Calibre({ host: process.env.HANG, timeoutMs: 200, retries: false })
    try { await hanging.GraphQL.request({ query: '{ a }' }) } catch (e) { out.push(e.code) }
    console.log(out.join(' '))`
  const started = Date.now()
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...childEnv(env.dir), CALIBRE_API_TOKEN: SECRET, CALIBRE_HOST: `http://127.0.0.1:${port}`, HANG: server.url },
    timeout: 20000,
  })
  const took = Date.now() - started
  assert.equal(stdout.trim(), 'CALIBRE_NETWORK_ERROR 4 CALIBRE_TIMEOUT')
  // Four refused attempts with the default backoff (≤ 0.5 + 1 + 2 s), one 200 ms timeout.
  assert.ok(took < 10000, `the child took ${took} ms to exit`)
})

test('the module-level client (env token, default policy) fails the same way', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res) => reply(res, 401, { error: 'Unauthorized' }))
  process.env.CALIBRE_HOST = server.url
  const e = await failure(GraphQL.request({ query: QUERY, slug: 's' }), { code: 'CALIBRE_UNAUTHORIZED', attempts: 1 })
  assert.equal(e.tokenSource, 'env')
})

test('a document with non-ASCII text in a block string is sent, not a panic', { timeout: 20000 }, async () => {
  server = await startFaulty((req, res) => reply(res, 200, { data: { ok: true } }))
  const doc = 'query Q { a(x: """naïve café ☕ \\é""", y: "日本") }'
  assert.deepEqual(await settle(client(server.url).GraphQL.request({ query: doc })), { ok: true })
  assert.deepEqual(JSON.parse(server.hits[0].body), { query: doc, variables: {}, operationName: 'Q' })
})
