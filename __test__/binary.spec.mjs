// The addon as built: it links no OpenSSL (TLS is rustls with ring, so it depends only on libc),
// and its relocations are packed where the loader supports it.
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

test('relative relocations are packed (DT_RELR) when built for glibc 2.36 or later', (t) => {
  // build.rs decides; a build for an older glibc must keep the classic format to load there.
  let glibc, dynamic
  try {
    glibc = execFileSync('getconf', ['GNU_LIBC_VERSION'], { encoding: 'utf8' }).trim()
    dynamic = execFileSync('readelf', ['-d', `${root}/${addon}`], { encoding: 'utf8' })
  } catch {
    t.skip('getconf or readelf is not available on this machine')
    return
  }
  const [major, minor] = glibc.replace(/^glibc /, '').split('.').map(Number)
  const supported = major > 2 || (major === 2 && minor >= 36)
  assert.equal(/\(RELR\)/.test(dynamic), supported && !process.env.CALIBRE_NATIVE_NO_RELR, `${glibc}:\n${dynamic}`)
})
