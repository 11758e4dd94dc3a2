// The published packages: `npm run package`'s tarballs (the main package and this machine's
// per-platform package), checked for what they hold, installed offline into a fresh project with
// no cargo on PATH, and used from `require`, `import`, the `bin`, TypeScript (skipLibCheck false)
// and `calibre-native/testing` (with its optional peer `graphql` installed from this repo's copy).
// Also: the shipped typings contain no `any`.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { pack, platformOf, hostPlatform } from '../scripts/package.mjs'

const run = promisify(execFile)
// The Wine test run (scripts/test-windows.sh) has node.exe but no npm; the Windows package itself
// is packed by the release workflow.
const noNpm = process.platform === 'win32' && 'packs and installs with npm, which the Windows test run does not have'
const require = createRequire(import.meta.url)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const NODE_TYPES = path.join(ROOT, 'node_modules', '@types')

// npm run passes npm_* variables (package fields, config) down; the consumer project must not see them.
const cleanEnv = () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || /^npm_config_cache$/i.test(k)))
  for (const k of ['CALIBRE_API_TOKEN', 'CALIBRE_HOST', 'CALIBRE_APP_HOST']) delete env[k]
  return env
}

let tmp
let project
let packed
let platformPacked
let hostPacked
let packError

before(async () => {
  if (noNpm) return
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-pack-'))
  project = path.join(tmp, 'consumer')
  try {
    // The addon in the tree is what ships (no build here).
    ;[packed, ...platformPacked] = pack({ out: tmp, env: cleanEnv() })
    // Other platforms' packages too when their binaries are here (scripts/build-aarch64-gnu.sh).
    hostPacked = platformPacked.find((p) => p.name === `calibre-native-${hostPlatform()}`)
  } catch (e) {
    packError = e
  }
})
after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

/** Fails the test, with the reason, when the tarballs could not be made. */
function needsPack() {
  if (packed) return true
  assert.fail(`npm run package's packing failed, so the package cannot be checked: ${packError?.stack ?? packError}`)
}

// A user's machine has no Rust toolchain: in the consumer project, `cargo` and `rustc` are shims
// that record being called and fail, so an install or load that needs them fails and is seen.
const toolchainCalls = () => path.join(tmp, 'toolchain-called')
const consumerEnv = () => {
  const shims = path.join(tmp, 'no-toolchain')
  if (!fs.existsSync(shims)) {
    fs.mkdirSync(shims)
    for (const tool of ['cargo', 'rustc']) {
      fs.writeFileSync(path.join(shims, tool), `#!/bin/sh\necho "${tool} $*" >> '${toolchainCalls()}'\nexit 127\n`, { mode: 0o755 })
    }
  }
  const env = cleanEnv()
  env.PATH = `${shims}${path.delimiter}${env.PATH}`
  return env
}
const npm = (args) => run('npm', args, { cwd: project, env: consumerEnv(), maxBuffer: 16 << 20 })
const node = (args, env = {}) => run(process.execPath, args, { cwd: project, env: { ...consumerEnv(), ...env }, maxBuffer: 16 << 20 })

