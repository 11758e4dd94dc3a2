// Every token source of the one chain (auth/chain.rs): what each sends as `Authorization` to a
// recording server and reports as its `source`, the order between them, profiles (interop with
// calibre@7's own `token` in the same file), token functions, commands and secret files. The
// OS keyring's round trip needs a Secret Service: keyring.spec.mjs, run by scripts/test-keyring.sh.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { Token, Calibre, GraphQL } from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { runChild } from './helpers/child.mjs'
import { isolatedEnv, writeConfig, childEnv } from './helpers/env.mjs'
import { onWindows } from './helpers/platform.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = path.join(root, 'bin', 'calibre-native.js')
const run = promisify(execFile)
const QUERY = { query: '{ organisation { sites { slug } } }' }
let server
let env

before(async () => { server = await startRecorder() })
after(async () => { await server.close() })
beforeEach(() => {
  env = isolatedEnv({ CALIBRE_HOST: server.url })
  server.reply = () => ({ body: { data: { organisation: { sites: [] } } } })
})
afterEach(() => env.restore())

const sent = () => server.last().headers.authorization
const readConfig = () => JSON.parse(fs.readFileSync(env.configPath, 'utf8'))

/** A command line (split like a shell would, run without one) that runs `script` with Node. */
function nodeCommand(name, script) {
  const file = path.join(env.dir, name)
  fs.writeFileSync(file, script)
  return `${JSON.stringify(process.execPath)} ${JSON.stringify(file)}`
}

