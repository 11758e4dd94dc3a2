// The config file under tricks people and tools play on it: a symlink (dotfile managers),
// a FIFO at its path, permissions that make "Writable" lie. Everything runs in child
// processes, so a call that blocks the event loop fails its test instead of hanging the run.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn, execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { childEnv } from './helpers/env.mjs'
import { onWindows } from './helpers/platform.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

// The Writable checks need an ordinary user: root may write anywhere. CI runs as root, so
// the children then run as `nobody`, from a copy of the package that `nobody` can read
// wherever the clone is.
const asRoot = process.getuid?.() === 0
const NOBODY = 65534
let pkg
let bin
let entry
let node = process.execPath

before(() => {
  pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-pkg-'))
  fs.chmodSync(pkg, 0o755)
  fs.mkdirSync(path.join(pkg, 'bin'))
  const addon = fs.readdirSync(root).filter((f) => f.endsWith('.node'))
  for (const file of ['package.json', 'index.js', 'index.mjs', 'native.js', 'no-binary.js', 'bin/calibre-native.js', ...addon]) {
    fs.copyFileSync(path.join(root, file), path.join(pkg, file))
    fs.chmodSync(path.join(pkg, file), 0o755)
  }
  bin = path.join(pkg, 'bin', 'calibre-native.js')
  entry = path.join(pkg, 'index.mjs')
  // `nobody` must be able to run node too, wherever this Node lives (e.g. a cache under /root).
  if (asRoot) {
    node = path.join(pkg, 'node')
    fs.copyFileSync(process.execPath, node)
    fs.chmodSync(node, 0o755)
  }
})
after(() => fs.rmSync(pkg, { recursive: true, force: true }))

let dir
let xdg
let configPath

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-hostile-'))
  fs.chmodSync(dir, 0o755)
  xdg = path.join(dir, 'xdg')
  configPath = path.join(xdg, 'configstore', 'calibre.json')
})
afterEach(() => {
  // Undo read-only directories so the tree can be removed.
  if (!onWindows) execFileSync('chmod', ['-R', 'u+rwx', dir])
  fs.rmSync(dir, { recursive: true, force: true })
})

/** Runs `node args` with a private environment; rejects when it does not end in 20 s. */
function run(args, { extraEnv = {}, user } = {}) {
  return new Promise((resolve, reject) => {
    const options = {
      env: { ...childEnv(dir), XDG_CONFIG_HOME: xdg, CALIBRE_HOST: 'http://127.0.0.1:9', ...extraEnv },
    }
    if (user !== undefined) Object.assign(options, { uid: user, gid: user })
    const child = spawn(node, args, options)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    child.stdin.end()
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`blocked for 20 s: node ${args.join(' ')}`))
    }, 20000)
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

const cli = (args, options) => run([bin, ...args], options)
const script = (code, options) => run(['--input-type=module', '-e', `import * as calibre from ${JSON.stringify(entry)}\n${code}`], options)

function mkfifo(file) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  execFileSync('mkfifo', [file])
}

test('token set through a symlinked config file writes the target and keeps the link', { skip: onWindows && 'Wine cannot make symbolic links (its CreateSymbolicLink makes nothing), and Windows needs Developer Mode for them' }, async () => {
  const dotfiles = path.join(dir, 'dotfiles')
  fs.mkdirSync(dotfiles)
  const target = path.join(dotfiles, 'calibre.json')
  fs.writeFileSync(target, '{\n\t"token": "old-token",\n\t"other": 1\n}')
  fs.mkdirSync(path.dirname(configPath), { recursive: true })
  fs.symlinkSync(path.relative(path.dirname(configPath), target), configPath)

  const set = await cli(['token', 'set', 'new-token'])
  assert.equal(set.code, 0, set.stderr)
  assert.ok(fs.lstatSync(configPath).isSymbolicLink(), 'the link is still a link')
  assert.equal(fs.readFileSync(target, 'utf8'), '{\n\t"token": "new-token",\n\t"other": 1\n}')
  assert.deepEqual(fs.readdirSync(dotfiles), ['calibre.json'], 'no temp file left beside the target')

  // The JS API too, and removal.
  const js = await script(`
    calibre.Token.set('js-token')
    console.log(JSON.stringify(calibre.Token.resolve()))
    calibre.Token.remove()`)
  assert.equal(js.code, 0, js.stderr)
  assert.equal(JSON.parse(js.stdout).token, 'js-token')
  assert.ok(fs.lstatSync(configPath).isSymbolicLink())
  assert.equal(fs.readFileSync(target, 'utf8'), '{\n\t"token": null,\n\t"other": 1\n}')
})

