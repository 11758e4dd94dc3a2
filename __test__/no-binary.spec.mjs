// When no native binary loads, both entry points throw CALIBRE_BINARY_MISSING: the system found,
// each place tried and why it failed, the systems with prebuilt binaries, and what to do — never
// napi's "npm has a bug" text alone.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const { napi } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))

/** A copy of the package's JS without any binary, plus `extra` files. */
function packageWithout(t, extra = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-nobin-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  for (const f of ['index.js', 'index.mjs', 'native.js', 'no-binary.js', 'package.json']) {
    fs.copyFileSync(path.join(root, f), path.join(dir, f))
  }
  for (const [f, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, f), text)
  return dir
}

function load(dir, entry, env = {}) {
  const code =
    entry === 'index.mjs'
      ? `import(${JSON.stringify(pathToFileURL(path.join(dir, entry)).href)}).catch((e) => { console.log(JSON.stringify({ code: e.code, message: e.message })) })`
      : `try { require(${JSON.stringify(path.join(dir, entry))}) } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`
  // Without the path a test run may load the addon from (scripts/test-windows.sh), unless given.
  const { NAPI_RS_NATIVE_LIBRARY_PATH, ...inherited } = process.env
  const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...inherited, ...env } })
  assert.equal(run.status, 0, run.stderr)
  return JSON.parse(run.stdout)
}

const thisSystem = () => {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`
  return `linux-${process.arch}-${process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl'}`
}

for (const entry of ['index.js', 'index.mjs']) {
  test(`${entry}: no binary at all names the system, the supported list and the remedies`, (t) => {
    const error = load(packageWithout(t), entry)
    assert.equal(error.code, 'CALIBRE_BINARY_MISSING')
    assert.match(error.message, new RegExp(`on this system: ${thisSystem()}`))
    for (const target of ['linux-x64-gnu', 'linux-arm64-musl', 'darwin-arm64', 'win32-x64-msvc']) {
      assert.match(error.message, new RegExp(target))
    }
    assert.equal(napi.targets.length, 8)
    assert.match(error.message, /NAPI_RS_NATIVE_LIBRARY_PATH/)
    assert.match(error.message, /Cannot find module/)
    assert.doesNotMatch(error.message, /npm has a bug/)
  })
}

test('a binary that is there but does not load shows the loader\'s reason', (t) => {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    t.skip('the fast path is Linux x64 only')
    return
  }
  // What an old glibc looks like to the loader: the file is found, dlopen refuses it.
  const dir = packageWithout(t, { 'calibre-native.linux-x64-gnu.node': 'not an ELF file' })
  const error = load(dir, 'index.js')
  assert.equal(error.code, 'CALIBRE_BINARY_MISSING')
  assert.match(error.message, /calibre-native\.linux-x64-gnu\.node: (file too short|invalid ELF header)/)
})

test('NAPI_RS_NATIVE_LIBRARY_PATH pointing nowhere says so', (t) => {
  const missing = path.join(os.tmpdir(), 'no-such-calibre-native.node')
  const error = load(packageWithout(t), 'index.js', { NAPI_RS_NATIVE_LIBRARY_PATH: missing })
  assert.equal(error.code, 'CALIBRE_BINARY_MISSING')
  assert.ok(error.message.includes(missing), error.message)
})
