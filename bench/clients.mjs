// The four ways of sending one GraphQL request that the benchmarks compare. Each factory
// returns `() => Promise<result>` where the result is the parsed JS value of the response.
import http from 'node:http'
import { createRequire } from 'node:module'
import { HEADERS, TOKEN } from './lib.mjs'

export const CLIENTS = ['calibre-native', 'graphql-request', 'fetch', 'node:http']

// One keep-alive agent per pool size, shared by every node:http client of this process (as
// reqwest's and undici's pools are shared), so a warm-up request warms the large request too.
const agents = new Map()
function agentFor(maxSockets) {
  if (!agents.has(maxSockets)) agents.set(maxSockets, new http.Agent({ keepAlive: true, maxSockets }))
  return agents.get(maxSockets)
}

/**
 * @param {string} name one of CLIENTS
 * @param {{ base: string, query: string, variables: object, call?: 'graphql' | 'timeSeries', maxSockets?: number, addon?: string }} o
 *   `addon`: for calibre-native, another build's `.node` file to load instead of the package's
 */
export async function makeClient(name, { base, query, variables, call = 'graphql', maxSockets = 64, addon }) {
  const endpoint = `${base}/graphql`
  const body = JSON.stringify({ query, variables })
  switch (name) {
    case 'calibre-native': {
      const { Calibre } = addon ? createRequire(import.meta.url)(addon) : await import('calibre-native')
      const client = new Calibre({ throttle: false, retries: false, token: TOKEN, host: base })
      if (call === 'timeSeries') {
        const { TimeSeries } = client
        return () => TimeSeries.list(variables)
      }
      const { GraphQL } = client
      const args = { query, ...variables }
      return () => GraphQL.request(args)
    }
    case 'graphql-request': {
      // calibre@7 (src/api/graphql.js) builds a new GraphQLClient per request; its p-throttle
      // wrapper is left out here so the transport itself is measured.
      const { GraphQLClient } = await import('graphql-request')
      return () => new GraphQLClient(endpoint, { headers: HEADERS }).request(query, variables)
    }
    case 'fetch':
      return async () => {
        const response = await fetch(endpoint, { method: 'POST', headers: HEADERS, body })
        const json = await response.json()
        return json.data
      }
    case 'node:http': {
      const agent = agentFor(maxSockets)
      const url = new URL(endpoint)
      const options = {
        agent,
        method: 'POST',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { ...HEADERS, 'Content-Length': Buffer.byteLength(body) },
      }
      return () =>
        new Promise((resolve, reject) => {
          const req = http.request(options, (res) => {
            const chunks = []
            res.on('data', (c) => chunks.push(c))
            res.on('end', () => {
              try {
                resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')).data)
              } catch (e) {
                reject(e)
              }
            })
            res.on('error', reject)
          })
          req.on('error', reject)
          req.end(body)
        })
    }
    default:
      throw new Error(`unknown client ${name}`)
  }
}
