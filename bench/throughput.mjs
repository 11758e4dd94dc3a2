// Request throughput and latency, throttle off, against bench/server.mjs (another process).
// argv[2]: JSON { base, rounds, seq, conc, concurrency, warmup }. Prints JSON results on stdout.
// Every round runs every client in turn (sequential, then `concurrency` in flight), so machine
// noise is spread over all of them instead of landing on one.
import { CLIENTS, makeClient } from './clients.mjs'
import { SMALL_QUERY, SMALL_VARIABLES, percentile } from './lib.mjs'

const config = JSON.parse(process.argv[2])

/** Runs `total` calls with `width` in flight; returns req/s, latency percentiles (ms), CPU µs/request. */
async function drive(fn, total, width) {
  const latencies = new Float64Array(total)
  let next = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  async function worker() {
    while (next < total) {
      const i = next++
      const start = performance.now()
      const result = await fn()
      latencies[i] = performance.now() - start
      if (!result || !Array.isArray(result.locations)) throw new Error('unexpected result')
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, total) }, worker))
  const elapsed = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const sorted = latencies.sort()
  return {
    rps: (total * 1000) / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    // CPU time of this (client) process per request, all threads, µs.
    cpu: (cpu.user + cpu.system) / total,
  }
}

const clients = {}
for (const name of CLIENTS) {
  clients[name] = await makeClient(name, {
    base: config.base,
    query: SMALL_QUERY,
    variables: SMALL_VARIABLES,
    maxSockets: config.concurrency,
  })
  await drive(clients[name], config.warmup, config.concurrency)
}

const results = Object.fromEntries(CLIENTS.map((n) => [n, { c1: [], cN: [] }]))
for (let round = 0; round < config.rounds; round++) {
  // Rotate the order each round so no client always runs right after the same one.
  const order = CLIENTS.map((_, i) => CLIENTS[(i + round) % CLIENTS.length])
  for (const name of order) {
    results[name].c1.push(await drive(clients[name], config.seq, 1))
    results[name].cN.push(await drive(clients[name], config.conc, config.concurrency))
  }
  process.stderr.write(`  throughput round ${round + 1}/${config.rounds} done\n`)
}
process.stdout.write(JSON.stringify(results))
// The node:http agent and undici keep sockets open; do not wait for their idle timeouts.
process.exit(0)
