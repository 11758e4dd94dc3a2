// The GraphQL transport: what goes on the wire, per-call resolution of token and host,
// the throttle, timeouts, cancellation and prompt exit.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync, execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'
import { GraphQL, Calibre } from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { isolatedEnv, writeConfig, childEnv } from './helpers/env.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
let server
let env

before(async () => { server = await startRecorder() })
after(async () => { await server.close() })
beforeEach(() => {
  env = isolatedEnv({ CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: 'token-one' })
  server.reply = () => ({ body: { data: { ok: true } } })
})
afterEach(() => env.restore())

test('sends the headers and body calibre@7 sends', async () => {
  const data = await GraphQL.request({ query: 'query GetSite($slug: String!) { organisation { site(slug: $slug) { name } } }', slug: 'a', gone: undefined, kept: null })
  assert.deepEqual(data, { ok: true })
  const r = server.last()
  assert.equal(r.method, 'POST')
  assert.equal(r.path, '/graphql')
  assert.equal(r.headers['content-type'], 'application/json')
  assert.equal(r.headers.accept, 'application/json')
  assert.equal(r.headers.authorization, 'Token token-one')
  assert.match(r.headers['user-agent'], /^calibre-native\/\d+\.\d+\.\d+/)
  assert.equal(r.text, JSON.stringify({
    query: 'query GetSite($slug: String!) { organisation { site(slug: $slug) { name } } }',
    variables: { slug: 'a', kept: null },
    operationName: 'GetSite',
  }))
})

test('responses are asked for compressed (gzip, br, deflate) and decoded', async () => {
  const data = { series: Array.from({ length: 2000 }, (_, i) => ({ at: i, value: i % 7 })) }
  const text = JSON.stringify({ data })
  const codecs = { gzip: zlib.gzipSync, br: zlib.brotliCompressSync, deflate: zlib.deflateSync }
  for (const [encoding, compress] of Object.entries(codecs)) {
    server.reply = () => ({ body: compress(text), headers: { 'content-encoding': encoding } })
    assert.deepEqual(await GraphQL.request({ query: '{ series }' }), data, encoding)
    const offered = server.last().headers['accept-encoding'].split(',').map((s) => s.trim())
    assert.deepEqual([...offered].sort(), ['br', 'deflate', 'gzip'])
  }
  // A body that is not what its Content-Encoding says: an invalid response, not retried.
  server.reply = () => ({ body: text, headers: { 'content-encoding': 'gzip' } })
  const before = server.requests.length
  await assert.rejects(GraphQL.request({ query: '{ series }' }), (e) => {
    assert.equal(e.code, 'CALIBRE_INVALID_RESPONSE')
    assert.match(e.message, /could not be decoded/)
    return true
  })
  assert.equal(server.requests.length - before, 1)
})

