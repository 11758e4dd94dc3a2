// The scripts in examples/ run unchanged against the fake Calibre API (as `npm run demo` runs them)
// and say what they did.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { startFakeCalibre } from '../testing/index.mjs'
import { childEnv, HOME_VAR } from './helpers/env.mjs'

const run = promisify(execFile)
const examples = fileURLToPath(new URL('../examples/', import.meta.url))
let fake

before(async () => { fake = await startFakeCalibre({ completeTestsImmediately: true }) })
after(async () => { await fake.close() })

function example(name, args, extraEnv = {}) {
  const env = { ...childEnv(process.env[HOME_VAR]), CALIBRE_HOST: fake.url, CALIBRE_API_TOKEN: fake.tokens.create({ type: 'admin' }), ...extraEnv }
  return run(process.execPath, [`${examples}${name}`, ...args], { env, timeout: 60_000 })
}

test('deploy-marker lists the deploy it just recorded first among the latest', async () => {
  const revision = `rev-${Date.now().toString(36)}`
  const { stdout } = await example('deploy-marker.mjs', ['acme-website'], { GITHUB_SHA: revision, GITHUB_REPOSITORY: 'acme/website', GITHUB_ACTOR: 'ci' })
  assert.match(stdout, new RegExp(`recorded for acme-website at revision ${revision}`))
  const latest = stdout.match(/^Latest deploys: (.*)$/m)?.[1].split(', ')
  assert.equal(latest?.[0], revision, stdout)
  assert.equal(latest.length, 3)
})
