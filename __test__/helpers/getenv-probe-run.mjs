// Run under getenv-probe.c by env-threads.spec.mjs: the work the addon does off the JS thread,
// first on a worker (so the worker's call starts the runtime), then on the main thread: a call,
// a refresh, a token command, and (on the worker) keyring-backed calls against a bus that never
// answers.
// Usage: node getenv-probe-run.mjs <package root> <config file>
import { Worker } from 'node:worker_threads'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { startRecorder } from './recorder.mjs'

const [root, configPath] = process.argv.slice(2)
const server = await startRecorder()
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'getenv-probe-'))
const busPath = path.join(dir, 'bus')
const silentBus = net.createServer(() => {}).listen(busPath)
await new Promise((resolve) => silentBus.once('listening', resolve))

const work = `
  const { Calibre, GraphQL, Token } = require(workerData.root)
  const fs = require('node:fs')
  process.env.CALIBRE_HOST = workerData.url
  process.env.CALIBRE_APP_HOST = workerData.url
  process.env.CALIBRE_API_TOKEN = 'tok_ENV'
  await GraphQL.request({ query: '{ a }' })
  try { await Token.refresh() } catch {}
  delete process.env.CALIBRE_API_TOKEN
  process.env.CALIBRE_TOKEN_COMMAND = 'echo tok_COMMAND'
  await GraphQL.request({ query: '{ a }' })
  delete process.env.CALIBRE_TOKEN_COMMAND
  if (!workerData.keyring) return
  fs.mkdirSync(require('node:path').dirname(workerData.configPath), { recursive: true })
  fs.writeFileSync(workerData.configPath, JSON.stringify({ token: null, 'calibre-native': { tokenStore: 'keyring' } }))
  process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=' + workerData.busPath
  try { Token.resolve() } catch {}
  try { await new Calibre().Token.status() } catch {}
  fs.rmSync(workerData.configPath)
  delete process.env.DBUS_SESSION_BUS_ADDRESS`

const data = { root, url: server.url, configPath, busPath, keyring: true }
await new Promise((resolve, reject) => {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     (async () => { ${work} })().then(() => parentPort.postMessage('done'))`,
    { eval: true, workerData: data },
  )
  worker.on('error', reject)
  worker.on('exit', resolve)
})
const workerData = { ...data, keyring: false }
const require = createRequire(import.meta.url)
await eval(`(async () => { ${work} })()`)
silentBus.close()
await server.close()
fs.rmSync(dir, { recursive: true, force: true })
console.log(JSON.stringify({ requests: server.requests.length }))
