// Run under getenv-probe.c by env-threads.spec.mjs: the work the addon does off the JS thread,
// first on a worker (this file again, so the worker's call starts the runtime), then on the main
// thread: a call, a refresh, a token command, and (on the worker) keyring-backed calls against a
// bus that never answers.
// Usage: node getenv-probe-run.mjs <package root> <config file>
import { Worker, isMainThread, workerData } from 'node:worker_threads'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { startRecorder } from './recorder.mjs'

async function work({ root, url, configPath, busPath, keyring }) {
  const { Calibre, GraphQL, Token } = createRequire(import.meta.url)(root)
  process.env.CALIBRE_HOST = url
  process.env.CALIBRE_APP_HOST = url
  process.env.CALIBRE_API_TOKEN = 'tok_ENV'
  await GraphQL.request({ query: '{ a }' })
  try { await Token.refresh() } catch {}
  delete process.env.CALIBRE_API_TOKEN
  process.env.CALIBRE_TOKEN_COMMAND = 'echo tok_COMMAND'
  await GraphQL.request({ query: '{ a }' })
  delete process.env.CALIBRE_TOKEN_COMMAND
  if (!keyring) return
  fs.mkdirSync(path.dirname(configPath), { recursive: true })
  fs.writeFileSync(configPath, JSON.stringify({ token: null, 'calibre-native': { tokenStore: 'keyring' } }))
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${busPath}`
  try { Token.resolve() } catch {}
  try { await new Calibre().Token.status() } catch {}
  fs.rmSync(configPath)
  delete process.env.DBUS_SESSION_BUS_ADDRESS
}

if (!isMainThread) {
  await work(workerData)
} else {
  const [root, configPath] = process.argv.slice(2)
  const server = await startRecorder()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'getenv-probe-'))
  const busPath = path.join(dir, 'bus')
  const silentBus = net.createServer(() => {}).listen(busPath)
  await new Promise((resolve) => silentBus.once('listening', resolve))
  const data = { root, url: server.url, configPath, busPath }
  await new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { ...data, keyring: true } })
    worker.on('error', reject)
    worker.on('exit', resolve)
  })
  await work({ ...data, keyring: false })
  silentBus.close()
  await server.close()
  fs.rmSync(dir, { recursive: true, force: true })
  console.log(JSON.stringify({ requests: server.requests.length }))
}
