// The addon as built: it links no OpenSSL (TLS is rustls with ring, so it depends only on libc),
// and it loads on every glibc from 2.17 on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const addon = fs.readdirSync(root).find((f) => f.endsWith('.node'))

test('the .node links neither libssl nor libcrypto', (t) => {
  assert.ok(addon, 'the addon is built')
  let linked
  try {
    linked = execFileSync('ldd', [`${root}/${addon}`], { encoding: 'utf8' })
  } catch {
    t.skip('ldd is not available on this machine')
    return
  }
  assert.match(linked, /libc\.so/)
  assert.doesNotMatch(linked, /libssl|libcrypto/)
})

test('the Linux gnu build loads on glibc 2.17 or later: no newer symbol, no DT_RELR', (t) => {
  // napi's cross toolchain (scripts/build.mjs) links against glibc 2.17; a build against the
  // machine's own glibc would reference newer symbols and refuse to load on older systems.
  if (!addon.includes('linux-x64-gnu') && !addon.includes('linux-arm64-gnu')) {
    t.skip(`${addon} is not a Linux gnu build`)
    return
  }
  let symbols, versions
  try {
    symbols = execFileSync('objdump', ['-T', `${root}/${addon}`], { encoding: 'utf8', maxBuffer: 64 << 20 })
    versions = execFileSync('readelf', ['-V', '-d', `${root}/${addon}`], { encoding: 'utf8', maxBuffer: 64 << 20 })
  } catch {
    t.skip('objdump or readelf is not available on this machine')
    return
  }
  const needed = [...new Set(symbols.match(/GLIBC_[0-9.]+/g) ?? [])]
  const tooNew = needed.filter((v) => {
    const [major, minor] = v.slice('GLIBC_'.length).split('.').map(Number)
    return major > 2 || (major === 2 && minor > 17)
  })
  assert.deepEqual(tooNew, [], `symbols above GLIBC_2.17: ${tooNew.join(', ')}`)
  assert.doesNotMatch(versions, /GLIBC_ABI_DT_RELR|\(RELR\)/)
})
