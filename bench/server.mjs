// The benchmark server: a minimal HTTP/1.1 keep-alive server on 127.0.0.1 written on `node:net`,
// run in its own process so it does not share an event loop with the clients. It answers
//   POST /graphql        a small GraphQL result (~0.5 KB, calibre@7's Agent.list shape)
//   POST /large/graphql  a large GraphQL result (a long time series, size from argv[2] bytes)
// with precomputed responses, so it costs as little CPU per request as possible: the clients,
// not the server, should be what the throughput figures measure.
// Prints `{"port":…,"smallBytes":…,"largeBytes":…,"largePoints":…}` on its first stdout line.
import net from 'node:net'

const largeTarget = Number(process.argv[2] || 20e6)

const small = {
  data: {
    locations: [
      { name: 'Sydney, Australia', shortName: 'Sydney', emoji: '🇦🇺', tag: 'ap-southeast-2', agents: [{ ipv4: '13.54.1.10' }, { ipv4: '13.54.1.11' }] },
      { name: 'North Virginia, USA', shortName: 'Virginia', emoji: '🇺🇸', tag: 'us-east-1', agents: [{ ipv4: '34.192.2.20' }] },
      { name: 'London, United Kingdom', shortName: 'London', emoji: '🇬🇧', tag: 'eu-west-2', agents: [{ ipv4: '35.176.3.30' }] },
      { name: 'Frankfurt, Germany', shortName: 'Frankfurt', emoji: '🇩🇪', tag: 'eu-central-1', agents: [{ ipv4: '18.184.4.40' }] },
    ],
  },
}

/** A deterministic time series of about `target` bytes of JSON (numbers, objects, a CSV string). */
function timeSeries(target) {
  let seed = 42
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
  const pages = Array.from({ length: 8 }, (_, i) => ({ uuid: `page-${i}`, name: `Page ${i}`, url: `https://acme.example/p/${i}` }))
  const testProfiles = Array.from({ length: 4 }, (_, i) => ({
    uuid: `profile-${i}`, name: ['Chrome Desktop', 'Motorola Moto G Power', 'iPhone 15', 'Chrome Desktop (no JS)'][i],
    jsIsDisabled: i === 3, hasDeviceEmulation: i === 1 || i === 2, hasBandwidthEmulation: i > 0, isMobile: i === 1 || i === 2,
  }))
  const measurementTags = ['largest-contentful-paint', 'first-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index', 'page-size']
  const metrics = measurementTags.map((name) => ({ name, label: name.replace(/-/g, ' '), formatter: 'humanDuration', docsPath: `/metrics/${name}` }))
  // Each point costs about 5.5 bytes in `values` and 5 in `csv` for each series, plus ~90 in `times`.
  const seriesCount = pages.length * testProfiles.length * measurementTags.length // 192
  const points = Math.max(10, Math.round(target / (seriesCount * 10.5 + 90)))
  const start = Date.UTC(2024, 0, 1)
  const times = Array.from({ length: points }, (_, i) => {
    const iso = new Date(start + i * 3_600_000).toISOString()
    return { name: iso, snapshot: String(100000 + i), timestamp: iso }
  })
  const series = []
  for (const page of pages) {
    for (const profile of testProfiles) {
      for (const measurement of measurementTags) {
        const cls = measurement === 'cumulative-layout-shift'
        const values = Array.from({ length: points }, () => {
          const r = rand()
          if (r < 0.01) return null
          return cls ? Math.round(r * 1000) / 10000 : Math.round(200 + r * 4800)
        })
        series.push({ name: `${page.name} ${profile.name} ${measurement}`, profile: profile.uuid, page: page.uuid, measurement, values })
      }
    }
  }
  const header = ['timestamp', ...series.map((s) => s.name)].join(',')
  const rows = times.map((t, i) => [t.timestamp, ...series.map((s) => s.values[i] ?? '')].join(','))
  const csv = [header, ...rows].join('\n')
  return { data: { organisation: { site: { timeSeries: { times, series, pages, testProfiles, metrics, csv } } } } }
}

function response(body) {
  const payload = Buffer.from(JSON.stringify(body))
  const head = Buffer.from(
    'HTTP/1.1 200 OK\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${payload.length}\r\n` +
      'Connection: keep-alive\r\n' +
      'Keep-Alive: timeout=60\r\n\r\n',
  )
  return { bytes: Buffer.concat([head, payload]), bodyLength: payload.length }
}

const SMALL = response(small)
const largeBody = timeSeries(largeTarget)
const LARGE_POINTS = largeBody.data.organisation.site.timeSeries.times.length
const LARGE = response(largeBody)
const NOT_FOUND = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n')
const BAD = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
const HEAD_END = Buffer.from('\r\n\r\n')

let requests = 0

const server = net.createServer((socket) => {
  socket.setNoDelay(true)
  let buf = Buffer.alloc(0)
  socket.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
    for (;;) {
      const end = buf.indexOf(HEAD_END)
      if (end < 0) return
      const head = buf.toString('latin1', 0, end)
      const lines = head.split('\r\n')
      const [method, target] = lines[0].split(' ')
      let length = 0
      let close = false
      for (let i = 1; i < lines.length; i++) {
        const colon = lines[i].indexOf(':')
        const name = lines[i].slice(0, colon).trim().toLowerCase()
        const value = lines[i].slice(colon + 1).trim()
        if (name === 'content-length') length = Number(value)
        else if (name === 'transfer-encoding' && value.toLowerCase() !== 'identity') {
          // None of the benchmarked clients sends chunked bodies; refuse rather than misparse.
          socket.end(BAD)
          return
        } else if (name === 'connection' && value.toLowerCase() === 'close') close = true
      }
      const total = end + 4 + length
      if (buf.length < total) return
      buf = buf.subarray(total)
      requests++
      let out = NOT_FOUND
      if (method === 'POST' && target === '/graphql') out = SMALL.bytes
      else if (method === 'POST' && target === '/large/graphql') out = LARGE.bytes
      if (close) {
        socket.end(out)
        return
      }
      socket.write(out)
    }
  })
  socket.on('error', () => {})
})

process.on('SIGTERM', () => {
  process.stderr.write(`bench server: ${requests} requests\n`)
  process.exit(0)
})

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    JSON.stringify({ port: server.address().port, smallBytes: SMALL.bodyLength, largeBytes: LARGE.bodyLength, largePoints: LARGE_POINTS }) + '\n',
  )
})