test('a large answer (over 1 MB) reads the same as a small one, success or not', async () => {
  // Large 2xx answers are parsed whole by V8 and read in Rust only when they are not a plain
  // success: every shape must come out as it does for a small answer.
  const ts = (value) => `{"data":{"organisation":{"site":{"timeSeries":${value}}}}`
  const shapes = {
    success: (pad) => ts(`{"points":[1,2,3],"csv":"a,b","pad":"${pad}"}`),
    'empty errors': (pad) => `{"errors":[],"data":{"organisation":{"site":{"timeSeries":{"x":"${pad}"}}}}}`,
    'last step null': (pad) => `{"data":{"organisation":{"site":{"timeSeries":null,"pad":"${pad}"}}}}`,
    'site null': (pad) => `{"data":{"organisation":{"site":null,"pad":"${pad}"}}}`,
    'site missing': (pad) => `{"data":{"organisation":{"pad":"${pad}"}}}`,
    'site an array': (pad) => `{"data":{"organisation":{"site":["${pad}"]}}}`,
    'graphql errors': (pad) => `{"data":null,"errors":[{"message":"boom","extensions":{"pad":"${pad}"}}]}`,
    'errors and data': (pad) => `{"errors":[{"message":"partial"}],"data":{"organisation":{"site":{"timeSeries":{"x":"${pad}"}}}}}`,
    'errors not a list': (pad) => `{"errors":{"message":"odd"},"data":{"organisation":{"site":{"timeSeries":{"x":"${pad}"}}}}}`,
    'data null': (pad) => `{"data":null,"extensions":{"pad":"${pad}"}}`,
    'no data': (pad) => `{"extensions":{"pad":"${pad}"}}`,
    'not an object': (pad) => `["${pad}"]`,
    truncated: (pad) => ts(`{"x":"${pad}"}`).slice(0, -3),
    'trailing text': (pad) => ts(`{"x":"${pad}"}`) + ' extra',
    'duplicate data': (pad) => `{"data":{"organisation":{"site":{"timeSeries":1}}},"data":{"organisation":{"site":{"timeSeries":{"x":"${pad}"}}}}}`,
  }
  const api = new Calibre({ retries: false, throttle: false })
  const outcome = async (text) => {
    server.reply = () => ({ body: Buffer.from(text) })
    try {
      const value = await api.TimeSeries.list({ site: 's' })
      return { value: JSON.stringify(value)?.replace(/x{100,}/g, 'PAD') }
    } catch (e) {
      return { code: e.code, message: e.message, errors: e.errors?.length }
    }
  }
  const pad = 'x'.repeat(1.2e6)
  for (const [name, shape] of Object.entries(shapes)) {
    const small = await outcome(shape('x'.repeat(100)))
    const large = await outcome(shape(pad))
    assert.ok(shape(pad).length > 1 << 20, name)
    assert.deepEqual(large, small, name)
  }
  // Not UTF-8: the same error either way.
  const notUtf8 = (n) => Buffer.concat([Buffer.from(ts('{"x":"')), Buffer.alloc(n, 0xff), Buffer.from('"}')])
  server.reply = () => ({ body: notUtf8(10) })
  const small = await api.TimeSeries.list({ site: 's' }).catch((e) => e)
  server.reply = () => ({ body: notUtf8(1.2e6) })
  const large = await api.TimeSeries.list({ site: 's' }).catch((e) => e)
  assert.equal(small.code, 'CALIBRE_INVALID_RESPONSE')
  assert.deepEqual([large.code, large.message], [small.code, small.message])
})

test('anonymous documents send no operationName but still send variables', async () => {
  await GraphQL.request({ query: '{ locations { name } }' })
  assert.equal(server.last().text, '{"query":"{ locations { name } }","variables":{}}')
})

test('a changed CALIBRE_API_TOKEN or CALIBRE_HOST is used by the next call', async () => {
  await GraphQL.request({ query: '{ a }' })
  process.env.CALIBRE_API_TOKEN = 'token-two'
  await GraphQL.request({ query: '{ a }' })
  assert.deepEqual(server.requests.slice(-2).map((r) => r.headers.authorization), ['Token token-one', 'Token token-two'])
  const other = await startRecorder()
  try {
    process.env.CALIBRE_HOST = other.url + '/'
    await GraphQL.request({ query: '{ a }' })
    assert.equal(other.requests.length, 1)
    assert.equal(other.last().path, '/graphql')
  } finally {
    await other.close()
  }
})

test('the token from the config file is used when the env var is unset or blank', async () => {
  writeConfig(env.configPath, '{\n\t"token": "from-file"\n}')
  process.env.CALIBRE_API_TOKEN = '   '
  await GraphQL.request({ query: '{ a }' })
  assert.equal(server.last().headers.authorization, 'Token from-file')
})

test('a client uses its own token and host, the module keeps the environment', async () => {
  const other = await startRecorder()
  try {
    const client = new Calibre({ token: 'client-token', host: other.url })
    await client.GraphQL.request({ query: '{ a }' })
    const { request } = client.GraphQL
    await request({ query: '{ b }' }) // destructured functions stay bound
    assert.deepEqual(other.requests.map((r) => r.headers.authorization), ['Token client-token', 'Token client-token'])
    await GraphQL.request({ query: '{ c }' })
    assert.equal(server.last().headers.authorization, 'Token token-one')
    assert.equal(client.GraphQL, client.GraphQL, 'the bound namespace is cached')
  } finally {
    await other.close()
  }
})

