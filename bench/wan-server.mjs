// The WAN benchmark's API server: HTTPS (HTTP/1.1, keep-alive) with a certificate signed by a
// local CA, compressing its answers as the client's Accept-Encoding asks, as a real server
// does (negotiated as in calibre-native/testing: br, else gzip, else deflate; brotli at
// quality 4, gzip and deflate at zlib's default 6). A POST whose GraphQL document asks for
// `timeSeries` gets the large result, any other POST the small one. Every encoding of both is
// computed once at start, so the clients, not the server's compression, are what is timed.
//
//   node bench/wan-server.mjs <key.pem> <cert.pem> <large bytes>
// Prints `{"port":…,"largeBytes":…,"largePoints":…,"encoded":{…}}` on its first stdout line,
// then one line per request: `{"accept":…,"encoding":…,"bytes":…}` (Accept-Encoding, the coding
// answered with, the body's size).
import fs from 'node:fs'
import https from 'node:https'
import zlib from 'node:zlib'
import { createRequire } from 'node:module'
import { small, timeSeries } from './payloads.mjs'

const require = createRequire(import.meta.url)
const { pickEncoding } = require('../testing/server.js')

const [keyPath, certPath, largeArg] = process.argv.slice(2)
const largeBody = timeSeries(Number(largeArg || 20e6), { measured: true })

const ENCODERS = {
  br: (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }),
  gzip: (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
}

/** The body in every coding the server may answer with. */
function variants(value) {
  const identity = Buffer.from(JSON.stringify(value))
  const out = { identity }
  for (const [name, encode] of Object.entries(ENCODERS)) out[name] = encode(identity)
  return out
}

const SMALL = variants(small)
const LARGE = variants(largeBody)

const server = https.createServer({ key: fs.readFileSync(keyPath), cert: fs.readFileSync(certPath), keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8')
    const bodies = req.method === 'POST' && body.includes('timeSeries') ? LARGE : SMALL
    const encoding = pickEncoding(req.headers['accept-encoding'])
    const payload = bodies[encoding ?? 'identity']
    process.stdout.write(JSON.stringify({ accept: req.headers['accept-encoding'] ?? null, encoding, bytes: payload.length }) + '\n')
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      Vary: 'Accept-Encoding',
      ...(encoding ? { 'Content-Encoding': encoding } : {}),
      'Content-Length': payload.length,
    })
    res.end(payload)
  })
})

process.on('SIGTERM', () => process.exit(0))
// The benchmark has gone (its end of the pipe closed): so do we.
process.stdout.on('error', () => process.exit(0))
server.listen(0, '127.0.0.1', () => {
  const encoded = Object.fromEntries(Object.entries(LARGE).map(([k, v]) => [k, v.length]))
  process.stdout.write(JSON.stringify({
    port: server.address().port,
    largeBytes: LARGE.identity.length,
    largePoints: largeBody.data.organisation.site.timeSeries.times.length,
    encoded,
  }) + '\n')
})
