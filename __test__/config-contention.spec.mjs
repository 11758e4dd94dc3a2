// The config file under contention: 8 processes × 100 interleaved Token.set / Token.remove
// on one file that also holds other keys, while this process reads it continuously.
// Every read must see a whole, valid, private file with the other keys intact.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { isolatedEnv, writeConfig, childEnv } from './helpers/env.mjs'
import { assertPrivate, configDirEntries, onWindows } from './helpers/platform.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const WRITERS = 8
const ROUNDS = 100
const OTHER = { other: { nested: [1, 2, { deep: 'yes' }] }, telemetry: false, 'with space': 'kept' }

function writer(id, xdg, home) {
  const script = `
    const { Token } = require(${JSON.stringify(root)})
    for (let i = 0; i < ${ROUNDS}; i++) {
      if (i % 2 === 0) Token.set('tok-${id}-' + i)
      else Token.remove()
    }`
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...childEnv(home), XDG_CONFIG_HOME: xdg },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => { stderr += d })
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })))
}

test('8 processes × 100 set/remove: every read is whole, private, with the other keys kept', { timeout: 120000 }, async (t) => {
  const env = isolatedEnv()
  try {
    writeConfig(env.configPath, JSON.stringify({ ...OTHER, token: 'initial' }, null, '\t'))
    const dir = path.dirname(env.configPath)
    let running = true
    const stats = { reads: 0, tokens: new Set() }
    const problems = []
    const watch = (async () => {
      while (running) {
        let text
        let mode
        try {
          // One descriptor for both: the mode and the text are of the same file.
          const fd = fs.openSync(env.configPath, 'r')
          try {
            mode = fs.fstatSync(fd).mode & 0o777
            text = fs.readFileSync(fd, 'utf8')
          } finally {
            fs.closeSync(fd)
          }
        } catch (e) {
          problems.push(`read ${stats.reads}: ${e.code} (the file must never be absent once it exists)`)
          continue
        }
        stats.reads++
        // Windows has no permission bits (see assertPrivate).
        if (!onWindows && mode !== 0o600) problems.push(`read ${stats.reads}: mode ${mode.toString(8)}`)
        let value
        try {
          value = JSON.parse(text)
        } catch (e) {
          problems.push(`read ${stats.reads}: invalid JSON ${JSON.stringify(text.slice(0, 80))}`)
          continue
        }
        const { token, ...rest } = value
        if (JSON.stringify(rest) !== JSON.stringify(OTHER)) problems.push(`read ${stats.reads}: other keys changed: ${text}`)
        if (!(token === null || token === 'initial' || /^tok-\d-\d+$/.test(token))) problems.push(`read ${stats.reads}: token ${token}`)
        stats.tokens.add(token)
        if (problems.length > 20) break
        // Where an open file cannot be replaced (Wine, and Windows without POSIX rename
        // semantics), a reader that is never closed would starve the writers' 1 s of retries.
        await new Promise((resolve) => (onWindows ? setTimeout(resolve, 2) : setImmediate(resolve)))
      }
    })()
    const results = await Promise.all(Array.from({ length: WRITERS }, (_, id) => writer(id, process.env.XDG_CONFIG_HOME, env.dir)))
    running = false
    await watch
    for (const [id, r] of results.entries()) assert.equal(r.code, 0, `writer ${id} failed: ${r.stderr}`)
    assert.deepEqual(problems, [])
    t.diagnostic(`${stats.reads} reads during the run, ${stats.tokens.size} distinct token values seen`)
    assert.ok(stats.reads >= 20, `the watcher read only ${stats.reads} times`)
    // Every writer ends with remove: token null, other keys and configstore's format kept.
    const final = fs.readFileSync(env.configPath, 'utf8')
    assert.equal(final, JSON.stringify({ ...OTHER, token: null }, null, '\t'))
    assertPrivate(env.configPath, 0o600)
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('calibre.json.tmp-')), [], 'temp files left behind')
    assert.deepEqual(fs.readdirSync(dir), configDirEntries)
  } finally {
    env.restore()
  }
})
