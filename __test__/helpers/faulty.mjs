// A local node:http server for fault injection: every request is recorded (time, headers,
// body) and handed to `handler(req, res, n)` with its 1-based attempt number `n`, which may
// answer normally, slowly, partially, or destroy the connection. close() destroys every
// socket so nothing the handler left pending keeps the test process alive.
import http from 'node:http'
import net from 'node:net'

export async function startFaulty(handler) {
  const hits = []
  const sockets = new Set()
  const server = http.createServer(async (req, res) => {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const hit = { time: Date.now(), method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
    hits.push(hit)
    res.on('error', () => {})
    try {
      await faulty.handler(req, res, hits.length)
    } catch {
      req.socket.destroy()
    }
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const faulty = {
    url: `http://127.0.0.1:${server.address().port}`,
    port: server.address().port,
    hits,
    handler,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
  return faulty
}

/** Answers with a JSON (or string) body, a status and headers. */
export function reply(res, status, body, headers = {}) {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(text)
}

/** A port on 127.0.0.1 that nothing listens on (bound, read, released). */
export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = s.address().port
      s.close(() => resolve(port))
    })
  })
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Rejects with "did not settle" if `promise` takes longer than `ms`. */
export async function settle(promise, ms = 15000) {
  let timer
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`the call did not settle within ${ms} ms`)), ms) })
  try {
    return await Promise.race([promise, limit])
  } finally {
    clearTimeout(timer)
  }
}
