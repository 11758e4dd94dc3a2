// The WAN benchmark's latency: a TCP proxy that delivers every chunk `delayMs` after it
// arrived, in each direction (2 × delayMs per round trip), in order. A new connection's first
// bytes wait one more round trip, as TCP's handshake costs one on a real link (here the kernel
// completes it on loopback before the proxy sees the connection). It counts the bytes it
// forwards, TLS records and all, and serves the counts as JSON on a control port:
// GET /stats -> { down, up, connections } (down = server to client).
//
//   node bench/wan-proxy.mjs <target port> <delay ms>
// Prints `{"port":…,"controlPort":…}` on its first stdout line.
import http from 'node:http'
import net from 'node:net'

const targetPort = Number(process.argv[2])
const delayMs = Number(process.argv[3] ?? 20)
const stats = { down: 0, up: 0, connections: 0 }

/** Writes chunks to `to` at their due times, in arrival order, with one timer at a time. */
class DelayLine {
  constructor(to) {
    this.to = to
    this.queue = []
    this.timer = null
  }

  push(due, chunk) {
    this.queue.push({ due, chunk })
    if (!this.timer) this.schedule()
  }

  schedule() {
    const head = this.queue[0]
    this.timer = setTimeout(() => this.drain(), Math.max(0, head.due - performance.now()))
  }

  drain() {
    this.timer = null
    const now = performance.now()
    while (this.queue.length && this.queue[0].due <= now + 0.5) {
      const { chunk } = this.queue.shift()
      if (!this.to.writable) continue
      if (chunk === null) this.to.end()
      else this.to.write(chunk)
    }
    if (this.queue.length) this.schedule()
  }
}

const proxy = net.createServer((client) => {
  stats.connections++
  const upstream = net.connect(targetPort, '127.0.0.1')
  client.setNoDelay(true)
  upstream.setNoDelay(true)
  const handshakeDone = performance.now() + 2 * delayMs
  const wire = (from, to, counter, notBefore) => {
    const line = new DelayLine(to)
    let last = 0
    const due = () => (last = Math.max(last, notBefore, performance.now() + delayMs))
    from.on('data', (chunk) => {
      stats[counter] += chunk.length
      line.push(due(), chunk)
    })
    // A half-close or a close (reset) reaches the other side after the data before it.
    let ended = false
    const end = () => {
      if (!ended) line.push(due(), null)
      ended = true
    }
    from.on('end', end)
    from.on('close', end)
    from.on('error', () => {})
  }
  wire(client, upstream, 'up', handshakeDone)
  wire(upstream, client, 'down', 0)
})

const control = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(stats))
})

process.on('SIGTERM', () => process.exit(0))
// The benchmark has gone (its end of the pipe closed): so do we.
process.stdout.on('error', () => process.exit(0))
proxy.listen(0, '127.0.0.1', () => {
  control.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ port: proxy.address().port, controlPort: control.address().port }) + '\n')
  })
})
