// The Token namespace: resolution order, the config file shared with the official CLI
// (interop both ways with calibre@7's own configstore), and refresh.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { Token, Calibre, GraphQL } from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { isolatedEnv, writeConfig, childEnv } from './helpers/env.mjs'
import { assertPrivate, configDirEntries } from './helpers/platform.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)
let server
let env

before(async () => { server = await startRecorder() })
after(async () => { await server.close() })
beforeEach(() => {
  env = isolatedEnv({ CALIBRE_HOST: server.url })
  server.reply = () => ({ body: { data: { ok: true } } })
})
afterEach(() => env.restore())

/** Runs calibre@7's own configstore in a child with this test's XDG_CONFIG_HOME. */
async function configstore(code) {
  const script = `import Configstore from 'configstore'; const config = new Configstore('calibre'); ${code}`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...childEnv(env.dir), XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME },
  })
  return stdout.trim()
}

test('resolve reports the source: option > env > file', () => {
  writeConfig(env.configPath, '{"token": "file-token"}')
  assert.deepEqual(Token.resolve(), { token: 'file-token', source: 'file', path: env.configPath })
  process.env.CALIBRE_API_TOKEN = 'env-token'
  assert.deepEqual(Token.resolve(), { token: 'env-token', source: 'env' })
  assert.deepEqual(new Calibre({ token: 'opt-token' }).Token.resolve(), { token: 'opt-token', source: 'option' })
})

test('no token anywhere: CALIBRE_TOKEN_MISSING saying where we looked and our command, then calibre@7\'s text', () => {
  assert.throws(() => Token.resolve(), (e) => {
    assert.equal(e.code, 'CALIBRE_TOKEN_MISSING')
    assert.ok(e.message.startsWith('No Calibre API token found. Looked in: '), e.message)
    assert.ok(e.message.indexOf('`calibre-native token set -`') < e.message.indexOf('`calibre token set`'), 'our command first')
    assert.ok(e.message.endsWith('Please set your Calibre API token by running `calibre token set`\n or set the environment variable CALIBRE_API_TOKEN.\n\n See calibreapp.com/docs/api/tokens for help.'))
    assert.ok(e.message.includes('CALIBRE_API_TOKEN (not set)'))
    assert.ok(e.message.includes(env.configPath))
    return true
  })
})

test('set writes the file as configstore does and keeps other keys', () => {
  writeConfig(env.configPath, '{\n\t"other": {\n\t\t"nested": [\n\t\t\t1\n\t\t]\n\t}\n}')
  fs.chmodSync(env.configPath, 0o644)
  const result = Token.set('  abc123  ')
  assert.deepEqual(result, { path: env.configPath, store: 'file', shadowedByEnv: false })
  assert.equal(fs.readFileSync(env.configPath, 'utf8'), '{\n\t"other": {\n\t\t"nested": [\n\t\t\t1\n\t\t]\n\t},\n\t"token": "abc123"\n}')
  assertPrivate(env.configPath, 0o600)
  assert.deepEqual(fs.readdirSync(path.dirname(env.configPath)), configDirEntries)
})

test('set creates private directories and reports env shadowing', () => {
  process.env.CALIBRE_API_TOKEN = 'env-wins'
  assert.deepEqual(Token.set('stored'), { path: env.configPath, store: 'file', shadowedByEnv: true })
  assertPrivate(path.dirname(env.configPath), 0o700)
  assert.equal(Token.resolve().token, 'env-wins')
})

test('set rejects bad tokens without touching the file', () => {
  assert.throws(() => Token.set('two words'), { code: 'CALIBRE_TOKEN_INVALID' })
  assert.throws(() => Token.set(''), { code: 'CALIBRE_INVALID_ARGUMENT' })
  assert.throws(() => Token.set({}), { code: 'CALIBRE_INVALID_ARGUMENT' })
  assert.ok(!fs.existsSync(env.configPath))
})

