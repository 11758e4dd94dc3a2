// Shared helpers for the benchmark scripts: statistics, formatting, the GraphQL payloads.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const BENCH = path.join(ROOT, 'bench')
export const TOKEN = 'bench-token-0123456789'

/** The small operation every throughput client sends (calibre@7's `Agent.list` query). */
export const SMALL_QUERY = `query Locations($site: String) {
  locations { name shortName emoji tag agents { ipv4 } }
}`
export const SMALL_VARIABLES = { site: 'acme-website' }

/** calibre@7's TimeSeries query shape, used for the large result. */
export const LARGE_QUERY = `query TimeSeries($site: String!, $measurements: [MetricTag!], $pages: [String!], $profiles: [String!], $from: String, $to: String) {
  organisation { site(slug: $site) { timeSeries(from: $from, to: $to, measurements: $measurements, pages: $pages, profiles: $profiles) {
    times { name snapshot timestamp } series { name profile page measurement values }
    pages { uuid name url } testProfiles { uuid name jsIsDisabled hasDeviceEmulation hasBandwidthEmulation isMobile }
    metrics { name label formatter docsPath } csv } } }
}`
export const LARGE_VARIABLES = { site: 'acme-website', measurements: [], pages: [], profiles: [] }

/** The headers calibre@7 sends. */
export const HEADERS = {
  Accept: 'application/json',
  'Content-Type': 'application/json',
  Authorization: `Token ${TOKEN}`,
}

export function median(values) {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

export function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), raw: values }
}

/** `12.3 (10.1–15.0)` */
export function fmtRange(s, digits = 1) {
  if (!s || !Number.isFinite(s.median)) return 'n/a'
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
}

export function fmt(n, digits = 1) {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a'
}

/** Runs a node script, collects stdout; rejects on a non-zero exit. `stderr: 'ignore'` sends the
 * child's stderr to /dev/null (the CALIBRE_DEBUG=1 variant of the throughput bench writes its log
 * there). */
export function runNode(args, { env = process.env, input, stderr = 'inherit' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', stderr], cwd: ROOT })
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d) => { out += d })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(out)
      else reject(new Error(`node ${args.join(' ')} exited with ${code ?? signal}`))
    })
    child.stdin.end(input ?? '')
  })
}

/** Starts bench/server.mjs in its own process; resolves to `{ url, close() }`. */
export function startServer({ largeBytes }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(BENCH, 'server.mjs'), String(largeBytes)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let buffered = ''
    child.stdout.setEncoding('utf8')
    const onData = (d) => {
      buffered += d
      const nl = buffered.indexOf('\n')
      if (nl < 0) return
      child.stdout.off('data', onData)
      const info = JSON.parse(buffered.slice(0, nl))
      resolve({
        ...info,
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM') }),
      })
    }
    child.stdout.on('data', onData)
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`bench server exited early (${code})`)))
  })
}

/** Where `npm run bench:wan` keeps its section of BENCHMARKS.md, which `npm run bench` keeps. */
export const WAN_RESULTS = path.join(BENCH, 'wan-results.md')

/** Replaces the WAN section of BENCHMARKS.md's text (or puts it before the notes). */
export function spliceWanSection(text, section) {
  const start = text.indexOf('## WAN:')
  if (start >= 0) {
    const end = text.indexOf('\n## ', start + 1)
    return text.slice(0, start) + section.trim() + '\n' + (end >= 0 ? text.slice(end) : '')
  }
  const notes = text.indexOf('## Notes')
  if (notes >= 0) return text.slice(0, notes) + section.trim() + '\n\n' + text.slice(notes)
  return text.trimEnd() + '\n\n' + section.trim() + '\n'
}
