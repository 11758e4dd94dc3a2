// Every failure is a CalibreError with a stable code, the response and request attached,
// calibre@7-style array access to GraphQL errors, and never the token.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import net from 'node:net'
import { createRequire } from 'node:module'
import * as esm from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { isolatedEnv } from './helpers/env.mjs'

const { GraphQL, CalibreError } = esm
const SECRET = 'tok_5ecret_value_1234567890'
const QUERY = 'query GetSite($slug: String!) { organisation { site(slug: $slug) { name } } }'
let server
let env

before(async () => { server = await startRecorder() })
after(async () => { await server.close() })
beforeEach(() => { env = isolatedEnv({ CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: SECRET }) })
afterEach(() => env.restore())

/** Everything a caller could print or serialise must be free of the token. */
function assertNoToken(e) {
  const surfaces = [e.message, e.stack, util.inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e), JSON.stringify(e.request ?? null), JSON.stringify(e.response ?? null), String(e.cause ?? '')]
  for (const s of surfaces) assert.ok(!String(s).includes(SECRET), `token leaked in: ${s}`)
}

async function failWith(reply) {
  server.reply = () => reply
  try {
    await GraphQL.request({ query: QUERY, slug: 'my-site' })
  } catch (e) {
    assertNoToken(e)
    assert.ok(e instanceof CalibreError && e instanceof Error)
    assert.equal(e.name, 'CalibreError')
    return e
  }
  assert.fail('expected a rejection')
}

test('GraphQL errors: CALIBRE_GRAPHQL_ERROR with calibre@7-style e[0] access', async () => {
  const errors = [
    { message: 'Expected value to not be null', path: ['createSite'], extensions: { problems: [{ path: ['name'], explanation: 'Expected value to not be null' }] } },
    { message: 'Second problem' },
  ]
  const e = await failWith({ body: { data: null, errors } })
  assert.equal(e.code, 'CALIBRE_GRAPHQL_ERROR')
  assert.equal(e.status, 200)
  assert.equal(e.length, 2)
  assert.equal(e[0].extensions.problems[0].explanation, 'Expected value to not be null')
  assert.deepEqual(e.errors, errors)
  // Our headline (what calibre's CLI shows), then Calibre's own words: each message and problem path.
  assert.equal(e.message, 'GraphQL.request: Expected value to not be null\nCalibre said:\n - Expected value to not be null\n   name: Expected value to not be null\n - Second problem')
  assert.deepEqual(e.request, { query: QUERY, variables: { slug: 'my-site' } })
  assert.equal(e.response.status, 200)
  assert.equal(e.attempts, 1)
})

test('401: CALIBRE_UNAUTHORIZED naming the token source', async () => {
  const e = await failWith({ status: 401, body: { error: 'Unauthorized' } })
  assert.equal(e.code, 'CALIBRE_UNAUTHORIZED')
  assert.equal(e.status, 401)
  assert.equal(e.tokenSource, 'env')
  assert.match(e.message, /CALIBRE_API_TOKEN environment variable is unknown or was revoked/)
  assert.equal(e.response.body, '{"error":"Unauthorized"}')
  assert.equal(e.response.headers['content-type'], 'application/json')
  assert.equal(e.length, 0)
})

test('403 is told apart: expired token, IP not allowed, other', async () => {
  let e = await failWith({ status: 403, body: { error: 'Forbidden', message: 'This API token has expired.' } })
  assert.equal(e.code, 'CALIBRE_TOKEN_EXPIRED')
  assert.match(e.message, /has expired.*Re-save it in Calibre.*refresh/s)
  e = await failWith({ status: 403, body: { error: 'Forbidden', message: 'Requests from IP address 127.0.0.1 are not allowed for this API token (Allowed IP Addresses).' } })
  assert.equal(e.code, 'CALIBRE_IP_NOT_ALLOWED')
  assert.match(e.message, /Allowed IP Addresses/)
  e = await failWith({ status: 403, body: { errors: [{ message: 'You do not have permission' }] } })
  assert.equal(e.code, 'CALIBRE_FORBIDDEN')
  assert.equal(e[0].message, 'You do not have permission')
})

test('the file source is named by its path', async () => {
  delete process.env.CALIBRE_API_TOKEN
  esm.Token.set(SECRET)
  const e = await failWith({ status: 401, body: {} })
  assert.equal(e.tokenSource, 'file')
  assert.equal(e.tokenPath, env.configPath)
  assert.ok(e.message.includes(env.configPath))
})

test('500 with an HTML page: CALIBRE_HTTP_ERROR with a short excerpt', async () => {
  const e = await failWith({ status: 500, contentType: 'text/html', body: '<html><body><h1>We are sorry</h1><p>Something went wrong.</p></body></html>' })
  assert.equal(e.code, 'CALIBRE_HTTP_ERROR')
  assert.equal(e.status, 500)
  assert.match(e.message, /HTTP 500 Internal Server Error\.\nCalibre said: We are sorry Something went wrong\./)
  assert.ok(e.response.body.startsWith('<html>'))
})

test('429 after the retries: CALIBRE_RATE_LIMITED saying how many attempts were made', async () => {
  const before = server.requests.length
  const e = await failWith({ status: 429, headers: { 'retry-after': '0' }, body: { errors: [{ message: 'Rate limit exceeded' }] } })
  assert.equal(e.code, 'CALIBRE_RATE_LIMITED')
  assert.equal(e[0].message, 'Rate limit exceeded')
  assert.equal(e.attempts, 4)
  assert.equal(server.requests.length - before, 4)
  assert.match(e.message, /gave up after 4 attempts/)
})

test('a 200 that is not GraphQL: CALIBRE_INVALID_RESPONSE', async () => {
  for (const body of ['<html>hello</html>', '{"hello":1}', '{"data": nul']) {
    const e = await failWith({ body, contentType: 'text/html' })
    assert.equal(e.code, 'CALIBRE_INVALID_RESPONSE')
  }
})

test('nothing listening: CALIBRE_NETWORK_ERROR saying why', async () => {
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) })
  })
  process.env.CALIBRE_HOST = `http://127.0.0.1:${port}`
  await assert.rejects(GraphQL.request({ query: QUERY, slug: 's' }), (e) => {
    assertNoToken(e)
    assert.equal(e.code, 'CALIBRE_NETWORK_ERROR')
    assert.equal(e.status, null)
    assert.match(e.message, /Connection refused|connect/i)
    return true
  })
})

test('CommonJS and ESM share one binding and one error class', () => {
  const cjs = createRequire(import.meta.url)('..')
  assert.equal(cjs.CalibreError, CalibreError)
  assert.equal(cjs.GraphQL, GraphQL)
  assert.equal(typeof cjs.Calibre, 'function')
})
