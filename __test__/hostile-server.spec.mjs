// Servers and hosts that misbehave: Calibre's own words must survive into our errors, a token
// a server echoes back must not, a redirect loop is one failure (not a retried network error),
// and a host that cannot name the API is refused before anything is sent.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import util from 'node:util'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Calibre, GraphQL, Site } from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { isolatedEnv, childEnv } from './helpers/env.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = path.join(root, 'bin', 'calibre-native.js')
const TOKEN = 'tok_s3cretEchoedBack42'

let server
let env

before(async () => { server = await startRecorder() })
after(async () => { await server.close() })
beforeEach(() => {
  env = isolatedEnv({ CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: TOKEN })
  server.requests.length = 0
  server.reply = () => ({ body: { data: { ok: true } } })
})
afterEach(() => env.restore())

const client = (options = {}) => new Calibre({ token: TOKEN, host: server.url, retries: false, throttle: false, ...options })
const failure = (promise) => promise.then(() => assert.fail('resolved'), (e) => e)

/** Every text of an error a user or a log could see. */
function everyText(err) {
  return [err.message, err.stack, String(err), util.inspect(err, { depth: 10 }), JSON.stringify(err),
    JSON.stringify(err.response ?? null), JSON.stringify(err.errors ?? null)].join('\n')
}

// Item 4: Calibre's own words.

test("a 401 keeps Calibre's message next to ours", async () => {
  server.reply = () => ({ status: 401, body: { errors: [{ message: 'Invalid API token' }] } })
  const err = await failure(client().Site.list())
  assert.equal(err.code, 'CALIBRE_UNAUTHORIZED')
  assert.match(err.message, /API Tokens/, 'our hint is kept')
  assert.ok(err.message.includes('Invalid API token'), err.message)
})

test('a validation error keeps the server message verbatim and each problem path', async () => {
  const message = 'Variable $attributes of type PageInput! was provided invalid value for pages.0.url (Expected value to be a valid URL)'
  server.reply = () => ({
    body: {
      errors: [{
        message,
        locations: [{ line: 1, column: 20 }],
        extensions: {
          value: { pages: [{ url: 'calibreapp' }] },
          problems: [
            { path: ['pages', 0, 'url'], explanation: 'Expected value to be a valid URL, got "calibreapp"' },
            { path: ['name'], explanation: 'Expected value to not be null' },
          ],
        },
      }],
      data: null,
    },
  })
  const err = await failure(client().GraphQL.request({ query: 'mutation M($attributes: PageInput!) { createPage(attributes: $attributes) { uuid } }' }))
  assert.equal(err.code, 'CALIBRE_GRAPHQL_ERROR')
  assert.ok(err.message.includes(message), err.message)
  assert.ok(err.message.includes('pages.0.url'), err.message)
  assert.ok(err.message.includes('Expected value to be a valid URL, got "calibreapp"'), err.message)
  assert.ok(err.message.includes('name: Expected value to not be null') || (err.message.includes('name') && err.message.includes('Expected value to not be null')), err.message)
  assert.equal(err[0].message, message, 'calibre@7-style access is unchanged')
})

test("403, 429 and 5xx answers keep Calibre's messages", async () => {
  for (const [status, text, code] of [
    [403, 'This organisation is suspended', 'CALIBRE_FORBIDDEN'],
    [429, 'Slow down: 10 requests per second', 'CALIBRE_RATE_LIMITED'],
    [500, 'Something went wrong on our side (ref 8812)', 'CALIBRE_HTTP_ERROR'],
  ]) {
    // A 5xx page is rarely GraphQL: plain text there.
    server.reply = () => status === 500
      ? { status, contentType: 'text/plain', body: text }
      : { status, body: { errors: [{ message: text }] } }
    const err = await failure(client().Site.list())
    assert.equal(err.code, code, `${status}: ${err.message}`)
    assert.ok(err.message.includes(text), `${status}: ${err.message}`)
  }
})

// Item 5: a token the server echoes is scrubbed from everything we keep.

test('a token echoed by the server appears nowhere in the error', async () => {
  const answers = [
    { status: 400, contentType: 'text/plain', body: `you sent Token ${TOKEN}` },
    { status: 401, body: { errors: [{ message: `token ${TOKEN} is not valid` }] } },
    { status: 200, body: { errors: [{ message: `no access for ${TOKEN}`, extensions: { problems: [{ path: ['x'], explanation: `got ${TOKEN}` }] } }], data: null } },
    { status: 502, contentType: 'text/html', body: `<pre>Authorization: Token ${TOKEN}</pre>`, headers: { 'x-echo': `Token ${TOKEN}` } },
  ]
  for (const answer of answers) {
    server.reply = () => answer
    for (const call of [() => client().Site.list(), () => Site.list(), () => GraphQL.request({ query: '{ a }' })]) {
      const err = await failure(call())
      assert.ok(err.code?.startsWith('CALIBRE_'), err.message)
      assert.ok(!everyText(err).includes(TOKEN), `${answer.status}: the token leaked:\n${everyText(err)}`)
      assert.ok(!everyText(err).includes(TOKEN.slice(4)), `${answer.status}: part of the token leaked`)
    }
  }
})

