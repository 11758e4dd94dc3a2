// The `calibre-native` command, run as a user runs it (child processes, private
// XDG_CONFIG_HOME) against the fake Calibre API.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { spawn, execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startFakeCalibre } from '../testing/index.mjs'
import { isolatedEnv, writeConfig, childEnv } from './helpers/env.mjs'
import { noTerminal, onTerminalArgs } from './helpers/child.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = path.join(root, 'bin', 'calibre-native.js')
const officialCli = path.join(root, 'node_modules', 'calibre', 'src', 'cli.js')
let fake
let env

before(async () => { fake = await startFakeCalibre({ rateLimit: false, completeTestsImmediately: true }) })
after(async () => { await fake.close() })
beforeEach(() => { env = isolatedEnv() })
afterEach(() => env.restore())

/** Runs a command asynchronously (the fake answers from this process). */
function run(args, { input, extraEnv = {}, script = bin, direct = false } = {}) {
  return new Promise((resolve, reject) => {
    // `direct`: `script` is a program of its own (e.g. util-linux `script` for a terminal).
    const child = spawn(direct ? script : process.execPath, direct ? args : [script, ...args], {
      env: { ...childEnv(env.dir), XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, CALIBRE_HOST: fake.url, ...extraEnv },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    child.stdin.end(input ?? '')
    const timer = setTimeout(() => { child.kill(); reject(new Error(`timed out: ${args.join(' ')}`)) }, 30000)
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

const stored = () => JSON.parse(fs.readFileSync(env.configPath, 'utf8'))

test('--help on every command, with examples', async () => {
  for (const args of [[], ['token'], ['token', 'set'], ['token', 'status'], ['token', 'refresh'], ['token', 'remove'], ['request'], ['site', 'list'], ['test', 'create']]) {
    const { code, stdout } = await run([...args, '--help'])
    assert.equal(code, 0, args.join(' '))
    assert.match(stdout, /Usage: calibre-native/)
    assert.match(stdout, /Example/, `${args.join(' ')} --help has examples`)
  }
  // Every command of the tree (the paths the bash completion knows).
  // clap_complete's bash script walks `state,word) cmd="next-state"`; the states give the paths.
  const bashScript = (await run(['completions', 'bash'])).stdout
  const states = new Map([['calibre__native', []]])
  for (const [, from, word, to] of bashScript.matchAll(/^ +([\w]+),([\w-]+)\)\n +cmd="([\w]+)"/gm)) {
    if (states.has(from) && !states.has(to)) states.set(to, [...states.get(from), word])
  }
  const paths = [...states.values()].filter((p) => p.length && !p.includes('help'))
  assert.ok(paths.length >= 55, `${paths.length} commands`)
  for (const args of paths) {
    const { code, stdout } = await run([...args, '--help'])
    assert.equal(code, 0, args.join(' '))
    assert.match(stdout, /Example/, `${args.join(' ')} --help has examples`)
  }
  const usage = await run(['token', 'frobnicate'])
  assert.equal(usage.code, 2)
  assert.match(usage.stderr, /unrecognized subcommand/)
})

test('token set - reads stdin; token status shows the masked token, never the token', async () => {
  const token = fake.tokens.create({ type: 'admin' })
  const set = await run(['token', 'set', '-'], { input: `${token}\n` })
  assert.equal(set.code, 0, set.stderr)
  assert.match(set.stdout, /API Token saved to .*calibre\.json/)
  assert.equal(stored().token, token)
  const status = await run(['token', 'status', '--check'])
  assert.equal(status.code, 0, status.stderr)
  assert.match(status.stdout, new RegExp(`Token: +${token.slice(0, 4)}… \\(from the config file `))
  assert.match(status.stdout, /Check: +valid/)
  assert.ok(!status.stdout.includes(token) && !status.stderr.includes(token))
  assert.ok(!status.stdout.includes('\x1b['), 'no colours when not a TTY')
})

test('token set warns when CALIBRE_API_TOKEN would shadow it; bad tokens exit 1', async () => {
  const shadowed = await run(['token', 'set', 'abc123'], { extraEnv: { CALIBRE_API_TOKEN: 'other' } })
  assert.equal(shadowed.code, 0)
  assert.match(shadowed.stderr, /CALIBRE_API_TOKEN is set and takes precedence/)
  const bad = await run(['token', 'set', 'has space'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /contains whitespace/)
  assert.equal(stored().token, 'abc123', 'the good token is still there')
})

test('token status --json and exit 1 without a usable token', async () => {
  const missing = await run(['token', 'status'])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /Please set your Calibre API token/)
  writeConfig(env.configPath, JSON.stringify({ token: 'abcdefgh', tokenExpiresAt: '2099-01-01T00:00:00.000Z' }))
  const json = await run(['token', 'status', '--json'])
  assert.equal(json.code, 0)
  const report = JSON.parse(json.stdout)
  assert.deepEqual([report.source, report.masked, report.expiresAt, report.writable], ['file', 'abcd…', '2099-01-01T00:00:00.000Z', true])
})

test('token status --check tells expired and IP-denied tokens apart (exit 1)', async () => {
  const expired = fake.tokens.create({ type: 'admin', expiresIn: 1000 })
  fake.advance(2000)
  const denied = fake.tokens.create({ type: 'admin', allowedIps: ['10.0.0.0/8'] })
  for (const [token, state] of [[expired, 'expired'], [denied, 'ip-not-allowed'], ['not-a-real-token', 'invalid']]) {
    const { code, stdout } = await run(['token', 'status', '--check', '--json'], { extraEnv: { CALIBRE_API_TOKEN: token } })
    assert.equal(code, 1, state)
    const report = JSON.parse(stdout)
    assert.equal(report.check, state)
    assert.equal(report.source, 'env')
  }
})

test('token refresh extends the fake token and stores the expiry beside it', async () => {
  const token = fake.tokens.create({ type: 'admin', expiresIn: 3600 * 1000 })
  await run(['token', 'set', token])
  const { code, stdout } = await run(['token', 'refresh', '--json'])
  assert.equal(code, 0)
  const out = JSON.parse(stdout)
  assert.equal(out.persisted, true)
  assert.equal(fake.tokens.get(token).refreshCount, 1)
  assert.deepEqual(stored(), { token, tokenExpiresAt: out.expiresAt })
  assert.ok(!stdout.includes(token))
  const expired = fake.tokens.create({ type: 'admin', expiresIn: 10 })
  fake.advance(100)
  const refused = await run(['token', 'refresh'], { extraEnv: { CALIBRE_API_TOKEN: expired } })
  assert.equal(refused.code, 3)
  assert.match(refused.stderr, /has expired/)
})

test('token remove writes null like the official CLI and says so when unset', async () => {
  await run(['token', 'set', 'abc'])
  const removed = await run(['token', 'remove'])
  assert.equal(removed.code, 0)
  assert.match(removed.stdout, /API Token removed/)
  assert.equal(fs.readFileSync(env.configPath, 'utf8'), '{\n\t"token": null\n}')
  const again = await run(['token', 'remove'])
  assert.match(again.stdout, /API Token is not set/)
})

test('the official calibre CLI and calibre-native share the token both ways', async () => {
  const token = fake.tokens.create({ type: 'admin' })
  const official = await run(['token', 'set', token], { script: officialCli })
  assert.equal(official.code, 0, official.stderr)
  const sites = await run(['site', 'list', '--json'])
  assert.equal(sites.code, 0, sites.stderr)
  assert.ok(JSON.parse(sites.stdout).length >= 4)
  await run(['token', 'set', 'from-native'])
  await run(['token', 'remove'], { script: officialCli })
  assert.equal(stored().token, null)
})

/** Output without colour codes (Windows colours what calibre@7 colours there too). */
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '')

test('site list prints a table, --json parses', async () => {
  const token = fake.tokens.create({ type: 'personal', team: 'marketing' })
  const table = await run(['site', 'list'], { extraEnv: { CALIBRE_API_TOKEN: token } })
  assert.equal(table.code, 0, table.stderr)
  assert.match(table.stdout, /^SLUG +\| NAME +\| MONITORING +\| CREATED +$/m)
  assert.match(table.stdout, /^acme-website +\| Acme Website +\| /m)
  assert.doesNotMatch(table.stdout, /acme-app/, 'a personal token sees its own team only')
})

test('request prints data; variables and documents can come from files', async () => {
  const token = fake.tokens.create({ type: 'admin' })
  const doc = path.join(env.dir, 'q.graphql')
  fs.writeFileSync(doc, 'query GetSite($slug: String!) { organisation { site(slug: $slug) { name } } }')
  const { code, stdout } = await run(['request', '--query', `@${doc}`, '--variables', '{"slug":"acme-blog"}', '--json'], { extraEnv: { CALIBRE_API_TOKEN: token } })
  assert.equal(code, 0)
  assert.deepEqual(JSON.parse(stdout), { organisation: { site: { name: 'Acme Blog' } } })
  const misspelt = await run(['request', '--query', '{ organisation { sitez { name } } }'], { extraEnv: { CALIBRE_API_TOKEN: token } })
  assert.equal(misspelt.code, 4)
  assert.match(misspelt.stderr, /sitez/)
  const badVars = await run(['request', '--query', '{ a }', '--variables', '[1]'], { extraEnv: { CALIBRE_API_TOKEN: token } })
  assert.equal(badVars.code, 2)
})

test('test create schedules, and --wait polls until it completes (plain lines off a TTY)', async () => {
  const token = fake.tokens.create({ type: 'admin' })
  const extraEnv = { CALIBRE_API_TOKEN: token, CALIBRE_POLL_INTERVAL_MS: '50' }
  const scheduled = await run(['test', 'create', '--url', 'https://acme.example/', '--location', 'NorthVirginia', '--json'], { extraEnv })
  assert.equal(scheduled.code, 0, scheduled.stderr)
  assert.ok(JSON.parse(scheduled.stdout).uuid)
  const waited = await run(['test', 'create', '--url', 'https://acme.example/', '--location', 'Ireland', '--wait'], { extraEnv })
  assert.equal(waited.code, 0, waited.stderr)
  // As calibre@7: the confirmation on stderr (its spinner's stream), the report on stdout.
  assert.match(plain(waited.stderr), /^[✔√] Test complete: /m)
  assert.match(plain(waited.stdout), /^# Single Page Test: https:\/\/acme\.example\/$/m)
  assert.match(plain(waited.stdout), /^ {2}\* Status: completed$/m)
  assert.match(waited.stderr, /Waiting for the test: completed/)
  const errored = await run(['test', 'create', '--url', 'https://errored.example/', '--location', 'Ireland', '--wait', '--json'], { extraEnv })
  assert.equal(errored.code, 4, 'a test that errored is a failed run')
  assert.equal(JSON.parse(errored.stdout).status, 'errored')
})

test('network failures exit 5 with the message and no token', async () => {
  const { code, stderr } = await run(['site', 'list'], { extraEnv: { CALIBRE_API_TOKEN: 'secret-token-x', CALIBRE_HOST: 'http://127.0.0.1:9' } })
  assert.equal(code, 5)
  assert.match(stderr, /Could not reach/)
  assert.ok(!stderr.includes('secret-token-x'))
})

test('waits end at --timeout with the last status, and show progress off a TTY (issue 17)', async () => {
  // A fake whose tests never finish on their own (its clock does not move): calibre@7 would poll for ever.
  const slow = await startFakeCalibre({ rateLimit: false })
  try {
    const token = slow.tokens.create({ type: 'admin' })
    const waited = await run(['test', 'create', 'https://acme.example/', '--location', 'Ireland', '--waitForTest', '--timeout', '1', '--interval', '50ms'], { extraEnv: { CALIBRE_API_TOKEN: token, CALIBRE_HOST: slow.url } })
    assert.equal(waited.code, 5, waited.stderr)
    assert.match(waited.stderr, /gave up waiting for the test after 1 \(--timeout\); the last status was "queued"/)
    assert.equal(waited.stderr.match(/Waiting for the test: queued/g).length, 1, 'one line per status change')
    const bad = await run(['test', 'create', 'https://acme.example/', '--location', 'Ireland', '--wait', '--timeout', 'soon'], { extraEnv: { CALIBRE_API_TOKEN: token, CALIBRE_HOST: slow.url } })
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /--timeout "soon" is not a duration/)
    assert.equal(slow.requests.filter((r) => r.operationName === 'CreateSinglePageTest').length, 1, 'a bad --timeout is refused before anything is sent')
  } finally {
    await slow.close()
  }
})

test('human output prints metric values with their units', async () => {
  const token = fake.tokens.create({ type: 'admin' })
  const extraEnv = { CALIBRE_API_TOKEN: token, CALIBRE_POLL_INTERVAL_MS: '20' }
  const waited = await run(['test', 'create', 'https://acme.example/', '--location', 'Ireland', '--waitForTest'], { extraEnv })
  assert.equal(waited.code, 0, waited.stderr)
  // The report's table, drawn as calibre@7 draws it (cli-table3).
  assert.match(plain(waited.stdout), /^│ Largest Contentful Paint +│ \d+(\.\d\d s| ms) +│$/m)
  assert.match(plain(waited.stdout), /^├─+┼─+┤$/m)
  // calibre@7's units and ` | ` columns; the GOOD/POOR signs say what is good.
  const metrics = await run(['metric-list'], { extraEnv })
  assert.match(metrics.stdout, /^largest-contentful-paint +\| Largest Contentful Paint +\| Performance +\| < 2\.50 sec +\| > 4\.00 sec +\| /m)
})

test('every calibre@7 command answers under calibre-native; bad arguments exit 2 before any request', async () => {
  const token = fake.tokens.create({ type: 'admin' })
  const extraEnv = { CALIBRE_API_TOKEN: token }
  for (const args of [['synthetic', 'pages', '--site', 'acme-website'], ['deploy', 'list', '--site', 'acme-website'], ['crux', 'summary', '--site', 'acme-website'], ['rum', 'config', '--site', 'acme-website'], ['team', 'list'], ['synthetic', 'locations'], ['test', 'list']]) {
    const { code, stdout, stderr } = await run(args, { extraEnv })
    assert.equal(code, 0, `${args.join(' ')}: ${stderr}`)
    assert.ok(stdout.trim().length > 0, args.join(' '))
  }
  const before = fake.requests.length
  const missing = await run(['synthetic', 'pages'], { extraEnv })
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /--site <SLUG>/)
  const badUrl = await run(['synthetic', 'create-page', 'P', '--site', 'acme-website', '--url', 'not a url'], { extraEnv })
  assert.equal(badUrl.code, 2)
  assert.match(badUrl.stderr, /Please enter a valid URL/)
  const badChoice = await run(['crux', 'summary', '--site', 'acme-website', '--formFactor', 'watch'], { extraEnv })
  assert.equal(badChoice.code, 2)
  assert.match(badChoice.stderr, /possible values: desktop, phone, tablet/)
  const noJar = await run(['synthetic', 'create-test-profile', 'X', '--site', 'acme-website', '--cookie-jar', path.join(env.dir, 'nope.txt')], { extraEnv })
  assert.equal(noJar.code, 2)
  assert.match(noJar.stderr, /--cookie-jar file/)
  assert.equal(fake.requests.length, before, 'nothing was sent')
  const unknownSite = await run(['synthetic', 'snapshots', '--site', 'no-such-site', '--json'], { extraEnv })
  assert.equal(unknownSite.code, 4, 'an unknown site is an error, not an empty list')
  assert.equal(unknownSite.stdout, '')
})

test('deprecated names print calibre@7 notice unless CALIBRE_SUPPRESS_DEPRECATIONS is set', async () => {
  const token = fake.tokens.create({ type: 'admin' })
  const old = await run(['site', 'pages', '--site', 'acme-website', '--json'], { extraEnv: { CALIBRE_API_TOKEN: token } })
  assert.equal(old.code, 0)
  assert.match(old.stderr, /\[calibre:deprecated\] "site pages" has moved to "synthetic pages"/)
  assert.ok(JSON.parse(old.stdout).pages.length > 0)
  const quiet = await run(['device-list', '--json'], { extraEnv: { CALIBRE_API_TOKEN: token, CALIBRE_SUPPRESS_DEPRECATIONS: '1' } })
  assert.equal(quiet.code, 0)
  assert.equal(quiet.stderr, '')
})

test('--failOnUnmetBudget exits 1 when the finished review is over budget', async () => {
  const token = fake.tokens.create({ type: 'admin' })
  const extraEnv = { CALIBRE_API_TOKEN: token, CALIBRE_POLL_INTERVAL_MS: '20' }
  const args = ['synthetic', 'create-pull-request-review', '--site', 'acme-website', '--title', 'Hero', '--url', 'https://pr-7.acme.example', '--branch', 'pr-7', '--sha', '9c72279', '--waitForResult', '--json']
  const plain = await run(args, { extraEnv })
  assert.equal(plain.code, 0, plain.stderr)
  assert.equal(JSON.parse(plain.stdout).metricBudgetStatus, 'over_budget')
  const failing = await run([...args, '--failOnUnmetBudget'], { extraEnv })
  assert.equal(failing.code, 1)
  assert.match(failing.stderr, /failed due to unmet budget/)
  assert.equal(JSON.parse(failing.stdout).branch, 'pr-7', 'the result is still printed')
})

test('completions for bash, zsh and fish', async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const { code, stdout } = await run(['completions', shell])
    assert.equal(code, 0, shell)
    assert.match(stdout, /calibre-native/)
    assert.match(stdout, /create-pull-request-review/)
    assert.doesNotMatch(stdout, /create-deploy/, 'deprecated names are not offered')
  }
  const bash = (await run(['completions', 'bash'])).stdout
  const script = path.join(env.dir, 'completions.bash')
  fs.writeFileSync(script, bash)
  let complete
  try {
    // What bash offers after `calibre-native synthetic cre<TAB>` and `... synthetic pages --s<TAB>`.
    complete = (words) => execFileSync('bash', ['-c', `source '${script}'; COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _calibre__native calibre-native "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim()
    complete(['calibre-native'])
  } catch {
    return // no bash here
  }
  assert.equal(complete(['calibre-native', 'synthetic', 'cre']), 'create-page create-snapshot create-test-profile create-pull-request-review')
  assert.equal(complete(['calibre-native', 'synthetic', 'pages', '--s']), '--site')
  assert.equal(complete(['calibre-native', 'crux', 'url', 'x', '--f']), '--formFactor')
})

test('on a terminal, deletions need --confirm (as in calibre@7) and nothing is sent without it', { skip: noTerminal }, async () => {
  const token = fake.tokens.create({ type: 'admin' })
  const page = fake.state.sites.find((s) => s.slug === 'acme-blog').pages[0]
  const onTty = (args) => run(onTerminalArgs([process.execPath, bin, ...args]), { script: 'script', extraEnv: { CALIBRE_API_TOKEN: token }, direct: true })
  const before = fake.requests.length
  const refused = await onTty(['synthetic', 'delete-page', '--site', 'acme-blog', '--uuid', page.uuid])
  assert.equal(refused.code, 2, refused.stdout)
  assert.match(refused.stdout, /Add the --confirm flag to confirm the immediate and irreversible deletion of this Page/)
  assert.equal(fake.requests.length, before, 'nothing was sent')
  const confirmed = await onTty(['synthetic', 'delete-page', '--site', 'acme-blog', '--uuid', page.uuid, '--confirm'])
  assert.equal(confirmed.code, 0, confirmed.stdout)
  assert.match(confirmed.stdout, /Page deleted/)
})
