// Run a single page test of one URL from every test location, wait for all of them and
// compare Largest Contentful Paint.
//
// Run: node examples/test-from-every-location.mjs https://www.example.com
// POLL_INTERVAL_MS shortens the wait between status checks (default 5000, as calibre@7).
import { Agent, Test } from 'calibre-native'

const url = process.argv[2] ?? 'https://calibreapp.com'
const intervalMs = Number(process.env.POLL_INTERVAL_MS ?? 5000)
const locations = await Agent.list()

console.log(`Testing ${url} from ${locations.length} locations…`)
const tests = await Promise.all(locations.map(async (location) => {
  const { uuid } = await Test.create({ url, location: location.tag })
  const result = await Test.waitForTest(uuid, { intervalMs, timeoutMs: 10 * 60 * 1000 })
  return { location, result }
}))

for (const { location, result } of tests) {
  const lcp = result.metrics?.find((m) => m.name === 'largest-contentful-paint')
  console.log(`  ${location.emoji ?? ''} ${location.name.padEnd(24)} ${result.status.padEnd(10)} LCP ${lcp ? `${Math.round(lcp.value)} ms` : '-'}`)
}