/** A token command that prints `output` and counts its runs in a file. */
function countingCommand(output, { exitCode = 0, stderr = '' } = {}) {
  const counter = path.join(env.dir, `runs-${Math.random().toString(36).slice(2)}`)
  const line = nodeCommand(`cmd-${path.basename(counter)}.cjs`, `
    const fs = require('fs')
    fs.appendFileSync(${JSON.stringify(counter)}, 'x')
    process.stderr.write(${JSON.stringify(stderr)})
    process.stdout.write(${JSON.stringify(output)})
    process.exitCode = ${exitCode}
  `)
  return { line, runs: () => (fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8').length : 0) }
}

/** Runs our CLI in a child with this test's home, XDG_CONFIG_HOME and `extra`. */
function cli(args, { input, extra = {} } = {}) {
  return runChild(process.execPath, [bin, ...args], {
    input,
    env: { ...childEnv(env.dir), XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, CALIBRE_HOST: server.url, ...extra },
  })
}

test('each source sends its own token and reports itself', async () => {
  const cases = []
  writeConfig(env.configPath, JSON.stringify({ token: 'from-file' }))
  cases.push(['file', 'from-file', {}])
  const secretFile = path.join(env.dir, 'secret token')
  fs.writeFileSync(secretFile, '  from-secret-file\n')
  cases.push(['env-file', 'from-secret-file', { CALIBRE_API_TOKEN_FILE: secretFile }])
  cases.push(['command', 'from-command', { CALIBRE_TOKEN_COMMAND: countingCommand('from-command\n').line }])
  cases.push(['env', 'from-env', { CALIBRE_API_TOKEN: 'from-env' }])
  for (const [source, token, vars] of cases) {
    Object.assign(process.env, vars)
    await GraphQL.request(QUERY)
    assert.equal(sent(), `Token ${token}`, source)
    assert.equal((await Token.status()).source, source)
    assert.equal(Token.resolve().source, source)
    for (const k of Object.keys(vars)) delete process.env[k]
  }
  await new Calibre({ token: 'from-option' }).GraphQL.request(QUERY)
  assert.equal(sent(), 'Token from-option')
  const fn = new Calibre({ token: async () => 'from-function' })
  await fn.GraphQL.request(QUERY)
  assert.equal(sent(), 'Token from-function')
  assert.equal((await fn.Token.status()).source, 'function')
  await new Calibre({ token: () => 'from-sync-function' }).GraphQL.request(QUERY)
  assert.equal(sent(), 'Token from-sync-function')
})

test('order: option > named profile > CALIBRE_API_TOKEN > _FILE > command > default profile > file', async () => {
  const secretFile = path.join(env.dir, 'secret')
  fs.writeFileSync(secretFile, 'f-env-file')
  const command = countingCommand('f-command')
  writeConfig(env.configPath, JSON.stringify({
    token: 'f-top',
    'calibre-native': { default: 'dflt', profiles: { dflt: { store: 'file', token: 'f-default' }, named: { store: 'file', token: 'f-named' } } },
  }))
  Object.assign(process.env, { CALIBRE_API_TOKEN: 'f-env', CALIBRE_API_TOKEN_FILE: secretFile, CALIBRE_TOKEN_COMMAND: command.line })
  assert.equal(new Calibre({ token: 'f-option', profile: 'named' }).Token.resolve().token, 'f-option')
  assert.equal(new Calibre({ profile: 'named' }).Token.resolve().token, 'f-named', 'a named profile skips the environment')
  process.env.CALIBRE_PROFILE = 'named'
  assert.deepEqual(Token.resolve(), { token: 'f-named', source: 'file', path: env.configPath, profile: 'named' })
  delete process.env.CALIBRE_PROFILE
  const order = []
  for (const drop of ['CALIBRE_API_TOKEN', 'CALIBRE_API_TOKEN_FILE', 'CALIBRE_TOKEN_COMMAND', 'default']) {
    order.push(Token.resolve().token)
    if (drop === 'default') Token.use('default')
    else delete process.env[drop]
  }
  order.push(Token.resolve().token)
  assert.deepEqual(order, ['f-env', 'f-env-file', 'f-command', 'f-default', 'f-top'])
  assert.equal(command.runs(), 1, 'the command ran only when it was the source')
})

test('a named profile that does not exist is an error, never another token', async () => {
  writeConfig(env.configPath, JSON.stringify({ token: 'other-org', 'calibre-native': { profiles: { work: { store: 'file', token: 'w' } } } }))
  process.env.CALIBRE_API_TOKEN = 'env-org'
  const before = server.requests.length
  const refused = (e) => {
    assert.equal(e.code, 'CALIBRE_TOKEN_MISSING')
    assert.match(e.message, /no profile named "wrok".*profiles: work/)
    return true
  }
  await assert.rejects(new Calibre({ profile: 'wrok' }).GraphQL.request(QUERY), refused)
  process.env.CALIBRE_PROFILE = 'wrok'
  await assert.rejects(GraphQL.request(QUERY), refused)
  assert.equal(server.requests.length, before, 'no request was made')
  const { code, stderr } = await cli(['--profile', 'wrok', 'site', 'list', '--json'], { extra: { CALIBRE_API_TOKEN: 'env-org' } })
  assert.equal(code, 1)
  assert.match(stderr, /no profile named "wrok"/)
  assert.throws(() => new Calibre({ profile: '../etc' }), { code: 'CALIBRE_INVALID_ARGUMENT' })
})

test('profiles from the CLI: set, list, use, a profile host; calibre@7 keeps its own token in the same file', async () => {
  const other = await startRecorder(() => ({ body: { data: { organisation: { sites: [] } } } }))
  try {
    let r = await cli(['token', 'set', '-'], { input: 'top-token\n' })
    assert.equal(r.code, 0, r.stderr)
    r = await cli(['token', 'set', '--profile', 'work', '--host', other.url, '-'], { input: 'work-token' })
    assert.equal(r.code, 0, r.stderr)
    r = await cli(['token', 'set', '--profile', 'ci', '--command', countingCommand('ci-token').line])
    assert.equal(r.code, 0, r.stderr)
    const stored = readConfig()
    assert.equal(stored.token, 'top-token', 'calibre@7\'s key is still its own')
    assert.equal(stored['calibre-native'].profiles.ci.token, undefined, 'a command profile stores no token')
    r = await cli(['token', 'list', '--json'])
    const list = JSON.parse(r.stdout)
    assert.equal(list.default, 'default')
    assert.deepEqual(list.profiles.map((p) => [p.name, p.store, p.masked, p.default]), [
      ['default', 'file', 'top-…', true], ['work', 'file', 'work…', false], ['ci', 'command', null, false],
    ])
    assert.ok(!r.stdout.includes('work-token') && !r.stdout.includes('top-token'), 'never a whole token')
    r = await cli(['token', 'list'])
    assert.match(r.stdout, /^\* default +file +top-…$/m)
    r = await cli(['token', 'use', 'work'])
    assert.equal(r.code, 0, r.stderr)
    // The default profile's host, where CALIBRE_HOST does not say otherwise (blank = unset).
    r = await cli(['site', 'list', '--json'], { extra: { CALIBRE_HOST: '' } })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(other.last().headers.authorization, 'Token work-token', 'the default profile and its host')
    r = await cli(['--profile', 'ci', 'site', 'list', '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(sent(), 'Token ci-token')
    // calibre@7's configstore reads its own token from the file that holds the profiles.
    const script = "import Configstore from 'configstore'; console.log(new Configstore('calibre').get('token'))"
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root, env: { ...childEnv(env.dir), XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME },
    })
    assert.equal(stdout.trim(), 'top-token')
    r = await cli(['--profile', 'work', 'token', 'remove'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(readConfig()['calibre-native'].profiles.work, undefined)
    assert.equal(readConfig()['calibre-native'].default, undefined, 'the default went with its profile')
    assert.equal(readConfig().token, 'top-token')
  } finally {
    await other.close()
  }
})

test('Token.set with a profile, Token.list, Token.use and a refresh written back to the profile', async () => {
  assert.deepEqual(Token.set('p-old', { profile: 'team' }), { path: env.configPath, store: 'file', profile: 'team', shadowedByEnv: false })
  Token.use('team')
  assert.equal(Token.list().default, 'team')
  server.reply = (r) => r.path === '/api/refresh_token'
    ? { body: { token: 'p-new', expires_at: '2031-01-01T00:00:00.000Z' } }
    : { body: { data: {} } }
  const result = await Token.refresh()
  assert.equal(server.last().headers.authorization, 'Token p-old')
  assert.equal(result.persisted, true)
  const entry = readConfig()['calibre-native'].profiles.team
  assert.equal(entry.token, 'p-new')
  assert.equal(entry.tokenExpiresAt, '2031-01-01T00:00:00.000Z')
  assert.equal(readConfig().token, undefined, 'calibre@7\'s key was not touched')
  assert.throws(() => Token.use('nope'), { code: 'CALIBRE_INVALID_ARGUMENT' })
  assert.throws(() => Token.set('x', { store: 'vault' }), { code: 'CALIBRE_INVALID_ARGUMENT' })
})

test('a token function is called when each call starts; a throw or rejection becomes the cause', async () => {
  let calls = 0
  const client = new Calibre({ token: async () => `fn-${++calls}` })
  await client.GraphQL.request(QUERY)
  await client.GraphQL.request(QUERY)
  assert.equal(sent(), 'Token fn-2')
  const reason = new Error('vault sealed')
  await assert.rejects(new Calibre({ token: () => Promise.reject(reason) }).GraphQL.request(QUERY), (e) => {
    assert.equal(e.code, 'CALIBRE_TOKEN_MISSING')
    assert.equal(e.tokenSource, 'function')
    assert.match(e.message, /`token` function rejected/)
    assert.equal(e.cause, reason)
    return true
  })
  const thrown = new TypeError('no secret')
  await assert.rejects(new Calibre({ token: () => { throw thrown } }).GraphQL.request(QUERY), (e) => e.cause === thrown)
  await assert.rejects(new Calibre({ token: async () => undefined }).GraphQL.request(QUERY), /returned undefined/)
  await assert.rejects(new Calibre({ token: async () => 'two words' }).GraphQL.request(QUERY), { code: 'CALIBRE_TOKEN_INVALID' })
  assert.throws(() => new Calibre({ token: async () => 't' }).Token.resolve(), { code: 'CALIBRE_INVALID_ARGUMENT' })
  assert.equal(new Calibre({ token: () => 'sync-t' }).Token.resolve().source, 'function')
})

test('a token command: run once and cached, run again after a 401, JSON with expiry, failures without its output', async () => {
  const cmd = countingCommand('{"token":"c-1","expiresAt":"2031-01-01T00:00:00Z"}')
  process.env.CALIBRE_TOKEN_COMMAND = cmd.line
  const client = new Calibre()
  await client.GraphQL.request(QUERY)
  await client.GraphQL.request(QUERY)
  assert.equal(cmd.runs(), 1, 'cached in memory')
  assert.equal((await client.Token.status()).expiresAt, '2031-01-01T00:00:00.000Z')
  // The server refuses it: the command runs once more, and the new token is sent.
  const rotating = countingCommand('ignored')
  const printed = path.join(env.dir, 'printed')
  fs.writeFileSync(printed, 'c-old')
  process.env.CALIBRE_TOKEN_COMMAND = nodeCommand('rotate.cjs', `
    const fs = require('fs'); process.stdout.write(fs.readFileSync(${JSON.stringify(printed)}, 'utf8'))
  `)
  const rotated = new Calibre()
  await rotated.GraphQL.request(QUERY)
  fs.writeFileSync(printed, 'c-new')
  server.reply = (r) => r.headers.authorization === 'Token c-old' ? { status: 401, body: { errors: [{ message: 'unauthorized' }] } } : { body: { data: {} } }
  await rotated.GraphQL.request(QUERY)
  assert.deepEqual(server.requests.slice(-2).map((r) => r.headers.authorization), ['Token c-old', 'Token c-new'])
  assert.equal(rotating.runs(), 0)
  // Failures: exit status named, stderr and stdout never in the message.
  process.env.CALIBRE_TOKEN_COMMAND = countingCommand('leaked-stdout', { exitCode: 3, stderr: 'leaked-stderr\n' }).line
  await assert.rejects(new Calibre().GraphQL.request(QUERY), (e) => {
    assert.equal(e.code, 'CALIBRE_TOKEN_COMMAND_FAILED')
    assert.match(e.message, /exited with status 3/)
    assert.ok(!e.message.includes('leaked'), e.message)
    assert.equal(e.tokenSource, 'command')
    return true
  })
  process.env.CALIBRE_TOKEN_COMMAND = 'no-such-password-manager read x'
  await assert.rejects(new Calibre().GraphQL.request(QUERY), /could not be started/)
  process.env.CALIBRE_TOKEN_COMMAND = nodeCommand('slow.cjs', 'setTimeout(() => {}, 30000)')
  process.env.CALIBRE_TOKEN_COMMAND_TIMEOUT_MS = '300'
  const started = Date.now()
  await assert.rejects(new Calibre().GraphQL.request(QUERY), /did not finish within 300 ms/)
  assert.ok(Date.now() - started < 10000)
})

test('a token command gets the caller\'s whole process.env and its stderr reaches the user', async () => {
  const line = nodeCommand('envcheck.cjs', "process.stderr.write('prompt-on-stderr\\n'); process.stdout.write(process.env.MY_VAULT_SESSION || 'missing')")
  const r = await cli(['token', 'status', '--json'], { extra: { CALIBRE_TOKEN_COMMAND: line, MY_VAULT_SESSION: 'sess-token' } })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout).source, 'command')
  assert.equal(JSON.parse(r.stdout).masked, 'sess…')
  assert.match(r.stderr, /prompt-on-stderr/)
})

test('CALIBRE_API_TOKEN_FILE: trimmed contents; unreadable is CALIBRE_CONFIG_ACCESS naming the file; empty is missing', async () => {
  const missing = path.join(env.dir, 'nope', 'token')
  process.env.CALIBRE_API_TOKEN_FILE = missing
  await assert.rejects(GraphQL.request(QUERY), (e) => {
    assert.equal(e.code, 'CALIBRE_CONFIG_ACCESS')
    assert.ok(e.message.includes(missing), e.message)
    return true
  })
  const empty = path.join(env.dir, 'empty')
  fs.writeFileSync(empty, '\n')
  process.env.CALIBRE_API_TOKEN_FILE = empty
  writeConfig(env.configPath, JSON.stringify({ token: 'must-not-be-used' }))
  assert.throws(() => Token.resolve(), (e) => e.code === 'CALIBRE_TOKEN_MISSING' && e.message.includes(empty))
  fs.writeFileSync(empty, 'bad token with spaces')
  assert.throws(() => Token.resolve(), (e) => e.code === 'CALIBRE_TOKEN_INVALID' && !e.message.includes('spaces'))
})

test('a keyring is never contacted when an earlier source has a token, and fails fast without a Secret Service', { skip: onWindows && 'the session bus is Linux\'s' }, async () => {
  // A "session bus" that accepts connections and never answers: it counts who came.
  const socket = path.join(env.dir, 'bus')
  let connections = 0
  const bus = net.createServer((c) => { connections++; c.on('error', () => {}) })
  await new Promise((resolve) => bus.listen(socket, resolve))
  try {
    process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${socket}`
    writeConfig(env.configPath, JSON.stringify({ token: null, 'calibre-native': { tokenStore: 'keyring' } }))
    process.env.CALIBRE_API_TOKEN = 'env-wins'
    await GraphQL.request(QUERY)
    assert.equal(sent(), 'Token env-wins')
    assert.equal(connections, 0, 'the keyring was not contacted')
    delete process.env.CALIBRE_API_TOKEN
    const started = Date.now()
    await assert.rejects(GraphQL.request(QUERY), (e) => {
      assert.equal(e.code, 'CALIBRE_KEYRING_UNAVAILABLE')
      assert.equal(e.tokenSource, 'keyring')
      return true
    })
    assert.ok(Date.now() - started < 5000, `bounded: ${Date.now() - started} ms`)
    process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${path.join(env.dir, 'no-bus-here')}`
    assert.throws(() => Token.set('k-token', { store: 'keyring' }), { code: 'CALIBRE_KEYRING_UNAVAILABLE' })
    assert.equal(readConfig().token, null, 'nothing written when the keyring refused')
  } finally {
    delete process.env.DBUS_SESSION_BUS_ADDRESS
    bus.close()
  }
})

test('expose() is called only where the token must leave as text', () => {
  // Where the header is written, where the stores write, and the JS boundary (see ApiToken::expose).
  const allowed = new Set(['src/transport/request.rs', 'src/auth/store.rs', 'src/auth/manage.rs', 'src/auth/keyring/mod.rs', 'src/api/token.rs', 'src/call.rs', 'src/auth/secret.rs'])
  const offenders = []
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`
      if (entry.isDirectory()) walk(rel)
      else if (rel.endsWith('.rs')) {
        const text = fs.readFileSync(path.join(root, rel), 'utf8')
        const code = text.split('#[cfg(test)]\nmod tests')[0]
        if (code.includes('.expose()') && !allowed.has(rel)) offenders.push(rel)
      }
    }
  }
  walk('src')
  assert.deepEqual(offenders, [])
})

test('the token is decided in one module: no other file reads the config file to pick a token', () => {
  const offenders = []
  for (const rel of ['src/session.rs', 'src/config.rs', 'src/call.rs', 'src/api/token.rs', 'src/cli/commands.rs']) {
    const text = fs.readFileSync(path.join(root, rel), 'utf8')
    if (/read_entry|read_token|ConfigFile::at\(/.test(text.split('#[cfg(test)]')[0])) offenders.push(rel)
  }
  assert.deepEqual(offenders, [])
})
