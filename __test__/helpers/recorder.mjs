// A recording HTTP server on 127.0.0.1 for transport tests: every request is kept
// (method, path, headers, parsed body, time) and answered by the current `reply`.
import http from 'node:http'

export async function startRecorder(reply = () => ({ body: { data: {} } })) {
  const requests = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let body
      try { body = text ? JSON.parse(text) : undefined } catch { body = text }
      const entry = { method: req.method, path: req.url, headers: req.headers, body, text, time: Date.now() }
      requests.push(entry)
      const answer = (await recorder.reply(entry)) ?? {}
      if (answer.hang) return
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs))
      res.statusCode = answer.status ?? 200
      const raw = typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body ?? { data: {} })
      res.setHeader('content-type', answer.contentType ?? 'application/json')
      for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v)
      res.end(raw)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const recorder = {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    reply,
    last: () => requests.at(-1),
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve) }),
  }
  return recorder
}
