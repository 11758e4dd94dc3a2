// TLS trust: a throwaway CA made at test time (openssl) signs a node:https server's
// certificate. The default client rejects it; the `ca` option, NODE_EXTRA_CA_CERTS (added to
// the roots, not replacing them) and the system store (SSL_CERT_FILE on Linux, the certificate
// store on Windows) make it trusted. Mozilla's roots are bundled, so a machine without a system
// CA store still works.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import util from 'node:util'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { GraphQL, Calibre } from '../index.mjs'
import { isolatedEnv, childEnv } from './helpers/env.mjs'
import { makeCerts, certsUnavailable } from './helpers/certs.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)
const SECRET = 'tok_tls_5ecret_value_0123456789'
const skip = certsUnavailable()
// SSL_CERT_FILE and SSL_CERT_DIR mean nothing on Windows, as for Node: the store test covers it.
const skipOnWindows = skip || (process.platform === 'win32' && 'SSL_CERT_FILE/SSL_CERT_DIR are not read on Windows (as by Node); the certificate store test covers the system roots there')
// The set whose CA the Windows test run put into the Windows certificate store (scripts/test-windows.sh).
const windowsStoreSet = process.env.CALIBRE_TEST_WINDOWS_STORE_CA
const OK = { data: { ok: true } }

let certs
let other // a second, unrelated CA and server
let server
let otherServer
let env

async function startHttps({ key, cert }) {
  const hits = []
  const s = https.createServer({ key, cert }, (req, res) => {
    req.resume()
    req.on('end', () => {
      hits.push({ time: Date.now(), headers: req.headers })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(OK))
    })
  })
  s.on('tlsClientError', () => {})
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))
  return {
    url: `https://127.0.0.1:${s.address().port}`,
    hits,
    close: () => new Promise((resolve) => { s.closeAllConnections(); s.close(() => resolve()) }),
  }
}

before(async () => {
  if (skip) return
  certs = makeCerts()
  other = makeCerts()
  server = await startHttps(certs)
  otherServer = await startHttps(other)
})
after(async () => {
  await server?.close()
  await otherServer?.close()
  certs?.remove()
  other?.remove()
})
beforeEach(() => { env = isolatedEnv({ CALIBRE_API_TOKEN: SECRET }) })
afterEach(() => env.restore())

const noToken = (e) => {
  for (const s of [e.message, e.stack, util.inspect(e, { showHidden: true, depth: 10 }), JSON.stringify(e)]) assert.ok(!s.includes(SECRET))
}

/** Runs `calls` (an async function body using `GraphQL`, `Calibre`, `env`) in a child with `vars`. */
async function child(vars, body) {
  const script = `
    const { GraphQL, Calibre } = await import(${JSON.stringify(new URL('../index.mjs', import.meta.url).href)})
    const attempt = async (p) => { try { await p; return 'ok' } catch (e) { return e.code + ': ' + e.message } }
    const out = {}
    ${body}
    console.log(JSON.stringify(out))`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...childEnv(env.dir), CALIBRE_API_TOKEN: SECRET, ...vars },
    timeout: 30000,
  })
  return JSON.parse(stdout)
}

test('the default client rejects a certificate from an unknown CA, without retrying', { skip, timeout: 30000 }, async () => {
  process.env.CALIBRE_HOST = server.url
  const started = Date.now()
  await assert.rejects(GraphQL.request({ query: '{ ok }' }), (e) => {
    assert.equal(e.code, 'CALIBRE_NETWORK_ERROR')
    assert.match(e.message, /certificate|UnknownIssuer/i)
    assert.equal(e.status, null)
    assert.equal(e.attempts, 1, 'an untrusted certificate is not a transient failure')
    noToken(e)
    return true
  })
  assert.ok(Date.now() - started < 5000)
  assert.equal(server.hits.length, 0, 'no request reached the server')
})

test('`ca` (PEM) makes the client trust that CA, and only that client', { skip, timeout: 30000 }, async () => {
  const trusting = new Calibre({ ca: certs.ca, host: server.url, token: SECRET })
  assert.deepEqual(await trusting.GraphQL.request({ query: '{ ok }' }), OK.data)
  assert.equal(server.hits.at(-1).headers.authorization, `Token ${SECRET}`)
  // Another CA's server is still refused by this client, and the default client is unchanged.
  await assert.rejects(new Calibre({ ca: certs.ca, host: otherServer.url, token: SECRET, retries: false }).GraphQL.request({ query: '{ ok }' }), { code: 'CALIBRE_NETWORK_ERROR' })
  process.env.CALIBRE_HOST = server.url
  await assert.rejects(GraphQL.request({ query: '{ ok }' }), { code: 'CALIBRE_NETWORK_ERROR' })
  // A bundle of both CAs trusts both.
  const both = new Calibre({ ca: certs.ca + '\n' + other.ca, host: otherServer.url, token: SECRET })
  assert.deepEqual(await both.GraphQL.request({ query: '{ ok }' }), OK.data)
})

test('a `ca` that holds no certificate is CALIBRE_INVALID_ARGUMENT at construction', { skip }, () => {
  assert.throws(() => new Calibre({ ca: 'not a certificate' }), { code: 'CALIBRE_INVALID_ARGUMENT', message: /`ca`/ })
  assert.throws(() => new Calibre({ ca: 42 }), { code: 'CALIBRE_INVALID_ARGUMENT' })
})

