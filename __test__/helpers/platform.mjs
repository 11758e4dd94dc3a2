// What differs between the systems the suites run on (Linux, and Windows under Wine:
// scripts/test-windows.sh), in one place.
import assert from 'node:assert/strict'
import fs from 'node:fs'

export const onWindows = process.platform === 'win32'

/**
 * Asserts a Unix permission mode. Windows has none (Node reports 0o666 or 0o444): there the
 * profile folder's access list, which a new file inherits, keeps it private, as for configstore.
 */
export function assertPrivate(file, mode) {
  if (onWindows) return
  assert.equal(fs.statSync(file).mode & 0o777, mode, `${file} mode`)
}

/**
 * What a config directory holds after our writes: the file, and on Windows the lock file
 * beside it (a directory cannot be locked there).
 */
export const configDirEntries = onWindows ? ['calibre.json', 'calibre.json.lock'] : ['calibre.json']
