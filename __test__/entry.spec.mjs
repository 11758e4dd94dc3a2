// The package entry points: index.js (require and import) loads the addon directly and
// re-exports every name statically; napi's generated loader (native.js) is the fallback.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as viaFile from '../index.mjs'
import { hostPlatform } from '../scripts/package.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)

function run(args, env = {}) {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}

test('index.js and index.mjs name every export of the addon', () => {
  const generated = require('../native.js')
  const names = Object.keys(generated).sort()
  const source = fs.readFileSync(new URL('../index.js', import.meta.url), 'utf8')
  const listed = [...source.matchAll(/^module\.exports\.(\w+) = /gm)].map((m) => m[1]).sort()
  assert.deepEqual(listed, names, 'index.js must list every export for Node to detect it')
  assert.deepEqual(Object.keys(viaFile).sort(), names)
  for (const name of names) assert.equal(viaFile[name], generated[name], name)
  assert.equal(generated.__napiBindingTarget, 'native')
})

test('require and import of the package give the same binding', () => {
  const out = run([
    '--input-type=module',
    '-e',
    `import { createRequire } from 'node:module'
     import * as esm from 'calibre-native'
     import { Site, Calibre, CalibreError } from 'calibre-native'
     const cjs = createRequire(import.meta.url)('calibre-native')
     const same = ['Site', 'Calibre', 'CalibreError', 'runCli'].every((k) => esm[k] === cjs[k])
     console.log(JSON.stringify({ same, site: typeof Site.list, calibre: typeof Calibre, error: typeof CalibreError, target: esm.__napiBindingTarget }))`,
  ])
  assert.deepEqual(JSON.parse(out), { same: true, site: 'function', calibre: 'function', error: 'function', target: 'native' })
})

test("NAPI_RS_NATIVE_LIBRARY_PATH goes through napi's loader", () => {
  // The build at the root, or the one a test run already loads this way (scripts/test-windows.sh).
  const addon = process.env.NAPI_RS_NATIVE_LIBRARY_PATH ?? `${root}calibre-native.${hostPlatform()}.node`
  const out = run(['-e', "const c = require('calibre-native'); console.log(typeof c.GraphQL.request, c.__napiBindingTarget)"], {
    NAPI_RS_NATIVE_LIBRARY_PATH: addon,
  })
  assert.equal(out.trim(), 'function native')
})
