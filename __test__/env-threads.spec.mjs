// The environment is read from `process.env` of the calling JS environment, on its thread
// (issue 15.1 and 15.2): a worker uses its own variables, and no thread calls libc getenv
// while Node's setenv may be moving the C environment.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import fs from 'node:fs'
import os from 'node:os'
import { Token } from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'
import { isolatedEnv, writeConfig } from './helpers/env.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
let server
let env

before(async () => { server = await startRecorder() })
after(async () => { await server.close() })
beforeEach(() => {
  env = isolatedEnv({ CALIBRE_HOST: server.url, CALIBRE_API_TOKEN: 'tok_ORG_A' })
  server.requests.length = 0
})
afterEach(() => env.restore())

// Runs `body` (an async function's text) in a Worker with `options`; resolves to what it returns.
function inWorker(body, options = {}) {
  const code = `
    const { parentPort } = require('node:worker_threads')
    const calibre = require(${JSON.stringify(root)})
    ;(async () => { ${body} })().then(
      (value) => parentPort.postMessage({ value }),
      (e) => parentPort.postMessage({ error: { code: e.code, message: e.message } }))`
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, ...options })
    let result
    worker.on('message', (m) => { result = m })
    worker.on('error', reject)
    worker.on('exit', () => resolve(result))
  })
}

test("a worker started with its own env resolves and sends that env's token", async () => {
  const got = await inWorker(
    `const resolved = calibre.Token.resolve()
     await calibre.GraphQL.request({ query: '{ a }' })
     return resolved`,
    { env: { ...process.env, CALIBRE_API_TOKEN: 'tok_ORG_B' } },
  )
  assert.deepEqual(got, { value: { token: 'tok_ORG_B', source: 'env' } })
  assert.equal(server.last().headers.authorization, 'Token tok_ORG_B')
})

test('process.env set inside a worker is what the worker uses', async () => {
  delete process.env.CALIBRE_API_TOKEN
  const got = await inWorker(
    `process.env.CALIBRE_API_TOKEN = 'tok_SET_IN_WORKER'
     const resolved = calibre.Token.resolve()
     await calibre.GraphQL.request({ query: '{ a }' })
     return resolved`,
  )
  assert.deepEqual(got, { value: { token: 'tok_SET_IN_WORKER', source: 'env' } })
  assert.equal(server.last().headers.authorization, 'Token tok_SET_IN_WORKER')
  assert.throws(() => Token.resolve(), { code: 'CALIBRE_TOKEN_MISSING' }, 'the main thread is unchanged')
})

test('workers resolving tokens while the main thread changes process.env never crash', async () => {
  // Bounded: 4 processes × 2.5 s. Before the fix one 15 s run crashed (SIGSEGV) about 1 in 3.
  const race = fileURLToPath(new URL('./helpers/env-race.cjs', import.meta.url))
  const runs = await Promise.all(Array.from({ length: 4 }, () =>
    promisify(execFile)(process.execPath, [race, root, '2500'], { timeout: 60000 })
      .then(({ stdout }) => ({ code: 0, stdout }))
      .catch((e) => ({ code: e.code, signal: e.signal, stdout: e.stdout }))))
  for (const run of runs) {
    assert.deepEqual({ code: run.code, signal: run.signal ?? null }, { code: 0, signal: null }, run.stdout)
    assert.ok(JSON.parse(run.stdout).resolved > 0, run.stdout)
  }
})

test('keyring-backed calls on workers while the main thread changes process.env never crash', async () => {
  // The session bus address comes from the snapshot, never from getenv on another thread. Under
  // scripts/test-keyring.sh this is a real Secret Service; elsewhere a bus that is not there.
  delete process.env.CALIBRE_API_TOKEN
  writeConfig(env.configPath, JSON.stringify({ token: null, 'calibre-native': { tokenStore: 'keyring' } }))
  const bus = process.env.DBUS_SESSION_BUS_ADDRESS ?? `unix:path=${path.join(env.dir, 'no-bus')}`
  const race = fileURLToPath(new URL('./helpers/env-race.cjs', import.meta.url))
  const runs = await Promise.all(Array.from({ length: 2 }, () =>
    promisify(execFile)(process.execPath, [race, root, '2500', 'keyring'], {
      timeout: 60000,
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus },
    })
      .then(({ stdout }) => ({ code: 0, stdout }))
      .catch((e) => ({ code: e.code, signal: e.signal, stdout: e.stdout }))))
  for (const run of runs) {
    assert.deepEqual({ code: run.code, signal: run.signal ?? null }, { code: 0, signal: null }, run.stdout)
    assert.ok(JSON.parse(run.stdout).resolved > 0, run.stdout)
  }
})

test('the addon calls getenv on no thread but the JS thread (an LD_PRELOAD probe)', { skip: probeSkip() }, async () => {
  // A crash in the stress above is a matter of luck; this sees every read. Without it, tokio's
  // Builder (TOKIO_UNSTABLE_SHARDED_BLOCKING_QUEUE, from 1.54) and std's thread spawn
  // (RUST_MIN_STACK) read the environment on the worker or runtime thread that gets there first.
  // LD_PRELOAD splits at spaces, and env.dir has one.
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'getenv-probe-'))
  after(() => fs.rmSync(probeDir, { recursive: true, force: true }))
  const probe = path.join(probeDir, 'probe.so')
  await promisify(execFile)('cc', ['-shared', '-fPIC', '-O1', '-o', probe,
    fileURLToPath(new URL('./helpers/getenv-probe.c', import.meta.url)), '-ldl'])
  const run = fileURLToPath(new URL('./helpers/getenv-probe-run.mjs', import.meta.url))
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [run, root, env.configPath], {
    timeout: 60000,
    env: { ...process.env, LD_PRELOAD: probe },
  })
  const lines = stderr.split('\n')
  assert.ok(lines.includes('getenv-probe: loaded'), stderr)
  const reports = lines.filter((line) => line.startsWith('getenv-probe: ') && line !== 'getenv-probe: loaded')
  assert.deepEqual(reports, [], 'getenv off the JS thread, called from the addon')
  assert.ok(JSON.parse(stdout).requests >= 4, stdout)
})

// Linux (glibc's LD_PRELOAD) with a C compiler, which building the addon needs anyway.
function probeSkip() {
  if (process.platform !== 'linux') return 'LD_PRELOAD probe: Linux only'
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' })
    return false
  } catch {
    return 'LD_PRELOAD probe: no C compiler (cc)'
  }
}
