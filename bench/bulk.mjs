// Bulk work under the default throttle (10 request starts per 1100 ms): `calls` requests
// started at once through Promise.all, timed until the last one settles.
// argv[2]: JSON { base, client: 'calibre-native' | 'calibre@7', calls }. Prints JSON { ms }.
// calibre-native: `new Calibre({ token, host })`, so the process-wide default throttle.
// calibre@7 (reference only): its module-level GraphQL.request, p-throttle strict.
import { SMALL_QUERY, SMALL_VARIABLES, TOKEN } from './lib.mjs'

const config = JSON.parse(process.argv[2])
let request
if (config.client === 'calibre-native') {
  const { Calibre } = await import('calibre-native')
  request = new Calibre({ token: TOKEN, host: config.base }).GraphQL.request
} else {
  process.env.CALIBRE_HOST = config.base
  process.env.CALIBRE_API_TOKEN = TOKEN
  request = (await import('calibre')).GraphQL.request
}
const args = { query: SMALL_QUERY, ...SMALL_VARIABLES }
const t0 = performance.now()
const results = await Promise.all(Array.from({ length: config.calls }, () => request(args)))
const ms = performance.now() - t0
if (!results.every((r) => Array.isArray(r.locations))) throw new Error('unexpected result')
process.stdout.write(JSON.stringify({ ms }))
process.exit(0)
