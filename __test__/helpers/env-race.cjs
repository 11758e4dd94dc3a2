// Stress for issue 15.1, run as its own process (a crash must not take the test runner
// down): four workers resolve the token in a loop while the main thread adds and removes
// environment variables (Node's `process.env` setter calls libc `setenv`, which may move
// the C environment under a concurrent `getenv`). Exits 0 when nothing crashed.
// With `keyring`, each worker makes keyring-backed calls instead (`Token.status()` of a new
// client each time, so the keyring is read on the runtime's blocking threads, and
// `Token.resolve()`, which reads it on the worker's own thread).
// Usage: node env-race.cjs <package root> <milliseconds> [keyring]
const { Worker } = require('node:worker_threads')

const [root, ms, mode] = [process.argv[2], Number(process.argv[3]), process.argv[4]]
const code = mode === 'keyring'
  ? `
  const { parentPort, workerData } = require('node:worker_threads')
  const { Token, Calibre } = require(workerData.root)
  ;(async () => {
    let resolved = 0
    while (Date.now() < workerData.end) {
      try { await new Calibre().Token.status() } catch {}
      try { Token.resolve() } catch {}
      resolved++
    }
    parentPort.postMessage(resolved)
  })()`
  : `
  const { parentPort, workerData } = require('node:worker_threads')
  const { Token } = require(workerData.root)
  let resolved = 0
  while (Date.now() < workerData.end) {
    try { Token.resolve(); resolved++ } catch { resolved++ }
  }
  parentPort.postMessage(resolved)`
const end = Date.now() + ms
const done = Array.from({ length: 4 }, () => new Promise((resolve, reject) => {
  const worker = new Worker(code, { eval: true, workerData: { root, end } })
  let count = 0
  worker.on('message', (n) => { count = n })
  worker.on('error', reject)
  worker.on('exit', () => resolve(count))
}))
let round = 0
const churn = () => {
  // Growing the environment reallocates it; deleting shrinks it again.
  for (let i = 0; i < 64; i++) process.env[`ZZ_${i}`] = `${round}-${i}`
  for (let i = 0; i < 64; i++) delete process.env[`ZZ_${i}`]
  round++
  if (Date.now() < end) setImmediate(churn)
}
churn()
Promise.all(done).then((counts) => {
  console.log(JSON.stringify({ rounds: round, resolved: counts.reduce((a, b) => a + b, 0) }))
})
