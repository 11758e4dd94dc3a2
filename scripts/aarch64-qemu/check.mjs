// Runs under qemu-aarch64 with the official arm64 Node (scripts/test-aarch64-qemu.sh): the installed
// package loads its arm64 binary and answers real calls against the fake API, which the host's Node
// serves on loopback (CALIBRE_HOST, CALIBRE_API_TOKEN).
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
assert.equal(process.arch, 'arm64')

const calibre = await import('calibre-native')
const addon = Object.keys(require.cache).find((f) => f.endsWith('.node'))
assert.match(addon, /node_modules\/calibre-native-linux-arm64-gnu\/calibre-native\.linux-arm64-gnu\.node$/)
assert.equal(calibre.Token.resolve().source, 'env')

const sites = await calibre.Site.list()
assert.ok(sites.length > 0)
const deploy = await calibre.Deploy.create({ site: sites[0].slug, revision: 'aarch64-qemu' })
assert.equal(deploy.revision, 'aarch64-qemu')
const stranger = new calibre.Calibre({ token: 'not-a-token-the-fake-knows', host: process.env.CALIBRE_HOST })
await assert.rejects(stranger.Site.list(), (e) => e instanceof calibre.CalibreError && e.code === 'CALIBRE_UNAUTHORIZED')

const { glibcVersionRuntime } = process.report.getReport().header
console.log(JSON.stringify({ arch: process.arch, node: process.version, glibc: glibcVersionRuntime, addon, sites: sites.map((s) => s.slug) }))
