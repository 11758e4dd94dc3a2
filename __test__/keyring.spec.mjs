// The OS keyring for real: set, resolve, call, refresh, list, remove, cross-checked with the
// store's own tool. On Linux it needs a Secret Service on a session bus, which
// scripts/test-keyring.sh starts (dbus-run-session + an unlocked gnome-keyring) before running
// this file with CALIBRE_TEST_SECRET_SERVICE=1; the Windows run uses Wine's Credential Manager.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Token, GraphQL, Calibre } from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { runChild } from './helpers/child.mjs'
import { isolatedEnv, childEnv } from './helpers/env.mjs'
import { onWindows } from './helpers/platform.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = path.join(root, 'bin', 'calibre-native.js')
const secretService = process.env.CALIBRE_TEST_SECRET_SERVICE === '1'
const skip = !secretService && !onWindows && 'needs a Secret Service: run scripts/test-keyring.sh'
const QUERY = { query: '{ organisation { sites { slug } } }' }
let server
let env

before(async () => { server = await startRecorder() })
after(async () => { await server?.close() })
beforeEach(() => {
  env = isolatedEnv({ CALIBRE_HOST: server.url })
  server.reply = () => ({ body: { data: { organisation: { sites: [] } } } })
})
afterEach(() => {
  // Leave the keyring as it was found, whatever the test did.
  for (const profile of [undefined, 'work']) {
    try { Token.remove(profile ? { profile } : undefined) } catch {}
  }
  env.restore()
})

/** What the store's own tool finds for `account` (Linux only), or null. */
function lookup(account) {
  if (!secretService) return undefined
  try {
    return execFileSync('secret-tool', ['lookup', 'service', 'calibre-native', 'username', account], { encoding: 'utf8' })
  } catch {
    return null
  }
}

const readConfig = () => JSON.parse(fs.readFileSync(env.configPath, 'utf8'))

test('set in the keyring, resolve, call, refresh back into it, remove', { skip }, async () => {
  const set = Token.set('kr-token-1111', { store: 'keyring' })
  assert.equal(set.store, 'keyring')
  const file = fs.readFileSync(env.configPath, 'utf8')
  assert.ok(!file.includes('kr-token-1111'), 'the file never holds a keyring token')
  assert.equal(readConfig().token, null)
  assert.equal(readConfig()['calibre-native'].tokenStore, 'keyring')
  if (secretService) assert.equal(lookup('default'), 'kr-token-1111')
  assert.deepEqual(Token.resolve(), { token: 'kr-token-1111', source: 'keyring' })
  assert.equal((await Token.status()).source, 'keyring')
  await GraphQL.request(QUERY)
  assert.equal(server.last().headers.authorization, 'Token kr-token-1111')
  server.reply = (r) => r.path === '/api/refresh_token'
    ? { body: { token: 'kr-token-2222', expires_at: '2031-01-01T00:00:00.000Z' } }
    : { body: { data: {} } }
  assert.equal((await Token.refresh()).persisted, true)
  if (secretService) assert.equal(lookup('default'), 'kr-token-2222', 'the refreshed token went back to the keyring')
  assert.equal(Token.resolve().token, 'kr-token-2222')
  assert.equal(readConfig()['calibre-native'].tokenExpiresAt, '2031-01-01T00:00:00.000Z')
  assert.ok(!fs.readFileSync(env.configPath, 'utf8').includes('kr-token-2222'))
  assert.equal(Token.remove().removed, true)
  if (secretService) assert.equal(lookup('default'), null, 'the item is gone')
  assert.throws(() => Token.resolve(), { code: 'CALIBRE_TOKEN_MISSING' })
})

test('a profile in the keyring from the CLI, found by secret-tool, listed masked, used and removed', { skip }, async () => {
  const cli = (args, input = '') => runChild(process.execPath, [bin, ...args], {
    input,
    env: { ...process.env, ...childEnv(env.dir), XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, CALIBRE_HOST: server.url },
  })
  let r = await cli(['token', 'set', '--profile', 'work', '--keyring', '-'], 'work-kr-3333\n')
  assert.equal(r.code, 0, r.stderr)
  if (secretService) {
    assert.equal(lookup('work'), 'work-kr-3333')
    // Changed from outside with the store's own tool: the next process sends the new one.
    execFileSync('secret-tool', ['store', '--label', 'Calibre API token (work)', 'service', 'calibre-native', 'username', 'work'], { input: 'work-kr-4444' })
  }
  r = await cli(['token', 'list', '--json'])
  const work = JSON.parse(r.stdout).profiles.find((p) => p.name === 'work')
  assert.equal(work.store, 'keyring')
  assert.equal(work.masked, 'work…', 'read from the keyring to mask it')
  r = await cli(['--profile', 'work', 'site', 'list', '--json'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(server.last().headers.authorization, secretService ? 'Token work-kr-4444' : 'Token work-kr-3333')
  assert.equal(new Calibre({ profile: 'work' }).Token.resolve().source, 'keyring')
  r = await cli(['--profile', 'work', 'token', 'remove'])
  assert.equal(r.code, 0, r.stderr)
  if (secretService) assert.equal(lookup('work'), null)
})
