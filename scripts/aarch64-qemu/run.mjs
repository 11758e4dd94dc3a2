// Host side of scripts/test-aarch64-qemu.sh: serves the fake API on loopback with this (x64) Node
// and runs check.mjs and the `calibre-native` command in APP under qemu-aarch64 with the arm64 Node.
//   node scripts/aarch64-qemu/run.mjs APP ARM64_NODE
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { startFakeCalibre } from '../../testing/index.mjs'

const [app, arm64Node] = process.argv.slice(2).map((p) => path.resolve(p))
const qemu = process.env.QEMU_AARCH64 ?? 'qemu-aarch64-static'

const fake = await startFakeCalibre({ rateLimit: false })
try {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, CALIBRE_HOST: fake.url, CALIBRE_API_TOKEN: fake.tokens.create({ type: 'admin' }) }
  // Asynchronous: the fake answers from this process's event loop while the arm64 Node runs.
  const arm64 = (args) => promisify(execFile)(qemu, [arm64Node, ...args], { cwd: app, env, maxBuffer: 16 << 20 })

  const { stdout } = await arm64(['check.mjs'])
  const checked = JSON.parse(stdout)
  assert.ok(fake.requests.length >= 3, 'the calls reached the fake on loopback')
  const { stdout: viaCli } = await arm64(['node_modules/.bin/calibre-native', 'site', 'list', '--json'])
  assert.deepEqual(JSON.parse(viaCli).map((s) => s.slug), checked.sites)
  console.log(`ok: Node ${checked.node} ${checked.arch} (glibc ${checked.glibc}) under ${qemu} loaded ${path.relative(app, checked.addon)}; ` +
    `Token.resolve, ${checked.sites.length} sites, a deploy, a typed error and the CLI against the fake on ${fake.url}`)
} finally {
  await fake.close()
}
