// The addon as built: it links no OpenSSL (TLS is rustls with ring, so it depends only on libc),
// and it loads on every glibc from 2.17 on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { hostPlatform } from '../scripts/package.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
// The tree may also hold other platforms' builds (scripts/build-aarch64-gnu.sh): pick this machine's.
const addon = [`calibre-native.${hostPlatform()}.node`].find((f) => fs.existsSync(`${root}/${f}`))
// Every Linux gnu build here gets the glibc check, whichever machine it is for.
const linuxGnu = fs.readdirSync(root).filter((f) => /^calibre-native\.linux-[a-z0-9]+-gnu\.node$/.test(f))

test('the .node links neither libssl nor libcrypto', { skip: process.platform !== 'linux' && 'inspects the Linux ELF build with ldd' }, (t) => {
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

test('the Linux gnu builds load on glibc 2.17 or later: no newer symbol, no DT_RELR', (t) => {
  // napi's cross toolchain (scripts/build.mjs) links against glibc 2.17; a build against the
  // machine's own glibc would reference newer symbols and refuse to load on older systems.
  if (linuxGnu.length === 0) {
    t.skip('no Linux gnu build here')
    return
  }
  for (const file of linuxGnu) {
    let symbols, versions
    // stderr piped: binutils warns about the other architecture's notes.
    const options = { encoding: 'utf8', maxBuffer: 64 << 20, stdio: 'pipe' }
    try {
      symbols = execFileSync('objdump', ['-T', `${root}/${file}`], options)
      versions = execFileSync('readelf', ['-V', '-d', `${root}/${file}`], options)
    } catch {
      t.skip('objdump or readelf is not available on this machine')
      return
    }
    const needed = [...new Set(symbols.match(/GLIBC_[0-9.]+/g) ?? [])]
    const tooNew = needed.filter((v) => {
      const [major, minor] = v.slice('GLIBC_'.length).split('.').map(Number)
      return major > 2 || (major === 2 && minor > 17)
    })
    assert.deepEqual(tooNew, [], `${file}: symbols above GLIBC_2.17: ${tooNew.join(', ')}`)
    assert.doesNotMatch(versions, /GLIBC_ABI_DT_RELR|\(RELR\)/, `${file} uses DT_RELR`)
  }
})
