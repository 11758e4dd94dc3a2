// Input that is present but empty, or that throws when read: a blank per-client token must
// never fall through to another organisation's, and a throwing argument rejects the promise
// of a promise-returning function instead of throwing out of it.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import * as calibre from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { isolatedEnv, writeConfig } from './helpers/env.mjs'

const { Calibre } = calibre
let server
let env

before(async () => { server = await startRecorder() })
after(async () => { await server.close() })
beforeEach(() => {
  // Another organisation's token is there to be picked up, by env and by file.
  env = isolatedEnv({ CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: 'other-organisation-token' })
  writeConfig(env.configPath, '{"token": "stored-organisation-token"}')
  server.requests.length = 0
  server.reply = () => ({ body: { data: { ok: true } } })
})
afterEach(() => env.restore())

/** The error of constructing the client or, when construction is allowed, of its first call. */
async function firstFailure(options) {
  let client
  try {
    client = new Calibre(options)
  } catch (e) {
    return e
  }
  return client.Site.list().then(() => assert.fail('resolved'), (e) => e)
}

test('a token option that is present but undefined, null, empty or blank is missing, not another organisation\'s', async () => {
  const unset = process.env.OTHER_TOKEN_NOT_SET
  for (const token of [unset, undefined, null, '', '   ', '\t\n']) {
    const err = await firstFailure({ token, host: server.url })
    assert.equal(err.code, 'CALIBRE_TOKEN_MISSING', `token ${JSON.stringify(token)}: ${err.message}`)
    assert.match(err.message, /`token` option/, 'names the option')
  }
  assert.equal(server.requests.length, 0, server.requests.map((r) => r.headers.authorization).join(' '))
})

test('an absent token option still falls through to CALIBRE_API_TOKEN and the config file', async () => {
  await new Calibre({ host: server.url }).Site.list().catch(() => {})
  await new Calibre({}).Site.list().catch(() => {})
  await new Calibre().Site.list().catch(() => {})
  delete process.env.CALIBRE_API_TOKEN
  await new Calibre({ host: server.url }).Site.list().catch(() => {})
  assert.deepEqual(server.requests.map((r) => r.headers.authorization), [
    'Token other-organisation-token',
    'Token other-organisation-token',
    'Token other-organisation-token',
    'Token stored-organisation-token',
  ])
})

/** An object whose every read throws, as a hostile or buggy Proxy does. */
function throwingProxy() {
  const boom = () => { throw new Error('read trap') }
  return new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom })
}

/** A plain object with one getter that throws. */
function throwingGetter(name) {
  return Object.defineProperty({ slug: 'my-site' }, name, { enumerable: true, get() { throw new Error(`getter ${name}`) } })
}

// Functions that return something other than a promise: their errors are thrown.
const SYNC = new Set(['Token.resolve', 'Token.set', 'Token.remove', 'Token.list', 'Token.use'])

test('a throwing Proxy or getter in any argument rejects, never throws synchronously', async () => {
  const hostile = [
    ['Proxy', throwingProxy],
    ['getter slug', () => throwingGetter('slug')],
    ['getter signal', () => throwingGetter('signal')],
    ['getter timeoutMs', () => throwingGetter('timeoutMs')],
  ]
  // Unthrottled, so the calls that do reach the server are not paced at 10 per 1.1 s.
  const client = new Calibre({ token: 'hostile-token', host: server.url, throttle: false, retries: false })
  let checked = 0
  for (const ns of Object.keys(calibre)) {
    const namespace = client[ns]
    if (typeof namespace !== 'object' || namespace === null) continue
    for (const [name, fn] of Object.entries(namespace)) {
      if (typeof fn !== 'function' || name === 'iterate' || SYNC.has(`${ns}.${name}`)) continue
      for (const [label, make] of hostile) {
        for (const position of [0, 1]) {
          const args = [{ slug: 'my-site' }, {}]
          args[position] = make()
          let result
          try {
            result = fn(...args)
          } catch (e) {
            assert.fail(`${ns}.${name} threw synchronously for a ${label} as argument ${position}: ${e.message}`)
          }
          assert.ok(result instanceof Promise, `${ns}.${name} returns a promise`)
          // Rejects with a CalibreError, or resolves if the function never reads that argument.
          await result.then(() => {}, (e) => {
            assert.ok(e instanceof Error, `${ns}.${name}: ${e}`)
            assert.ok(typeof e.code === 'string' && e.code.startsWith('CALIBRE_'), `${ns}.${name} (${label}, ${position}): ${e.code} ${e.message}`)
          })
          checked++
        }
      }
    }
  }
  assert.ok(checked > 300, `${checked} calls checked`)
})

test('a throwing getter in the client options throws a CalibreError from the constructor', () => {
  for (const options of [throwingProxy(), throwingGetter('token'), throwingGetter('host'), throwingGetter('onTokenRefreshed')]) {
    assert.throws(() => new Calibre(options), (e) => e.code === 'CALIBRE_INVALID_ARGUMENT')
  }
})
