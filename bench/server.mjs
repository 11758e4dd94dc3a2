// The benchmark server: a minimal HTTP/1.1 keep-alive server on 127.0.0.1 written on `node:net`,
// run in its own process so it does not share an event loop with the clients. It answers
//   POST /graphql        a small GraphQL result (~0.5 KB, calibre@7's Agent.list shape)
//   POST /large/graphql  a large GraphQL result (a long time series, size from argv[2] bytes)
// with precomputed responses, so it costs as little CPU per request as possible: the clients,
// not the server, should be what the throughput figures measure.
// Prints `{"port":…,"smallBytes":…,"largeBytes":…,"largePoints":…}` on its first stdout line.
import net from 'node:net'
import { small, timeSeries } from './payloads.mjs'

const largeTarget = Number(process.argv[2] || 20e6)

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