test('remove writes "token": null like `calibre token remove`, and nothing when unset', () => {
  assert.deepEqual(Token.remove(), { path: env.configPath, removed: false })
  assert.ok(!fs.existsSync(env.configPath), 'nothing written when there was no token')
  Token.set('abc')
  assert.deepEqual(Token.remove(), { path: env.configPath, removed: true })
  assert.equal(fs.readFileSync(env.configPath, 'utf8'), '{\n\t"token": null\n}')
})

test('a corrupt config file is reported and left byte-for-byte untouched', async () => {
  writeConfig(env.configPath, '{"token": "abc",')
  for (const call of [() => Token.resolve(), () => Token.set('x'), () => Token.remove()]) {
    assert.throws(call, (e) => e.code === 'CALIBRE_CONFIG_CORRUPT' && e.message.includes(env.configPath))
  }
  await assert.rejects(GraphQL.request({ query: '{ a }' }), { code: 'CALIBRE_CONFIG_CORRUPT' })
  assert.equal(fs.readFileSync(env.configPath, 'utf8'), '{"token": "abc",')
})

test('an unreadable config file is CALIBRE_CONFIG_ACCESS', () => {
  fs.mkdirSync(env.configPath, { recursive: true }) // a directory where the file should be
  assert.throws(() => Token.resolve(), { code: 'CALIBRE_CONFIG_ACCESS' })
})

test('interop: a token stored by calibre@7\'s configstore is read by us', async () => {
  await configstore(`config.set('token', 'from-official-cli'); config.set('keep', 1)`)
  assert.deepEqual(Token.resolve(), { token: 'from-official-cli', source: 'file', path: env.configPath })
  await configstore(`config.set('token', 123456)`) // yargs stores numeric tokens as numbers
  assert.equal(Token.resolve().token, '123456')
})

test('interop: a token we store is read back by calibre@7\'s configstore, other keys kept', async () => {
  await configstore(`config.set('keep', 'me')`)
  Token.set('from-native')
  assert.equal(await configstore(`console.log(config.get('token') + ' ' + config.get('keep'))`), 'from-native me')
  Token.remove()
  assert.equal(await configstore(`console.log(String(config.get('token')))`), 'null')
})

test('interop without XDG_CONFIG_HOME: the home folder is the one Node (so calibre@7) uses, for resolve, set and remove', async () => {
  delete process.env.XDG_CONFIG_HOME
  const home = env.dir
  const official = async (code) => {
    const script = `import Configstore from 'configstore'; const config = new Configstore('calibre'); ${code}`
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env: childEnv(home) })
    return stdout.trim()
  }
  const stored = await official(`config.set('token', 'home-token'); console.log(config.path)`)
  assert.equal(stored, path.join(home, '.config', 'configstore', 'calibre.json'))
  assert.deepEqual(Token.resolve(), { token: 'home-token', source: 'file', path: stored })
  assert.deepEqual(Token.set('set-by-native'), { path: stored, store: 'file', shadowedByEnv: false })
  assert.equal(await official(`console.log(config.get('token'))`), 'set-by-native')
  assert.deepEqual(Token.remove(), { path: stored, removed: true })
  assert.equal(await official(`console.log(String(config.get('token')))`), 'null')
})

