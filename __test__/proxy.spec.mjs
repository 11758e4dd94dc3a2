// Proxies: a small forward proxy started here (absolute-URI requests for http:// targets,
// CONNECT tunnels for https://), the per-client `proxy` option, `proxy: false`, and the
// HTTP_PROXY / HTTPS_PROXY / NO_PROXY variables for the default client. The default HTTP
// client is built once per process from the environment, so env cases run in a child.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { Calibre } from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { isolatedEnv, childEnv } from './helpers/env.mjs'
import { freePort } from './helpers/faulty.mjs'
import { makeCerts, certsUnavailable } from './helpers/certs.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)
const TOKEN = 'tok_proxy_value_0123456789'
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

/** A forward proxy that only ever connects to this machine. */
async function startProxy() {
  const seen = []
  const sockets = new Set()
  const server = http.createServer((req, res) => {
    seen.push({ kind: 'forward', method: req.method, url: req.url, headers: req.headers })
    let target
    try { target = new URL(req.url) } catch { target = null }
    if (!target || !LOOPBACK.has(target.hostname)) {
      res.writeHead(403).end('this test proxy only reaches 127.0.0.1')
      return
    }
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    delete headers['proxy-connection']
    const upstream = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.writeHead(502).end('upstream failed'))
    req.pipe(upstream)
  })
  server.on('connect', (req, client, head) => {
    seen.push({ kind: 'connect', method: req.method, url: req.url, headers: req.headers })
    const { hostname, port } = new URL(`http://${req.url}`)
    client.on('error', () => {})
    if (!LOOPBACK.has(hostname)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    const upstream = net.connect(Number(port), hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head?.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
  })
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)) })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) }),
  }
}

let target
let proxy
let env
let certs
let tlsTarget

before(async () => {
  target = await startRecorder(() => ({ body: { data: { via: 'target' } } }))
  proxy = await startProxy()
  if (!certsUnavailable()) {
    certs = makeCerts()
    const hits = []
    const s = https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
      req.resume()
      req.on('end', () => { hits.push(req.headers); res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"via":"tls-target"}}') })
    })
    await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))
    tlsTarget = { url: `https://127.0.0.1:${s.address().port}`, hits, close: () => new Promise((r) => { s.closeAllConnections(); s.close(() => r()) }) }
  }
})
after(async () => {
  await target.close()
  await proxy.close()
  await tlsTarget?.close()
  certs?.remove()
})
beforeEach(() => {
  env = isolatedEnv({ CALIBRE_API_TOKEN: TOKEN })
  proxy.seen.length = 0
  target.requests.length = 0
})
afterEach(() => env.restore())

const ask = (client) => client.GraphQL.request({ query: '{ via }' })

/** Runs a script in a child whose environment (proxy variables) is set before the addon loads. */
async function child(vars, body) {
  const script = `
    const { GraphQL, Calibre } = await import(${JSON.stringify(new URL('../index.mjs', import.meta.url).href)})
    const attempt = async (p) => { try { return (await p).via } catch (e) { return e.code + ': ' + e.message } }
    const out = {}
    ${body}
    console.log(JSON.stringify(out))`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...childEnv(env.dir), CALIBRE_API_TOKEN: TOKEN, ...vars },
    timeout: 30000,
  })
  return JSON.parse(stdout)
}

test('`proxy` sends http:// requests through the proxy as absolute-URI requests', async () => {
  const data = await ask(new Calibre({ proxy: proxy.url, host: target.url, token: TOKEN }))
  assert.deepEqual(data, { via: 'target' })
  assert.equal(proxy.seen.length, 1)
  assert.equal(proxy.seen[0].kind, 'forward')
  assert.equal(proxy.seen[0].method, 'POST')
  assert.equal(proxy.seen[0].url, `${target.url}/graphql`)
  assert.equal(target.requests.length, 1)
  assert.equal(target.last().headers.authorization, `Token ${TOKEN}`)
})

test('credentials in the proxy URL are sent as Proxy-Authorization', async () => {
  const withUser = proxy.url.replace('http://', 'http://user:p%40ss@')
  await ask(new Calibre({ proxy: withUser, host: target.url, token: TOKEN }))
  assert.equal(proxy.seen[0].headers['proxy-authorization'], `Basic ${Buffer.from('user:p@ss').toString('base64')}`)
})