test('the CLI does not print a token the server echoes', async () => {
  server.reply = () => ({ status: 400, contentType: 'text/plain', body: `you sent Token ${TOKEN}` })
  for (const args of [['site', 'list'], ['site', 'list', '--json'], ['request', '--query', '{ a }']]) {
    const out = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], {
        env: { ...childEnv(env.dir), CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: TOKEN },
      })
      let text = ''
      child.stdout.on('data', (c) => { text += c })
      child.stderr.on('data', (c) => { text += c })
      child.stdin.end()
      const timer = setTimeout(() => { child.kill(); reject(new Error('timed out')) }, 30000)
      child.on('close', (code) => { clearTimeout(timer); resolve({ code, text }) })
    })
    assert.notEqual(out.code, 0)
    assert.ok(out.text.includes('you sent Token'), `the server's words are shown: ${out.text}`)
    assert.ok(!out.text.includes(TOKEN), `${args.join(' ')} printed the token:\n${out.text}`)
  }
})

test('a host with user info is refused without echoing the password', async () => {
  const host = new URL(server.url)
  host.username = 'user'
  host.password = 'hunter2pass'
  let err
  try {
    const c = new Calibre({ token: TOKEN, host: host.href })
    err = await failure(c.Site.list())
  } catch (e) {
    err = e
  }
  assert.equal(err.code, 'CALIBRE_INVALID_ARGUMENT', err.message)
  assert.ok(!everyText(err).includes('hunter2pass'), everyText(err))

  process.env.CALIBRE_HOST = host.href
  const fromEnv = await failure(Site.list())
  assert.equal(fromEnv.code, 'CALIBRE_INVALID_ARGUMENT', fromEnv.message)
  assert.ok(!everyText(fromEnv).includes('hunter2pass'), everyText(fromEnv))
  assert.equal(server.requests.length, 0, 'nothing was sent (no Basic auth in place of the token)')
})

// Item 9: hosts that cannot name the API, and redirect loops.

test('a host with a query or fragment is refused instead of posting somewhere else', async () => {
  for (const suffix of ['/?x=1', '/#frag', '?', '#', '/api?debug=true']) {
    const host = server.url + suffix
    let err
    try {
      err = await failure(new Calibre({ token: TOKEN, host }).Site.list())
    } catch (e) {
      err = e
    }
    assert.equal(err.code, 'CALIBRE_INVALID_ARGUMENT', `${host}: ${err.message}`)
    process.env.CALIBRE_HOST = host
    const fromEnv = await failure(Site.list())
    assert.equal(fromEnv.code, 'CALIBRE_INVALID_ARGUMENT', `CALIBRE_HOST=${host}: ${fromEnv.message}`)
    process.env.CALIBRE_HOST = server.url
  }
  assert.equal(server.requests.length, 0, server.requests.map((r) => r.path).join(' '))
})

test('a redirect loop is one HTTP error, not retried', async () => {
  for (const status of [302, 307]) {
    server.requests.length = 0
    server.reply = (req) => ({ status, headers: { location: req.path }, body: 'moved' })
    // Default retries: a network error would be retried 3 times, each following the loop again.
    const err = await failure(new Calibre({ token: TOKEN, host: server.url, throttle: false }).GraphQL.request({ query: '{ a }' }))
    assert.equal(err.code, 'CALIBRE_HTTP_ERROR', err.message)
    assert.equal(err.status, status)
    assert.ok(err.attempts <= 1, `attempts: ${err.attempts}`)
    assert.ok(server.requests.length <= 11, `${server.requests.length} requests for one call`)
  }
  // A chain that never repeats a URL ends after at most 10 redirects.
  server.requests.length = 0
  let hop = 0
  server.reply = () => ({ status: 307, headers: { location: `/graphql?hop=${++hop}` }, body: '' })
  const err = await failure(new Calibre({ token: TOKEN, host: server.url, throttle: false }).GraphQL.request({ query: '{ a }' }))
  assert.equal(err.code, 'CALIBRE_HTTP_ERROR', err.message)
  assert.ok(server.requests.length <= 11, `${server.requests.length} requests for one call`)
})