test('a config file another program holds open: replaced once it is let go, else CALIBRE_CONFIG_ACCESS naming it',
  { skip: process.platform !== 'win32' && 'only Windows refuses to replace a file that another program holds open' },
  async () => {
    writeConfig(env.configPath, '{"token": "old"}')
    /** Opens the config file in another process, for `ms`; resolves once it is open. */
    const hold = async (ms) => {
      const code = 'const fs = require("fs"); const fd = fs.openSync(process.argv[1], "r"); console.log("open"); setTimeout(() => fs.closeSync(fd), Number(process.argv[2]))'
      const holder = spawn(process.execPath, ['-e', code, env.configPath, String(ms)], { env: childEnv(env.dir) })
      await once(holder.stdout, 'data')
      return holder
    }
    let holder = await hold(300)
    Token.set('after-a-short-hold')
    assert.equal(Token.resolve().token, 'after-a-short-hold')
    await once(holder, 'exit')
    holder = await hold(5000)
    assert.throws(() => Token.set('during-a-long-hold'), (e) => {
      assert.equal(e.code, 'CALIBRE_CONFIG_ACCESS')
      assert.ok(e.message.includes(env.configPath), e.message)
      assert.match(e.message, /another program kept it open/)
      return true
    })
    assert.equal(JSON.parse(fs.readFileSync(env.configPath, 'utf8')).token, 'after-a-short-hold', 'left as it was')
    holder.kill()
    await once(holder, 'exit')
    assert.deepEqual(fs.readdirSync(path.dirname(env.configPath)), configDirEntries, 'no temp file left')
  })

test('refresh posts to the app host with the token and persists a new file token', async () => {
  Token.set('old-token')
  server.reply = (r) => r.path === '/api/refresh_token'
    ? { body: { token: 'new-token', expires_at: '2027-01-01T00:00:00.000Z' } }
    : { body: { data: {} } }
  const result = await Token.refresh()
  assert.deepEqual(result, { token: 'new-token', expiresAt: '2027-01-01T00:00:00.000Z', persisted: true })
  const r = server.last()
  assert.equal(r.method, 'POST')
  assert.equal(r.path, '/api/refresh_token')
  assert.equal(r.headers.authorization, 'Token old-token')
  assert.equal(Token.resolve().token, 'new-token')
})

test('refresh accepts an empty 2xx (token unchanged) and does not persist env tokens', async () => {
  process.env.CALIBRE_API_TOKEN = 'env-token'
  server.reply = () => ({ status: 204, body: '', contentType: 'text/plain' })
  assert.deepEqual(await Token.refresh(), { token: 'env-token', expiresAt: null, persisted: false })
  assert.ok(!fs.existsSync(env.configPath))
  assert.deepEqual(await Token.refresh({ token: 'explicit', persist: true }), { token: 'explicit', expiresAt: null, persisted: true })
  assert.equal(server.last().headers.authorization, 'Token explicit')
  assert.equal(JSON.parse(fs.readFileSync(env.configPath, 'utf8')).token, 'explicit')
})

test('refresh honours CALIBRE_APP_HOST and the client appHost', async () => {
  const app = await startRecorder(() => ({ body: {} }))
  try {
    process.env.CALIBRE_APP_HOST = app.url
    await Token.refresh({ token: 't1' })
    delete process.env.CALIBRE_APP_HOST
    await new Calibre({ token: 't2', appHost: app.url }).Token.refresh()
    assert.deepEqual(app.requests.map((r) => [r.path, r.headers.authorization]), [['/api/refresh_token', 'Token t1'], ['/api/refresh_token', 'Token t2']])
  } finally {
    await app.close()
  }
})

test('refresh failures are classified: expired, IP not allowed, unknown', async () => {
  process.env.CALIBRE_API_TOKEN = 'secret-token-value'
  const cases = [
    [403, { error: 'Forbidden', message: 'This API token has expired.' }, 'CALIBRE_TOKEN_EXPIRED'],
    [403, { error: 'Forbidden', message: 'Requests from IP address 127.0.0.1 are not allowed for this API token.' }, 'CALIBRE_IP_NOT_ALLOWED'],
    [401, { error: 'Unauthorized' }, 'CALIBRE_UNAUTHORIZED'],
  ]
  for (const [status, body, code] of cases) {
    server.reply = () => ({ status, body })
    await assert.rejects(Token.refresh(), (e) => {
      assert.equal(e.code, code)
      assert.equal(e.status, status)
      assert.equal(e.tokenSource, 'env')
      assert.ok(!JSON.stringify(e).includes('secret-token-value') && !e.stack.includes('secret-token-value'))
      return true
    })
  }
})