test('an invalid token is rejected before anything is sent', async () => {
  const before = server.requests.length
  process.env.CALIBRE_API_TOKEN = 'abc\r\nX-Injected: 1'
  await assert.rejects(GraphQL.request({ query: '{ a }' }), (e) => {
    assert.equal(e.code, 'CALIBRE_TOKEN_INVALID')
    assert.match(e.message, /CALIBRE_API_TOKEN environment variable contains whitespace/)
    assert.ok(!e.message.includes('abc'))
    return true
  })
  assert.throws(() => new Calibre({ token: 'tök' }), { code: 'CALIBRE_TOKEN_INVALID' })
  assert.equal(server.requests.length, before)
})

test('timeoutMs rejects with CALIBRE_TIMEOUT', async () => {
  server.reply = () => ({ hang: true })
  const started = Date.now()
  await assert.rejects(GraphQL.request({ query: '{ a }' }, { timeoutMs: 200 }), { code: 'CALIBRE_TIMEOUT' })
  assert.ok(Date.now() - started < 5000)
  const client = new Calibre({ timeoutMs: 150 })
  await assert.rejects(client.GraphQL.request({ query: '{ a }' }), { code: 'CALIBRE_TIMEOUT' })
})

test('an AbortSignal cancels promptly, before or during the request', async () => {
  server.reply = () => ({ hang: true })
  const controller = new AbortController()
  const pending = GraphQL.request({ query: '{ a }' }, { signal: controller.signal })
  setTimeout(() => controller.abort(), 100)
  const started = Date.now()
  await assert.rejects(pending, (e) => e.code === 'CALIBRE_ABORTED' && e instanceof Error)
  assert.ok(Date.now() - started < 2000)
  const before = server.requests.length
  await assert.rejects(GraphQL.request({ query: '{ a }' }, { signal: AbortSignal.abort() }), { code: 'CALIBRE_ABORTED' })
  assert.equal(server.requests.length, before, 'an already aborted signal sends nothing')
})

test('a reused signal does not collect listeners', async () => {
  const controller = new AbortController()
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  for (let i = 0; i < 15; i++) await GraphQL.request({ query: '{ a }' }, { signal: controller.signal, throttle: false })
  await new Promise((r) => setTimeout(r, 10))
  process.off('warning', onWarning)
  assert.deepEqual(warnings.filter((w) => /listener/i.test(w.message)), [])
})

test('bad options are CALIBRE_INVALID_ARGUMENT', async () => {
  await assert.rejects(GraphQL.request({ query: '{ a }' }, { timeoutMs: -1 }), { code: 'CALIBRE_INVALID_ARGUMENT' })
  await assert.rejects(GraphQL.request({ nope: 1 }), { code: 'CALIBRE_INVALID_ARGUMENT', message: /GraphQL\.request: `query`/ })
  await assert.rejects(GraphQL.request(), { code: 'CALIBRE_INVALID_ARGUMENT' })
  assert.throws(() => new Calibre({ host: 'ftp://x' }), { code: 'CALIBRE_INVALID_ARGUMENT' })
  assert.throws(() => new Calibre({ throttle: { limit: 0 } }), { code: 'CALIBRE_INVALID_ARGUMENT' })
})

test('the default throttle allows at most 10 request starts per 1100 ms', async () => {
  const t0 = Date.now()
  await Promise.all(Array.from({ length: 25 }, () => GraphQL.request({ query: '{ a }' })))
  const times = server.requests.slice(-25).map((r) => r.time - t0).sort((a, b) => a - b)
  // Sliding window, checked from the server's clock with tolerance for a busy machine.
  for (let i = 10; i < times.length; i++) {
    assert.ok(times[i] - times[i - 10] >= 1000, `start ${i} came ${times[i] - times[i - 10]} ms after start ${i - 10}`)
  }
  assert.ok(times[24] >= 2000, 'the 21st start waited for the third window')
})