test('the tarballs hold what a user needs and nothing else', { skip: noNpm }, (t) => {
  if (!needsPack(t)) return
  const files = packed.files
  const allowed = [
    /^package\.json$/, /^README\.md$/, /^COMPATIBILITY\.md$/, /^SECURITY\.md$/, /^LICENSE(\.md)?$/,
    /^index\.(js|mjs|d\.ts)$/, /^native\.js$/, /^no-binary\.js$/,
    /^bin\/calibre-native\.js$/,
    /^testing\/[a-z-]+\.(js|mjs|d\.ts|graphql)$/, /^testing\/README\.md$/,
  ]
  assert.deepEqual(files.filter((f) => !allowed.some((re) => re.test(f))), [], 'unexpected files in the tarball')
  for (const required of ['package.json', 'README.md', 'COMPATIBILITY.md', 'SECURITY.md', 'LICENSE', 'index.js', 'index.mjs', 'native.js', 'no-binary.js', 'index.d.ts', 'bin/calibre-native.js', 'testing/index.js', 'testing/index.mjs', 'testing/index.d.ts', 'testing/schema.graphql']) {
    assert.ok(files.includes(required), `${required} is missing from the tarball`)
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  assert.equal(Object.keys(manifest.optionalDependencies ?? {}).length, 0, 'optionalDependencies are set when packing, not in the repository')
  // The binary ships in the per-platform package, named as napi's loader looks for it.
  assert.ok(hostPacked, `this machine's package calibre-native-${hostPlatform()} is packed`)
  for (const platform of platformPacked) {
    const binary = platform.files.filter((f) => f.endsWith('.node'))
    assert.deepEqual(platform.files, [...binary, 'README.md', 'package.json'].sort())
    assert.equal(binary.length, 1)
    assert.equal(`${platform.name}.node`.replace(/^calibre-native-/, 'calibre-native.'), binary[0])
  }
  // Every file the entry points load is shipped.
  for (const f of files.filter((f) => f.startsWith('testing/') && f.endsWith('.js'))) {
    for (const [, dep] of fs.readFileSync(path.join(ROOT, f), 'utf8').matchAll(/require\('\.\/([^']+)'\)/g)) {
      assert.ok(files.includes(`testing/${dep.replace(/(\.js)?$/, '.js')}`), `${f} requires ./${dep}, which is not shipped`)
    }
  }
})

test('package.json says where the project lives and the LICENSE matches its license', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  const repo = 'https://github.com/calibre-native/calibre-native'
  assert.deepEqual(pkg.repository, { type: 'git', url: `git+${repo}.git` })
  assert.equal(pkg.bugs?.url, `${repo}/issues`)
  assert.equal(pkg.homepage, `${repo}#readme`)
  assert.ok(Array.isArray(pkg.keywords) && pkg.keywords.includes('calibre'), 'keywords')
  assert.ok(pkg.author, 'author')
  assert.equal(pkg.license, 'MIT')
  const license = fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')
  assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} calibre-native contributors\n/)
  assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/)
})

test('installs offline into a fresh project and loads with require, import and the bin', { skip: noNpm }, async (t) => {
  if (!needsPack(t)) return
  fs.mkdirSync(project)
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2))
  await npm(['install', '--no-audit', '--no-fund', '--offline', packed.file, hostPacked.file])
  const { optionalDependencies } = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', 'calibre-native', 'package.json'), 'utf8'))
  assert.deepEqual(Object.keys(optionalDependencies).sort(), JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).napi.targets.map((t) => `calibre-native-${platformOf(t)}`).sort())
  const installed = path.join(project, 'node_modules', 'calibre-native')
  assert.ok(fs.existsSync(path.join(installed, 'package.json')))
  assert.ok(!fs.lstatSync(installed).isSymbolicLink(), 'a copy, not a link to the repository')

  const check = `
    const names = Object.keys(c).filter((k) => /^[A-Z]/.test(k) && typeof c[k] === 'object').sort()
    const fns = names.flatMap((ns) => Object.keys(c[ns]).map((f) => ns + '.' + f))
    process.env.CALIBRE_API_TOKEN = 'consumer-token'
    const addon = Object.keys(require.cache).find((f) => f.endsWith('.node'))
    console.log(JSON.stringify({ names, fns: fns.length, where, addon, calibre: typeof c.Calibre, error: typeof c.CalibreError, source: c.Token.resolve().source }))`
  const { stdout: cjs } = await node(['-e', `const c = require('calibre-native'); const where = require.resolve('calibre-native'); ${check}`])
  const { stdout: esm } = await node(['--input-type=module', '-e', `import * as c from 'calibre-native'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const where = import.meta.resolve('calibre-native'); ${check}`])
  const a = JSON.parse(cjs)
  const b = JSON.parse(esm)
  assert.equal(a.names.length, 19, `18 namespaces + Token: ${a.names}`)
  assert.deepEqual(b.names, a.names)
  assert.equal(b.fns, a.fns)
  assert.ok(a.fns >= 53 + 5 + 5, `${a.fns} functions`) // calibre@7's 53, the 5 iterate helpers, Token's 5
  for (const r of [a, b]) {
    assert.equal(r.calibre, 'function')
    assert.equal(r.error, 'function')
    assert.equal(r.source, 'env')
  }
  assert.ok(fs.realpathSync(a.where).startsWith(fs.realpathSync(installed)), `require resolved ${a.where}`)
  for (const r of [a, b]) {
    assert.ok(r.addon.startsWith(path.join(project, 'node_modules', hostPacked.name) + path.sep), `the addon came from ${r.addon}`)
  }
  assert.ok(fileURLToPath(b.where).startsWith(installed), `import resolved ${b.where}`)

  const { stdout: version } = await run(path.join(project, 'node_modules', '.bin', 'calibre-native'), ['--version'], { cwd: project, env: consumerEnv() })
  assert.match(version, /^calibre-native \d+\.\d+\.\d+/)
  assert.ok(!fs.existsSync(toolchainCalls()), `the install ran a Rust toolchain: ${fs.existsSync(toolchainCalls()) && fs.readFileSync(toolchainCalls(), 'utf8')}`)
})

