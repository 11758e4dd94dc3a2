// Stress for issue 15.1, run as its own process (a crash must not take the test runner
// down): four workers resolve the token in a loop while the main thread adds and removes
// environment variables (Node's `process.env` setter calls libc `setenv`, which may move
// the C environment under a concurrent `getenv`). Exits 0 when nothing crashed.
// Usage: node env-race.cjs <package root> <milliseconds>
const { Worker } = require('node:worker_threads')

const [root, ms] = [process.argv[2], Number(process.argv[3])]
const code = `
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
