// `npm run demo`: the whole product against the embedded fake Calibre API, offline.
// Starts the fake, mints a token, stores it the way a user would (the CLI, from stdin),
// then runs the scripts in examples/ unchanged, refreshes the token, and shows what an
// expired token and a disallowed IP address look like.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startFakeCalibre } from 'calibre-native/testing'
import { Calibre, CalibreError } from 'calibre-native'

const root = fileURLToPath(new URL('..', import.meta.url))
const bold = (s) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[0m` : s)
const started = Date.now()

const fake = await startFakeCalibre({ completeTestsImmediately: true })
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-demo-'))
// The child scripts see only what a user's shell would: the host and a private config dir.
const env = {
  PATH: process.env.PATH,
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, 'config'),
  CALIBRE_HOST: fake.url,
  POLL_INTERVAL_MS: '200',
  NO_COLOR: process.env.NO_COLOR ?? '',
}

function step(title) {
  console.log(`\n${bold(`== ${title}`)}`)
}

// Asynchronous on purpose: the fake API runs in this process and must keep answering.
function run(command, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['pipe', 'inherit', 'inherit'] })
    child.stdin.end(input ?? '')
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${[command, ...args].join(' ')} exited with ${code}`))))
  })
}

const example = (name, ...args) => run(process.execPath, [path.join('examples', name), ...args])
const cli = (args, input) => run(process.execPath, ['bin/calibre-native.js', ...args], input)

try {
  console.log(`Fake Calibre API at ${fake.url} (no network needed)`)
  const token = fake.tokens.create({ type: 'admin', expiresIn: 30 * 24 * 3600 * 1000 })

  step('Store the API token (calibre-native token set -, read from stdin)')
  await cli(['token', 'set', '-'], token)
  await cli(['token', 'status', '--check'])

  step('List sites (examples/list-sites.mjs)')
  await example('list-sites.mjs')

  step('Create a site with pages (examples/bulk-page-import.mjs)')
  await example('bulk-page-import.mjs', 'Demo Shop')

  step('Record a deploy and take a snapshot (examples/deploy-marker.mjs)')
  await example('deploy-marker.mjs', 'acme-website')

  step('Run a single page test from every location and wait (examples/test-from-every-location.mjs)')
  await example('test-from-every-location.mjs', 'https://acme.example/')

  step('Read metrics and a time series (examples/export-metrics.mjs)')
  await example('export-metrics.mjs', 'acme-website', path.join(home, 'metrics.csv'))

  step('Refresh the token (examples/refresh-token-cron.mjs)')
  await example('refresh-token-cron.mjs')

  step('An expired token')
  const expiring = fake.tokens.create({ type: 'admin', expiresIn: 60 * 1000 })
  fake.advance(2 * 60 * 1000)
  await showFailure(new Calibre({ token: expiring, host: fake.url }))

  step('A token limited to other IP addresses')
  const restricted = fake.tokens.create({ type: 'admin', allowedIps: ['203.0.113.0/24'] })
  await showFailure(new Calibre({ token: restricted, host: fake.url }))

  console.log(`\n${bold('Demo finished')} in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
} finally {
  await fake.close()
  fs.rmSync(home, { recursive: true, force: true })
}

async function showFailure(client) {
  try {
    await client.Site.list()
    throw new Error('expected the call to fail')
  } catch (e) {
    if (!(e instanceof CalibreError)) throw e
    console.log(`err.code    ${e.code} (HTTP ${e.status})`)
    console.log(`err.message ${e.message}`)
  }
}