test('`proxy` tunnels https:// requests with CONNECT', { skip: certsUnavailable() }, async () => {
  const data = await ask(new Calibre({ proxy: proxy.url, host: tlsTarget.url, ca: certs.ca, token: TOKEN }))
  assert.deepEqual(data, { via: 'tls-target' })
  assert.equal(proxy.seen.length, 1)
  assert.equal(proxy.seen[0].kind, 'connect')
  assert.equal(proxy.seen[0].url, new URL(tlsTarget.url).host)
  assert.equal(proxy.seen[0].headers.authorization, undefined, 'the token travels inside the tunnel only')
  assert.equal(tlsTarget.hits.at(-1).authorization, `Token ${TOKEN}`)
})

test('`proxy: false` bypasses the proxy', async () => {
  await ask(new Calibre({ proxy: false, host: target.url, token: TOKEN }))
  assert.equal(proxy.seen.length, 0)
  assert.equal(target.requests.length, 1)
})

test('an unreachable proxy is CALIBRE_NETWORK_ERROR naming the proxy settings', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`
  await assert.rejects(ask(new Calibre({ proxy: dead, host: target.url, token: TOKEN, retries: { max: 1, baseMs: 10, capMs: 50 } })), (e) => {
    assert.equal(e.code, 'CALIBRE_NETWORK_ERROR')
    assert.equal(e.attempts, 2, 'refused by the proxy: nothing was sent, so it is retried')
    assert.match(e.message, /proxy/)
    return true
  })
  assert.equal(target.requests.length, 0)
})

test('`proxy` that is not a URL is CALIBRE_INVALID_ARGUMENT', () => {
  assert.throws(() => new Calibre({ proxy: 'not a url' }), { code: 'CALIBRE_INVALID_ARGUMENT', message: /`proxy`/ })
  assert.throws(() => new Calibre({ proxy: 3128 }), { code: 'CALIBRE_INVALID_ARGUMENT' })
})

test('HTTP_PROXY / http_proxy are honoured by the default client, `proxy: false` still bypasses', { timeout: 30000 }, async () => {
  for (const name of ['HTTP_PROXY', 'http_proxy']) {
    proxy.seen.length = 0
    target.requests.length = 0
    const out = await child({ [name]: proxy.url, CALIBRE_HOST: target.url }, `
      out.module = await attempt(GraphQL.request({ query: '{ via }' }))
      out.client = await attempt(new Calibre({ host: ${JSON.stringify(target.url)} }).GraphQL.request({ query: '{ via }' }))
      out.off = await attempt(new Calibre({ proxy: false }).GraphQL.request({ query: '{ via }' }))`)
    assert.deepEqual(out, { module: 'target', client: 'target', off: 'target' }, name)
    assert.equal(proxy.seen.length, 2, `${name}: the module and a client without \`proxy\` used it`)
    assert.ok(proxy.seen.every((s) => s.kind === 'forward' && s.url === `${target.url}/graphql`))
    assert.equal(target.requests.length, 3)
  }
})

test('HTTPS_PROXY is honoured for https:// hosts (CONNECT)', { skip: certsUnavailable(), timeout: 30000 }, async () => {
  const out = await child({ HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: certs.caPath, CALIBRE_HOST: tlsTarget.url }, `
    out.module = await attempt(GraphQL.request({ query: '{ via }' }))`)
  assert.deepEqual(out, { module: 'tls-target' })
  assert.deepEqual(proxy.seen.map((s) => [s.kind, s.url]), [['connect', new URL(tlsTarget.url).host]])
})

test('NO_PROXY bypasses the environment proxy, and a `proxy` option too', { timeout: 30000 }, async () => {
  for (const noProxy of ['127.0.0.1', 'localhost, 127.0.0.1', '127.0.0.0/8', '*']) {
    proxy.seen.length = 0
    const out = await child({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy, CALIBRE_HOST: target.url }, `
      out.module = await attempt(GraphQL.request({ query: '{ via }' }))
      out.option = await attempt(new Calibre({ proxy: ${JSON.stringify(proxy.url)} }).GraphQL.request({ query: '{ via }' }))`)
    assert.deepEqual(out, { module: 'target', option: 'target' }, `NO_PROXY=${noProxy}`)
    assert.equal(proxy.seen.length, 0, `NO_PROXY=${noProxy}: direct`)
  }
  // A NO_PROXY entry for another host leaves the proxy in use; lowercase no_proxy works too.
  proxy.seen.length = 0
  const out = await child({ http_proxy: proxy.url, no_proxy: 'example.invalid', CALIBRE_HOST: target.url }, `
    out.module = await attempt(GraphQL.request({ query: '{ via }' }))`)
  assert.deepEqual(out, { module: 'target' })
  assert.equal(proxy.seen.length, 1)
})