test('calibre-native/testing needs its optional peer graphql, then runs the fake for the installed package', { skip: noNpm }, async (t) => {
  if (!needsPack(t)) return
  assert.ok(fs.existsSync(path.join(project, 'node_modules', 'calibre-native')), 'installed by the previous test')
  // Without graphql (an optional peer dependency, not installed by npm) only the subpath fails, saying what to install.
  await assert.rejects(node(['-e', "require('calibre-native/testing')"]), (e) => /npm install --save-dev graphql/.test(e.stderr))
  await node(['-e', "require('calibre-native')"])

  // graphql from this repository's own copy: no network.
  const graphqlDir = path.dirname(require.resolve('graphql/package.json'))
  await npm(['install', '--no-audit', '--no-fund', '--offline', '--install-links', graphqlDir])
  const script = `
    const { startFakeCalibre } = await import('calibre-native/testing')
    const cjs = (await import('node:module')).createRequire(process.cwd() + '/')('calibre-native/testing')
    if (cjs.startFakeCalibre !== startFakeCalibre) throw new Error('ESM and CJS entries differ')
    const fake = await startFakeCalibre({ rateLimit: false })
    const { Calibre } = await import('calibre-native')
    const client = new Calibre({ token: fake.tokens.create({ type: 'admin' }), host: fake.url })
    const sites = await client.Site.list()
    await fake.close()
    console.log(JSON.stringify(sites.map((s) => s.slug)))`
  const { stdout } = await node(['--input-type=module', '-e', script])
  const slugs = JSON.parse(stdout)
  assert.ok(slugs.length > 0 && slugs.every((s) => typeof s === 'string'), stdout)
})

test('TypeScript consumers compile against the installed typings (skipLibCheck false)', { skip: noNpm }, async (t) => {
  if (!needsPack(t)) return
  fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], typeRoots: [NODE_TYPES] },
    files: ['consumer.mts', 'consumer.cts'],
  }))
  fs.writeFileSync(path.join(project, 'consumer.mts'), `
    import { Site, Page, Calibre, CalibreError, type CalibreErrorCode, type SiteSummary } from 'calibre-native'
    import { startFakeCalibre } from 'calibre-native/testing'
    const sites: SiteSummary[] = await new Calibre({ token: 't' }).Site.list()
    const slug: string = (await Site.list())[0].slug
    for await (const p of Page.iterate({ site: slug })) { const u: string = p.uuid; void u }
    try { await Site.get({ slug }) } catch (e) { if (e instanceof CalibreError) { e.code satisfies CalibreErrorCode; void e[0]?.message } }
    // @ts-expect-error unknown enum literal
    await (await import('calibre-native')).Crux.summary({ site: slug, formFactor: 'PHONE' })
    const fake = await startFakeCalibre()
    await fake.close()
    void sites
  `)
  fs.writeFileSync(path.join(project, 'consumer.cts'), `
    import calibre = require('calibre-native')
    import testing = require('calibre-native/testing')
    export async function main(): Promise<string> {
      const fake = await testing.startFakeCalibre({ seed: true })
      await fake.close()
      // @ts-expect-error \`site\` is required
      await calibre.Deploy.list({})
      return (await calibre.Test.waitForTest('uuid', { intervalMs: 10 })).status
    }
  `)
  try {
    await run(process.execPath, [TSC, '-p', project], { cwd: project, env: cleanEnv() })
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`)
  }
})

test('the shipped typings contain no `any` outside comments', () => {
  for (const file of ['index.d.ts', 'testing/index.d.ts']) {
    const code = fs.readFileSync(path.join(ROOT, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|\s)\/\/.*$/gm, '$1')
    const hits = code.split('\n').filter((line) => /\bany\b/.test(line))
    assert.deepEqual(hits, [], `${file} uses any`)
  }
})
