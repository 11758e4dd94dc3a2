// Runs inside the Debian 11 chroot (scripts/test-old-glibc.sh): the installed package loads from
// its per-platform package and answers real calls against the fake API on loopback.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { glibcVersionRuntime } = process.report.getReport().header
console.log(`glibc ${glibcVersionRuntime}, Node ${process.version}`)

const calibre = await import('calibre-native')
const { startFakeCalibre } = await import('calibre-native/testing')
const addon = Object.keys(require.cache).find((f) => f.endsWith('.node'))
assert.match(addon, /node_modules\/calibre-native-linux-x64-gnu\/calibre-native\.linux-x64-gnu\.node$/)

const fake = await startFakeCalibre({ rateLimit: false })
try {
  const token = fake.tokens.create({ type: 'admin' })
  const client = new calibre.Calibre({ token, host: fake.url })
  const sites = await client.Site.list()
  assert.ok(sites.length > 0)
  const site = sites[0].slug
  const deploy = await client.Deploy.create({ site, revision: 'old-glibc' })
  assert.equal(deploy.revision, 'old-glibc')
  const stranger = new calibre.Calibre({ token: 'not-a-token-the-fake-knows', host: fake.url })
  await assert.rejects(stranger.Site.list(), (e) => e instanceof calibre.CalibreError && e.code === 'CALIBRE_UNAUTHORIZED')

  process.env.CALIBRE_API_TOKEN = token
  process.env.CALIBRE_HOST = fake.url
  assert.equal(calibre.Token.resolve().source, 'env')
  // Asynchronous: the fake answers from this process's event loop.
  const { stdout: viaCli } = await promisify(execFile)(process.execPath, ['node_modules/.bin/calibre-native', 'site', 'list', '--json'], { cwd: '/app' })
  assert.deepEqual(JSON.parse(viaCli).map((s) => s.slug), sites.map((s) => s.slug))
  console.log(`ok: loaded ${addon}; ${sites.length} sites, a deploy, a typed error, the token chain and the CLI`)
} finally {
  await fake.close()
}
