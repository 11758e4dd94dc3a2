// Request throughput and latency, throttle off, against bench/server.mjs (another process).
// argv[2]: JSON { base, rounds, seq, conc, concurrency, warmup, clients? }. Prints JSON results on
// stdout. Every round runs every client in turn (sequential, then `concurrency` in flight), so
// machine noise is spread over all of them instead of landing on one.
//
// Besides the four clients, variants of calibre-native run in the same rounds, to price what the
// observability work added: with a diagnostics_channel subscriber on its request channels, with
// CALIBRE_DEBUG=1 (this process's stderr should be /dev/null: the log is written, not shown),
// and, when BENCH_BEFORE_NODE names another build's `.node`, that build ("before").
import diagnostics from 'node:diagnostics_channel'
import { CLIENTS, makeClient } from './clients.mjs'
import { SMALL_QUERY, SMALL_VARIABLES, percentile } from './lib.mjs'

let observed = 0
const onStart = () => { observed++ }
const onEnd = (message) => { observed += message.durationMs > 0 ? 1 : 0 }
const VARIANTS = {
  'calibre-native + subscriber': {
    enter() {
      diagnostics.subscribe('calibre-native:request:start', onStart)
      diagnostics.subscribe('calibre-native:request:end', onEnd)
    },
    leave() {
      diagnostics.unsubscribe('calibre-native:request:start', onStart)
      diagnostics.unsubscribe('calibre-native:request:end', onEnd)
    },
  },
  'calibre-native + CALIBRE_DEBUG=1': {
    enter() { process.env.CALIBRE_DEBUG = '1' },
    leave() { delete process.env.CALIBRE_DEBUG },
  },
  ...(process.env.BENCH_BEFORE_NODE ? { 'calibre-native before': { addon: process.env.BENCH_BEFORE_NODE } } : {}),
}

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

const NAMES = config.clients ?? [...CLIENTS, ...Object.keys(VARIANTS)]
const around = (name) => VARIANTS[name] ?? {}

/** `drive`, with the variant's set-up around it. */
async function measure(name, total, width) {
  around(name).enter?.()
  try {
    return await drive(clients[name], total, width)
  } finally {
    around(name).leave?.()
  }
}

const clients = {}
for (const name of NAMES) {
  clients[name] = await makeClient(VARIANTS[name] ? 'calibre-native' : name, {
    base: config.base,
    query: SMALL_QUERY,
    variables: SMALL_VARIABLES,
    maxSockets: config.concurrency,
    addon: around(name).addon,
  })
  await measure(name, config.warmup, config.concurrency)
}

const results = Object.fromEntries(NAMES.map((n) => [n, { c1: [], cN: [] }]))
for (let round = 0; round < config.rounds; round++) {
  // Rotate the order each round so no client always runs right after the same one.
  const order = NAMES.map((_, i) => NAMES[(i + round) % NAMES.length])
  for (const name of order) {
    results[name].c1.push(await measure(name, config.seq, 1))
    results[name].cN.push(await measure(name, config.conc, config.concurrency))
  }
}
if (Object.hasOwn(results, 'calibre-native + subscriber') && observed === 0) throw new Error('the subscriber saw nothing')
process.stdout.write(JSON.stringify(results))
// The node:http agent and undici keep sockets open; do not wait for their idle timeouts.
process.exit(0)