test('a client can configure or switch off its throttle', async () => {
  const fast = new Calibre({ throttle: false })
  const t0 = Date.now()
  await Promise.all(Array.from({ length: 30 }, () => fast.GraphQL.request({ query: '{ a }' })))
  assert.ok(Date.now() - t0 < 1000, 'no throttle: 30 calls in well under a window')
  const tight = new Calibre({ throttle: { limit: 2, intervalMs: 300 } })
  const t1 = Date.now()
  await Promise.all(Array.from({ length: 5 }, () => tight.GraphQL.request({ query: '{ a }' })))
  assert.ok(Date.now() - t1 >= 550, 'five starts at 2 per 300 ms need two extra windows')
})

test('loading the module has no side effects and never throws without a token', () => {
  const script = `
    const before = { sigint: process.listenerCount('SIGINT'), exit: process.listenerCount('exit'), close: require('fs').close }
    const m = require(${JSON.stringify(root)})
    const after = { sigint: process.listenerCount('SIGINT'), exit: process.listenerCount('exit'), close: require('fs').close }
    if (before.sigint !== after.sigint || before.exit !== after.exit || before.close !== after.close) throw new Error('side effect')
    if (typeof m.GraphQL.request !== 'function' || typeof m.Calibre !== 'function') throw new Error('exports')
    console.log('ok')`
  const child = spawnSync(process.execPath, ['-e', script], { env: { ...childEnv(env.dir) }, encoding: 'utf8' })
  assert.equal(child.stderr, '')
  assert.equal(child.stdout.trim(), 'ok')
})

test('loading starts no thread; the first call starts the one I/O thread', { skip: process.platform !== 'linux' && 'counts threads in /proc, which only Linux has' }, async () => {
  // Threads are named by src/runtime.rs; /proc lists this process's threads.
  const script = `
    const fs = require('fs')
    const tasks = () => fs.readdirSync('/proc/self/task')
    const io = () => tasks().filter((t) => {
      try { return fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim() === 'calibre-native' } catch { return false }
    }).length
    const before = tasks().length
    const { GraphQL } = require(${JSON.stringify(root)})
    const loaded = tasks().length - before
    GraphQL.request({ query: '{ a }' }).then(() => console.log(JSON.stringify({ loaded, called: io() })))`
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { ...childEnv(env.dir), CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: 't' },
    timeout: 10000,
  })
  assert.deepEqual(JSON.parse(stdout), { loaded: 0, called: 1 })
})

test('worker threads load the addon, call and exit, one after another', async () => {
  // The main thread never loads the addon: when a worker exits, Node may unload it while the
  // runtime the worker started keeps running (src/runtime.rs pins the image).
  const script = `
    const { Worker } = require('worker_threads')
    const code = 'const { GraphQL } = require(' + JSON.stringify(${JSON.stringify(root)}) + ');' +
      'GraphQL.request({ query: "{ a }" }).then((d) => require("worker_threads").parentPort.postMessage(d))'
    const run = () => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true })
      let message
      w.on('message', (m) => { message = m })
      w.on('error', reject)
      w.on('exit', (code) => code === 0 ? resolve(message) : reject(new Error('worker exit ' + code)))
    })
    ;(async () => {
      const results = []
      for (let i = 0; i < 3; i++) {
        results.push(await run())
        await new Promise((r) => setTimeout(r, 50))
      }
      console.log(JSON.stringify(results))
    })().catch((e) => { console.error(e); process.exit(1) })`
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { ...childEnv(env.dir), CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: 't' },
    timeout: 20000,
  })
  assert.deepEqual(JSON.parse(stdout), [{ ok: true }, { ok: true }, { ok: true }])
})

test('the process exits promptly after the last call', async () => {
  const script = `
    import(${JSON.stringify(new URL('../index.mjs', import.meta.url).href)}).then(async ({ GraphQL }) => {
      const data = await GraphQL.request({ query: '{ a }' })
      console.log(JSON.stringify(data))
    })`
  const started = Date.now()
  // Async: the recording server lives in this process and must keep answering.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { ...childEnv(env.dir), CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: 't' },
    timeout: 10000,
  })
  assert.equal(stdout.trim(), '{"ok":true}')
  assert.ok(Date.now() - started < 5000)
})
