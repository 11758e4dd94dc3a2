// A throwaway CA and a server certificate for 127.0.0.1/localhost signed by it, made with the
// `openssl` command at test time. Where there is no openssl (node.exe under Wine), sets made
// beforehand are used instead: CALIBRE_TEST_CERTS names a folder of numbered sets (`0/`, `1/`, …,
// each as `writeCertSet` leaves it), handed out in turn. `makeCerts()` resolves to null when
// neither is there (callers skip with `certsUnavailable()`'s reason; nothing is installed).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'

const premade = process.env.CALIBRE_TEST_CERTS
let premadeUsed = 0

let opensslFound
/** Whether the `openssl` command runs here (asked once per process). */
function hasOpenssl() {
  if (opensslFound === undefined) {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' })
      opensslFound = true
    } catch {
      opensslFound = false
    }
  }
  return opensslFound
}

/** Why no certificates can be had here, or false when they can. */
export function certsUnavailable() {
  if (hasOpenssl() || (premade && fs.existsSync(path.join(premade, '0')))) return false
  return 'openssl is not installed: cannot generate a test CA (nothing is installed by the tests)'
}

/** Writes a new CA and a server certificate signed by it into `dir` (needs openssl). */
export function writeCertSet(dir) {
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=calibre-native test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost')
  fs.writeFileSync(path.join(dir, 'server.ext'), [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
  ].join('\n'))
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext')
}

export function makeCerts() {
  if (certsUnavailable()) return null
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-certs-'))
  const file = (name) => path.join(dir, name)
  if (hasOpenssl()) {
    writeCertSet(dir)
  } else {
    const set = path.join(premade, String(premadeUsed++))
    if (!fs.existsSync(set)) throw new Error(`${premade} holds ${premadeUsed - 1} certificate sets; this run needs more`)
    for (const name of ['ca.pem', 'server.key', 'server.pem']) fs.copyFileSync(path.join(set, name), file(name))
  }
  return {
    dir,
    caPath: file('ca.pem'),
    ca: fs.readFileSync(file('ca.pem'), 'utf8'),
    key: fs.readFileSync(file('server.key'), 'utf8'),
    cert: fs.readFileSync(file('server.pem'), 'utf8'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}
