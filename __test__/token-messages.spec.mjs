// What the token messages tell a user, from the API and the `calibre-native` command: a missing
// token points at our own command first; a refresh says whether the token expires at all.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Token } from 'calibre-native'
import { startFakeCalibre } from '../testing/index.mjs'
import { isolatedEnv, childEnv } from './helpers/env.mjs'

const bin = path.join(fileURLToPath(new URL('..', import.meta.url)), 'bin', 'calibre-native.js')
let fake
let env

before(async () => { fake = await startFakeCalibre({ rateLimit: false }) })
after(async () => { await fake.close() })
beforeEach(() => { env = isolatedEnv() })
afterEach(() => env.restore())

function run(args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...childEnv(env.dir), XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, CALIBRE_HOST: fake.url, ...extraEnv },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    child.stdin.end()
    const timer = setTimeout(() => { child.kill(); reject(new Error(`timed out: ${args.join(' ')}`)) }, 30000)
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

test('a missing token names our command before the official CLI\'s', async () => {
  assert.throws(() => Token.resolve(), (e) => {
    assert.equal(e.code, 'CALIBRE_TOKEN_MISSING')
    assert.match(e.message, /^No Calibre API token found\. Looked in: CALIBRE_API_TOKEN \(not set\), .*calibre\.json \(no token stored\)\. Store one with `calibre-native token set -`/)
    assert.ok(e.message.indexOf('calibre-native token set') < e.message.indexOf('`calibre token set`'))
    return true
  })
  const cli = await run(['site', 'list'])
  assert.equal(cli.code, 1)
  assert.ok(cli.stderr.indexOf('calibre-native token set') >= 0, cli.stderr)
  assert.ok(cli.stderr.indexOf('calibre-native token set') < cli.stderr.indexOf('`calibre token set`'), cli.stderr)
})

test('token refresh says "never" for a token without expiry', async () => {
  const token = fake.tokens.create({ type: 'admin', expiresIn: null })
  const { code, stdout, stderr } = await run(['token', 'refresh'], { CALIBRE_API_TOKEN: token })
  assert.equal(code, 0, stderr)
  assert.match(stdout, /API Token refreshed\. Expires: never \(this token has no expiry\)/)
  assert.doesNotMatch(stdout, /did not say/)
})

test('token refresh says so when the server does not give an expiry', async (t) => {
  // A refresh endpoint that answers 200 with an empty body (extended in place, expiry not stated).
  const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end()) })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => server.close(resolve)))
  const appHost = `http://127.0.0.1:${server.address().port}`
  const { code, stdout, stderr } = await run(['token', 'refresh'], { CALIBRE_API_TOKEN: 'some-token', CALIBRE_APP_HOST: appHost })
  assert.equal(code, 0, stderr)
  assert.match(stdout, /Expires: extended \(the server did not say until when\)/)
})
