// One WAN measurement by one client, in a fresh process inside the benchmark's namespace.
// argv[2]: JSON { client, task, host, control, expectPoints, calls }. Env: CALIBRE_HOST,
// CALIBRE_API_TOKEN and NODE_EXTRA_CA_CERTS are set by bench/wan.mjs.
//   task 'large':      one small warm-up call (connection and TLS set up), then the timed call
//                      that turns the large time series into a JS object.
//   task 'sequential': `calls` small calls one after another on one client, timed from the
//                      first (its connection and TLS handshake included).
// Prints JSON { ms, down, up, connections }: the proxy's byte and connection counts over the
// timed part only (bench/wan-proxy.mjs).
import http from 'node:http'
import { HEADERS, LARGE_QUERY, LARGE_VARIABLES, SMALL_QUERY } from './lib.mjs'

const config = JSON.parse(process.argv[2])
const endpoint = `${config.host}/graphql`

function proxyStats() {
  return new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${config.control}/stats`, (res) => {
      let text = ''
      res.on('data', (d) => { text += d })
      res.on('end', () => resolve(JSON.parse(text)))
    }).on('error', reject)
  })
}

/** `{ small(), large() }` for each client, as its users would call it. */
async function client(name) {
  switch (name) {
    case 'calibre-native': {
      const { Calibre } = await import('calibre-native')
      // One client for both calls; no throttle, so the sequential calls measure the transport.
      const api = new Calibre({ throttle: false })
      return { small: () => api.Agent.list(), large: () => api.TimeSeries.list(LARGE_VARIABLES) }
    }
    case 'calibre@7': {
      if (config.task === 'sequential') {
        // calibre@7's own transport without its p-throttle (10 starts per 1.1 s), as in the
        // loopback throughput benchmark: a new GraphQLClient per request over Node's fetch.
        const { GraphQLClient } = await import('graphql-request')
        return { small: () => new GraphQLClient(endpoint, { headers: HEADERS }).request(SMALL_QUERY) }
      }
      const { Agent, TimeSeries } = await import('calibre')
      return { small: () => Agent.list(), large: () => TimeSeries.list(LARGE_VARIABLES) }
    }
    case 'fetch': {
      const post = async (query, variables) => {
        const response = await fetch(endpoint, { method: 'POST', headers: HEADERS, body: JSON.stringify({ query, variables }) })
        return JSON.parse(await response.text()).data
      }
      return {
        small: async () => (await post(SMALL_QUERY, {})).locations,
        large: async () => (await post(LARGE_QUERY, LARGE_VARIABLES)).organisation.site.timeSeries,
      }
    }
    default:
      throw new Error(`unknown client ${name}`)
  }
}

const api = await client(config.client)
let result
let before
const started = { ms: 0 }
if (config.task === 'large') {
  await api.small()
  before = await proxyStats()
  started.ms = performance.now()
  result = await api.large()
} else {
  before = await proxyStats()
  started.ms = performance.now()
  for (let i = 0; i < config.calls; i++) result = await api.small()
}
const ms = performance.now() - started.ms
const after = await proxyStats()

const ok = config.task === 'large'
  ? result?.times?.length === config.expectPoints && result.series.length === 192
  : (Array.isArray(result) ? result : result?.locations)?.length === 4
if (!ok) throw new Error(`${config.client}: unexpected ${config.task} result`)
process.stdout.write(JSON.stringify({
  ms,
  down: after.down - before.down,
  up: after.up - before.up,
  connections: after.connections - before.connections,
}))
process.exit(0)
