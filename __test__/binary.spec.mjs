// The addon links no OpenSSL: TLS is rustls (ring), so the .node depends only on libc.
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
