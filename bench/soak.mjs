// Soak: 10 000 GraphQL requests at concurrency 32 against a local server running in a
// separate process (throttle off), printing RSS and open file descriptors at the start
// (after a warm-up), the middle and the end. Targets: RSS growth < 10 MiB, no fd growth.
// Exits 1 when a target is missed. Not part of `npm test`: run `npm run soak`.
//
//   SOAK_REQUESTS=10000 SOAK_CONCURRENCY=32 node bench/soak.mjs
import fs from 'node:fs'
import v8 from 'node:v8'
import vm from 'node:vm'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const SERVER = process.argv[2] === '--server'

if (SERVER) {
  // The server process: keep-alive HTTP, a small GraphQL answer, port reported to the parent.
  const http = await import('node:http')
  const body = JSON.stringify({
    data: { organisation: { site: { name: 'Soak', slug: 'soak', pages: Array.from({ length: 10 }, (_, i) => ({ uuid: `page-${i}`, url: `https://example.com/${i}` })) } } },
  })
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
  })
  server.keepAliveTimeout = 60000
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  process.on('disconnect', () => process.exit(0))
} else {
  const TOTAL = Number(process.env.SOAK_REQUESTS ?? 10000)
  const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 32)
  const WARMUP = Math.min(1000, TOTAL)
  const DEADLINE_MS = 10 * 60 * 1000
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc')

  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)))
  })
  const deadline = setTimeout(() => {
    console.error(`soak: not finished after ${DEADLINE_MS / 1000} s, giving up`)
    child.kill()
    process.exit(2)
  }, DEADLINE_MS)
  deadline.unref()

  const { Calibre } = await import('../index.mjs')
  const client = new Calibre({ token: 'soak-token', host: `http://127.0.0.1:${port}`, throttle: false, retries: false })
  const QUERY = 'query Soak($slug: String!) { organisation { site(slug: $slug) { name slug pages { uuid url } } } }'

  const mib = (n) => (n / 1024 / 1024).toFixed(1)
  const fds = () => fs.readdirSync('/proc/self/fd').length
  const sample = (label, done) => {
    gc()
    gc()
    const s = { label, done, rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, fds: fds(), time: Date.now() }
    console.log(`${label.padEnd(7)} ${String(done).padStart(6)} requests  rss ${mib(s.rss).padStart(6)} MiB  heap ${mib(s.heap).padStart(5)} MiB  fds ${s.fds}`)
    return s
  }

  let failures = 0
  async function run(count, onProgress) {
    let next = 0
    let done = 0
    async function worker() {
      while (next < count) {
        next++
        try {
          const data = await client.GraphQL.request({ query: QUERY, slug: 'soak' })
          if (data.organisation.site.pages.length !== 10) throw new Error('bad answer')
        } catch (e) {
          failures++
          if (failures <= 5) console.error(`request failed: ${e.code ?? ''} ${e.message}`)
        }
        done++
        await onProgress?.(done)
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  }

  console.log(`soak: ${TOTAL} requests at concurrency ${CONCURRENCY} (warm-up ${WARMUP}), server pid ${child.pid}, node ${process.version}`)
  await run(WARMUP)
  const start = sample('start', 0)
  let middle
  await run(TOTAL, (done) => { if (done === Math.floor(TOTAL / 2)) middle = sample('middle', done) })
  const end = sample('end', TOTAL)
  const seconds = (end.time - start.time) / 1000
  const growth = end.rss - start.rss
  const fdGrowth = end.fds - start.fds
  console.log(`throughput ${(TOTAL / seconds).toFixed(0)} req/s over ${seconds.toFixed(1)} s (incl. sampling), failures ${failures}`)
  console.log(`rss growth ${mib(growth)} MiB (start→middle ${mib(middle.rss - start.rss)}, middle→end ${mib(end.rss - middle.rss)}), fd growth ${fdGrowth}`)
  child.disconnect()
  const ok = growth < 10 * 1024 * 1024 && fdGrowth <= 0 && failures === 0
  console.log(ok ? 'soak: OK (rss growth < 10 MiB, no fd growth, no failures)' : 'soak: FAILED')
  process.exitCode = ok ? 0 : 1
}
