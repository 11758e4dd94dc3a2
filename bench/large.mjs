// One large result (a long time series) turned into a JS object by one client, in a fresh
// process (run with --expose-gc). argv[2]: JSON { base, client, resolutionMs, expectPoints }.
// Prints JSON { ms, stallMs, rssBeforeMB, peakRssMB }: wall time of the call, the longest
// event-loop delay seen by monitorEventLoopDelay during it (includes its resolution), RSS
// just before, and the process's peak RSS (getrusage maxrss) after it.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import http from 'node:http'
import { makeClient } from './clients.mjs'
import { LARGE_QUERY, LARGE_VARIABLES, SMALL_QUERY, SMALL_VARIABLES, HEADERS } from './lib.mjs'

const config = JSON.parse(process.argv[2])
const name = config.client

/** Reads the large body as text with node:http (untimed), for the JSON.parse-only reference. */
function fetchText(url) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: HEADERS }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    })
    req.on('error', reject)
    req.end(JSON.stringify({ query: LARGE_QUERY, variables: LARGE_VARIABLES }))
  })
}

let run
if (name === 'JSON.parse only') {
  const text = await fetchText(`${config.base}/large/graphql`)
  run = async () => JSON.parse(text).data.organisation.site.timeSeries
} else {
  // Warm up with a small request over the same pool: code loaded, connection open.
  const warm = await makeClient(name, { base: config.base, query: SMALL_QUERY, variables: SMALL_VARIABLES })
  await warm()
  const call = await makeClient(name, {
    base: `${config.base}/large`,
    query: LARGE_QUERY,
    variables: LARGE_VARIABLES,
    call: 'timeSeries',
  })
  run = name === 'calibre-native' ? call : async () => (await call()).organisation.site.timeSeries
}

globalThis.gc()
globalThis.gc()
const rssBefore = process.memoryUsage().rss
const histogram = monitorEventLoopDelay({ resolution: config.resolutionMs })
histogram.enable()
// Let the histogram's timer start before the work does.
await new Promise((r) => setTimeout(r, config.resolutionMs * 2))
const t0 = performance.now()
const result = await run()
const ms = performance.now() - t0
// The histogram's timer records a stall when it next fires, after the call has returned.
await new Promise((r) => setTimeout(r, config.resolutionMs * 2))
histogram.disable()
const peakRss = process.resourceUsage().maxRSS * 1024

if (!result || !Array.isArray(result.series) || result.series[0].values.length !== config.expectPoints) {
  throw new Error(`${name}: unexpected large result`)
}
process.stdout.write(
  JSON.stringify({
    ms,
    stallMs: histogram.max / 1e6,
    rssBeforeMB: rssBefore / 1048576,
    peakRssMB: peakRss / 1048576,
  }),
)
process.exit(0)
