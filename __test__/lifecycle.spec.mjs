// Expiry awareness beyond calibre@7: automatic single-flight refresh of tokens whose expiry
// is known, onTokenRefreshed, Token.status.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { Calibre, Token } from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { isolatedEnv, writeConfig, childEnv } from './helpers/env.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
let server
let env
const inMinutes = (m) => new Date(Date.now() + m * 60000).toISOString()

before(async () => { server = await startRecorder() })
after(async () => { await server.close() })
beforeEach(() => {
  env = isolatedEnv({ CALIBRE_HOST: server.url })
  server.requests.length = 0
})
afterEach(() => env.restore())

function refreshingServer(newToken, expiresAt, { delayMs = 0 } = {}) {
  server.reply = async (r) => {
    if (r.path === '/api/refresh_token') {
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      return { body: { token: newToken, expires_at: expiresAt } }
    }
    return { body: { data: { ok: true } } }
  }
}

const refreshes = () => server.requests.filter((r) => r.path === '/api/refresh_token')

test('a file token about to expire is refreshed once, before the calls, and rewritten in the file', async () => {
  writeConfig(env.configPath, JSON.stringify({ token: 'old', tokenExpiresAt: inMinutes(2), other: 1 }, null, '\t'))
  const later = inMinutes(60 * 24)
  refreshingServer('new', later, { delayMs: 100 })
  const client = new Calibre({ throttle: false })
  await Promise.all(Array.from({ length: 10 }, () => client.GraphQL.request({ query: '{ a }' })))
  assert.equal(refreshes().length, 1, 'single flight: one refresh for ten concurrent calls')
  assert.equal(refreshes()[0].headers.authorization, 'Token old')
  const calls = server.requests.filter((r) => r.path === '/graphql')
  assert.deepEqual([...new Set(calls.map((r) => r.headers.authorization))], ['Token new'])
  const stored = JSON.parse(fs.readFileSync(env.configPath, 'utf8'))
  assert.deepEqual(stored, { token: 'new', tokenExpiresAt: later, other: 1 })
  await client.GraphQL.request({ query: '{ a }' })
  assert.equal(refreshes().length, 1, 'the new expiry is far away: no more refreshes')
})

test('autoRefresh: false never refreshes', async () => {
  writeConfig(env.configPath, JSON.stringify({ token: 'old', tokenExpiresAt: inMinutes(1) }))
  refreshingServer('new', inMinutes(60))
  await new Calibre({ autoRefresh: false }).GraphQL.request({ query: '{ a }' })
  assert.equal(refreshes().length, 0)
  assert.equal(server.last().headers.authorization, 'Token old')
})

test('a failed refresh keeps the still-valid token and warns once', async () => {
  writeConfig(env.configPath, JSON.stringify({ token: 'old', tokenExpiresAt: inMinutes(3) }))
  server.reply = (r) => r.path === '/api/refresh_token'
    ? { status: 403, body: { error: 'Forbidden', message: 'Requests from IP address 127.0.0.1 are not allowed' } }
    : { body: { data: { ok: true } } }
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  try {
    const client = new Calibre({ throttle: false })
    for (let i = 0; i < 3; i++) assert.deepEqual(await client.GraphQL.request({ query: '{ a }' }), { ok: true })
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.off('warning', onWarning)
  }
  assert.equal(refreshes().length, 1, 'at most one attempt per 30 s')
  const ours = warnings.filter((w) => w.code === 'CALIBRE_TOKEN_REFRESH_FAILED')
  assert.equal(ours.length, 1)
  assert.match(ours[0].message, /Allowed IP Addresses/)
  assert.equal(server.last().headers.authorization, 'Token old')
  assert.equal(JSON.parse(fs.readFileSync(env.configPath, 'utf8')).token, 'old', 'file untouched')
})

test('a token passed in code is followed by its refreshed successor, and onTokenRefreshed hears of it', async () => {
  refreshingServer('successor', inMinutes(90))
  const heard = []
  const client = new Calibre({ token: 'original', onTokenRefreshed: (info) => heard.push(info) })
  const result = await client.Token.refresh()
  assert.deepEqual(result, { token: 'successor', expiresAt: heard[0]?.expiresAt, persisted: false })
  assert.deepEqual(heard, [{ token: 'successor', expiresAt: heard[0].expiresAt, persisted: false, source: 'option' }])
  await client.GraphQL.request({ query: '{ a }' })
  assert.equal(server.last().headers.authorization, 'Token successor')
  assert.ok(!fs.existsSync(env.configPath), 'nothing persisted without persist: true')
})

test('a throwing onTokenRefreshed does not break the call', async () => {
  refreshingServer('n2', inMinutes(90))
  const client = new Calibre({ token: 't', onTokenRefreshed: () => { throw new Error('user bug') } })
  assert.equal((await client.Token.refresh()).token, 'n2')
  assert.throws(() => new Calibre({ onTokenRefreshed: 'nope' }), { code: 'CALIBRE_INVALID_ARGUMENT' })
})

test('Token.status reports source, masked token, expiry and the outcome of a check', async () => {
  const expiresAt = inMinutes(30)
  writeConfig(env.configPath, JSON.stringify({ token: 'abcdef123456', tokenExpiresAt: expiresAt }))
  const status = await Token.status()
  assert.equal(status.source, 'file')
  assert.equal(status.path, env.configPath)
  assert.equal(status.masked, 'abcd…')
  assert.equal(status.expiresAt, expiresAt)
  assert.ok(status.expiresInMs > 29 * 60000 && status.expiresInMs <= 30 * 60000)
  assert.equal(status.writable, true)
  assert.equal(status.shadowedByEnv, false)
  assert.equal(status.check, undefined)
  assert.ok(!JSON.stringify(status).includes('abcdef123456'))

  process.env.CALIBRE_API_TOKEN = 'envtoken'
  const shadowed = await Token.status()
  assert.deepEqual([shadowed.source, shadowed.shadowedByEnv, shadowed.expiresAt], ['env', true, null])

  const cases = [
    [{ body: { data: { __typename: 'Query' } } }, 'valid'],
    [{ status: 403, body: { message: 'This API token has expired' } }, 'expired'],
    [{ status: 403, body: { message: 'Requests from IP address 1.2.3.4 are not allowed' } }, 'ip-not-allowed'],
    [{ status: 401, body: { error: 'Unauthorized' } }, 'invalid'],
  ]
  for (const [reply, check] of cases) {
    server.reply = () => reply
    const result = await new Calibre({ retries: false }).Token.status({ check: true })
    assert.equal(result.check, check)
  }
  assert.equal(server.last().text, '{"query":"query TokenStatus { __typename }","variables":{},"operationName":"TokenStatus"}')
})

test('the official CLI\'s configstore still reads a file carrying tokenExpiresAt', async () => {
  writeConfig(env.configPath, JSON.stringify({ token: 'abc', tokenExpiresAt: inMinutes(30) }, null, '\t'))
  const script = `import Configstore from 'configstore'; console.log(new Configstore('calibre').get('token'))`
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...childEnv(env.dir), XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME },
  })
  assert.equal(stdout.trim(), 'abc')
  Token.set('fresh')
  assert.deepEqual(JSON.parse(fs.readFileSync(env.configPath, 'utf8')), { token: 'fresh' }, 'a new token forgets the old expiry')
})