test('NODE_EXTRA_CA_CERTS is trusted by the default client (child process)', { skip, timeout: 30000 }, async () => {
  const out = await child({ NODE_EXTRA_CA_CERTS: certs.caPath, CALIBRE_HOST: server.url }, `
    out.default = await attempt(GraphQL.request({ query: '{ ok }' }))
    out.other = await attempt(new Calibre({ host: ${JSON.stringify(otherServer.url)}, retries: false }).GraphQL.request({ query: '{ ok }' }))
    out.withCa = await attempt(new Calibre({ host: ${JSON.stringify(otherServer.url)}, ca: ${JSON.stringify(other.ca)} }).GraphQL.request({ query: '{ ok }' }))
    out.withCaOwnServer = await attempt(new Calibre({ ca: ${JSON.stringify(other.ca)} }).GraphQL.request({ query: '{ ok }' }))`)
  assert.equal(out.default, 'ok')
  assert.match(out.other, /^CALIBRE_NETWORK_ERROR: .*(certificate|UnknownIssuer)/i)
  assert.equal(out.withCa, 'ok')
  assert.equal(out.withCaOwnServer, 'ok', 'a client `ca` adds to NODE_EXTRA_CA_CERTS, it does not replace it')
})

test('NODE_EXTRA_CA_CERTS adds to the system roots (here SSL_CERT_FILE), it does not replace them', { skip: skipOnWindows, timeout: 30000 }, async () => {
  // SSL_CERT_FILE stands in for the system store: with it alone, its CA is trusted.
  let out = await child({ SSL_CERT_FILE: other.caPath }, `
    out.system = await attempt(new Calibre({ host: ${JSON.stringify(otherServer.url)} }).GraphQL.request({ query: '{ ok }' }))
    out.extra = await attempt(new Calibre({ host: ${JSON.stringify(server.url)}, retries: false }).GraphQL.request({ query: '{ ok }' }))`)
  assert.deepEqual(out.system, 'ok')
  assert.match(out.extra, /^CALIBRE_NETWORK_ERROR/)
  // With NODE_EXTRA_CA_CERTS too, both are trusted.
  out = await child({ SSL_CERT_FILE: other.caPath, NODE_EXTRA_CA_CERTS: certs.caPath }, `
    out.system = await attempt(new Calibre({ host: ${JSON.stringify(otherServer.url)} }).GraphQL.request({ query: '{ ok }' }))
    out.extra = await attempt(new Calibre({ host: ${JSON.stringify(server.url)} }).GraphQL.request({ query: '{ ok }' }))`)
  assert.deepEqual(out, { system: 'ok', extra: 'ok' })
})

test('an unreadable NODE_EXTRA_CA_CERTS is ignored, as Node does', { skip: skipOnWindows, timeout: 30000 }, async () => {
  const out = await child({ NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem', SSL_CERT_FILE: certs.caPath, CALIBRE_HOST: server.url }, `
    out.default = await attempt(GraphQL.request({ query: '{ ok }' }))`)
  assert.equal(out.default, 'ok')
})

test('without a readable system CA store (a slim container), calls still work: plain HTTP, and HTTPS with `ca`', { skip: skipOnWindows, timeout: 30000 }, async () => {
  // SSL_CERT_FILE / SSL_CERT_DIR point at an empty directory: no system roots at all. The
  // bundled roots still stand, so building the client must not fail.
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-no-ca-'))
  const plain = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(OK)) }) })
  await new Promise((resolve) => plain.listen(0, '127.0.0.1', resolve))
  try {
    const out = await child({ SSL_CERT_FILE: empty, SSL_CERT_DIR: empty, CALIBRE_HOST: `http://127.0.0.1:${plain.address().port}` }, `
      out.plain = await attempt(GraphQL.request({ query: '{ ok }' }))
      out.https = await attempt(new Calibre({ host: ${JSON.stringify(server.url)}, ca: ${JSON.stringify(certs.ca)} }).GraphQL.request({ query: '{ ok }' }))
      out.untrusted = await attempt(new Calibre({ host: ${JSON.stringify(otherServer.url)}, retries: false }).GraphQL.request({ query: '{ ok }' }))`)
    assert.equal(out.plain, 'ok')
    assert.equal(out.https, 'ok')
    assert.match(out.untrusted, /^CALIBRE_NETWORK_ERROR: .*(certificate|UnknownIssuer)/i)
  } finally {
    plain.closeAllConnections()
    await new Promise((resolve) => plain.close(resolve))
    fs.rmSync(empty, { recursive: true, force: true })
  }
})

test('Windows: the certificate store\'s trusted roots are trusted, NODE_EXTRA_CA_CERTS adds to them, an unreadable one is ignored',
  { skip: (!windowsStoreSet || skip) && 'only the Windows test run puts a test CA into the Windows certificate store', timeout: 30000 },
  async () => {
    const read = (name) => fs.readFileSync(path.join(windowsStoreSet, name), 'utf8')
    const storeServer = await startHttps({ key: read('server.key'), cert: read('server.pem') })
    try {
      const calls = `
        out.store = await attempt(new Calibre({ host: ${JSON.stringify(storeServer.url)}, retries: false }).GraphQL.request({ query: '{ ok }' }))
        out.extra = await attempt(new Calibre({ host: ${JSON.stringify(server.url)}, retries: false }).GraphQL.request({ query: '{ ok }' }))`
      let out = await child({}, calls)
      assert.equal(out.store, 'ok')
      assert.match(out.extra, /^CALIBRE_NETWORK_ERROR: .*(certificate|UnknownIssuer)/i)
      out = await child({ NODE_EXTRA_CA_CERTS: certs.caPath }, calls)
      assert.deepEqual(out, { store: 'ok', extra: 'ok' })
      out = await child({ NODE_EXTRA_CA_CERTS: path.join(env.dir, 'no-such-ca.pem') }, calls)
      assert.equal(out.store, 'ok')
    } finally {
      await storeServer.close()
    }
  })