test('a FIFO at the config path is refused, not read forever', { skip: onWindows && 'Windows has no FIFOs in the file system' }, async () => {
  mkfifo(configPath)
  const js = await script(`
    try { calibre.Token.resolve(); console.log('resolved') } catch (e) { console.log(e.code) }
    await calibre.Site.list().then(() => console.log('listed'), (e) => console.log(e.code, e.message))`)
  assert.equal(js.code, 0, js.stderr)
  const [resolved, listed] = js.stdout.trim().split('\n')
  assert.equal(resolved, 'CALIBRE_CONFIG_ACCESS')
  assert.match(listed, /^CALIBRE_CONFIG_ACCESS .*FIFO/)
  assert.ok(listed.includes(configPath), 'names the file')

  const status = await cli(['token', 'status', '--json'], { extraEnv: { CALIBRE_API_TOKEN: 'env-token' } })
  assert.equal(status.code, 0, status.stderr)
  assert.equal(JSON.parse(status.stdout).writable, false, 'a FIFO cannot hold a token')
  const set = await cli(['token', 'set', 'x'])
  assert.notEqual(set.code, 0)
  assert.match(set.stderr, /FIFO/)
  assert.ok(fs.statSync(configPath).isFIFO(), 'left as it was')
})

/** `token status` says Writable, then `token set` tries: they must agree. */
async function writableAgreesWithTrying(label) {
  // Everything the child touches belongs to the child's user.
  const user = asRoot ? NOBODY : undefined
  if (asRoot) execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir])
  const status = await cli(['token', 'status', '--json'], { extraEnv: { CALIBRE_API_TOKEN: 'env-token' }, user })
  assert.equal(status.code, 0, `${label}: ${status.stderr}`)
  const { writable } = JSON.parse(status.stdout)
  const set = await cli(['token', 'set', 'tried-token'], { user })
  const stored = set.code === 0 && JSON.parse(fs.readFileSync(configPath, 'utf8')).token === 'tried-token'
  assert.equal(writable, stored, `${label}: status said writable=${writable}, token set ${stored ? 'succeeded' : `failed: ${set.stderr}`}`)
  return writable
}

test('Writable: a read-only file in a writable directory can be replaced', async () => {
  fs.mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 })
  // On Windows, a mode without write permission sets the file's Read-only attribute, which a
  // replace ignores there too (as for calibre@7's configstore).
  fs.writeFileSync(configPath, '{"token": "old"}', { mode: 0o400 })
  assert.equal(await writableAgreesWithTrying('read-only file'), true)
})

test('Writable: a writable file in a read-only directory cannot be replaced', { skip: onWindows && 'a read-only directory is a Unix permission: the Read-only attribute of a Windows folder does not stop writes' }, async () => {
  fs.mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 })
  fs.writeFileSync(configPath, '{"token": "old"}', { mode: 0o600 })
  if (asRoot) execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir])
  fs.chmodSync(path.dirname(configPath), 0o500)
  assert.equal(await writableAgreesWithTrying('read-only directory'), false)
})

test('Writable: a missing directory under a writable one is created', async () => {
  assert.equal(await writableAgreesWithTrying('no directory yet'), true)
})

test('Writable: nothing can be created under a read-only directory', { skip: onWindows && 'a read-only directory is a Unix permission: the Read-only attribute of a Windows folder does not stop writes' }, async () => {
  fs.mkdirSync(xdg, { recursive: true })
  if (asRoot) execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir])
  fs.chmodSync(xdg, 0o500)
  assert.equal(await writableAgreesWithTrying('read-only parent'), false)
})
