'use strict'

// The HTTP side of the fake: routing, token checks, rate limiting, injected
// faults and the request log. Routes:
//   POST /graphql              the GraphQL API (token required)
//   POST /api/refresh_token    renew a token's expiry (token required)
//   GET  /artifacts/<uuid>/<f> test artifacts (no token, like signed URLs)

const http = require('node:http')
const zlib = require('node:zlib')
const { normaliseIp } = require('./ip')
const { runGraphQL, formatIso } = require('./graphql')
const { artifactFile } = require('./artifacts')

const MAX_BODY_BYTES = 1024 * 1024
const JSON_TYPE = 'application/json; charset=utf-8'

/** The documented error bodies (see README.md). */
const UNAUTHORIZED_BODY = Object.freeze({
  error: 'Unauthorized',
  message: 'The API token is invalid or has been revoked.'
})
const EXPIRED_BODY = Object.freeze({
  error: 'Forbidden',
  message: 'This API token has expired. Refresh it before it expires, or re-save it in Calibre to renew it.'
})
const ipNotAllowedBody = ip => ({
  error: 'Forbidden',
  message: `Requests from IP address ${ip} are not allowed for this API token (Allowed IP Addresses).`
})
const rateLimitedBody = (limiter, seconds) => ({
  errors: [{ message: `Rate limit exceeded: ${limiter.describe()}. Retry after ${seconds} second${seconds === 1 ? '' : 's'}.` }]
})

/** Request headers as logged: credentials replaced, so the log can be printed safely. */
function redactHeaders (headers) {
  const copy = { ...headers }
  for (const name of ['authorization', 'proxy-authorization']) {
    if (copy[name] !== undefined) {
      const scheme = /^(\S+)\s/.exec(String(copy[name]))
      copy[name] = scheme ? `${scheme[1]} [REDACTED]` : '[REDACTED]'
    }
  }
  return copy
}

/** Reads the whole body; null when it is larger than MAX_BODY_BYTES. */
function readBody (req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', chunk => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Codecs in the server's order of preference, as on most of the web: brotli, then gzip. */
const ENCODINGS = ['br', 'gzip', 'deflate']

/**
 * The content coding to answer with for an Accept-Encoding header (RFC 9110 12.5.3: q-values,
 * `*`, `q=0` refuses), or null for none.
 */
function pickEncoding (acceptEncoding) {
  if (!acceptEncoding) return null
  const weights = new Map()
  for (const item of String(acceptEncoding).split(',')) {
    const [name, ...params] = item.split(';').map(part => part.trim().toLowerCase())
    const q = params.find(param => param.startsWith('q='))
    if (name) weights.set(name, q === undefined ? 1 : Number(q.slice(2)))
  }
  return ENCODINGS.find(name => (weights.get(name) ?? weights.get('*') ?? 0) > 0) ?? null
}

/**
 * Compresses a response body at the levels servers use for dynamic content: brotli quality 4
 * (CDNs' on-the-fly setting; 11, zlib's default, is meant for static files), zlib's default 6.
 */
function compress (encoding, body) {
  switch (encoding) {
    case 'br':
      return zlib.brotliCompressSync(body, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length
        }
      })
    case 'gzip':
      return zlib.gzipSync(body)
    case 'deflate':
      return zlib.deflateSync(body)
    default:
      return body
  }
}

/** Faults queued by fake.failNext(), consumed in order by matching requests. */
class FaultQueue {
  constructor () {
    this.queue = []
  }

  push (fault) {
    this.queue.push({ ...fault, remaining: fault.count ?? 1 })
  }

  /** The next fault for a request to `path`, or null. */
  take (path) {
    const index = this.queue.findIndex(f => f.path === undefined || f.path === path)
    if (index === -1) return null
    const fault = this.queue[index]
    if (--fault.remaining <= 0) this.queue.splice(index, 1)
    return fault
  }
}

/**
 * @param {object} deps
 * @param {import('./state').Store} deps.store
 * @param {import('./tokens').TokenStore} deps.tokens
 * @param {{ now: () => number }} deps.clock
 * @param {import('./rate-limit').RateLimiter | null} deps.limiter
 * @param {object[]} deps.requests the request log to append to
 * @param {FaultQueue} deps.faults
 * @param {boolean} deps.completeTestsImmediately
 * @param {boolean} deps.compression answer compressed when the client asks
 */
function createFakeServer (deps) {
  const { store, tokens, clock, limiter, requests, faults } = deps
  const sleepers = new Set()
  let baseUrl = ''
  let closing = null

  /** A real-time delay that close() cuts short, so it never holds the process open. */
  function sleep (ms) {
    return new Promise(resolve => {
      const sleeper = { resolve, timer: setTimeout(() => { sleepers.delete(sleeper); resolve() }, ms) }
      sleepers.add(sleeper)
    })
  }

  /** Answers, compressed as the client's Accept-Encoding asks (unless `compression: false`). */
  function send (res, entry, status, payload, headers = {}) {
    const text = typeof payload === 'string' || Buffer.isBuffer(payload)
    let body = text ? Buffer.from(payload) : Buffer.from(JSON.stringify(payload))
    const encoding = deps.compression ? pickEncoding(res.req?.headers['accept-encoding']) : null
    if (encoding) body = compress(encoding, body)
    entry.status = status
    entry.encoding = encoding
    res.writeHead(status, {
      'Content-Type': text ? 'text/plain; charset=utf-8' : JSON_TYPE,
      ...headers,
      ...(deps.compression ? { Vary: 'Accept-Encoding' } : {}),
      ...(encoding ? { 'Content-Encoding': encoding } : {}),
      'Content-Length': body.length
    })
    res.end(body)
  }

  /**
   * Token known -> IP allowed -> not expired -> within the rate limit.
   * Returns { record, headers } or { status, body, headers } to answer with.
   */
  function authenticate (req, entry) {
    const match = /^Token\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
    const record = match ? tokens.lookup(match[1]) : null
    if (!record) {
      return { status: 401, body: UNAUTHORIZED_BODY, headers: { 'WWW-Authenticate': 'Token realm="Calibre API"' } }
    }
    entry.tokenId = record.id
    if (!tokens.ipAllowed(record, entry.ip)) return { status: 403, body: ipNotAllowedBody(entry.ip), headers: {} }
    if (tokens.isExpired(record)) return { status: 403, body: EXPIRED_BODY, headers: {} }
    if (!limiter) return { record, headers: {} }

    const rate = limiter.take(record.id)
    const headers = {
      'RateLimit-Limit': String(rate.limit),
      'RateLimit-Remaining': String(rate.remaining),
      'RateLimit-Reset': String(rate.resetSeconds)
    }
    if (!rate.allowed) {
      return { status: 429, body: rateLimitedBody(limiter, rate.resetSeconds), headers: { ...headers, 'Retry-After': String(rate.resetSeconds) } }
    }
    return { record, headers }
  }

  async function graphqlRoute (req, res, entry, body) {
    const auth = authenticate(req, entry)
    if (!auth.record) return send(res, entry, auth.status, auth.body, auth.headers)
    if (body === undefined) {
      return send(res, entry, 400, { errors: [{ message: 'The request body is not valid JSON' }] }, auth.headers)
    }
    const now = clock.now()
    store.progress(now)
    const ctx = {
      data: store.data,
      store,
      now,
      baseUrl,
      token: { type: auth.record.type, role: auth.record.role, team: auth.record.team },
      immediate: deps.completeTestsImmediately
    }
    const { result, operationName } = await runGraphQL(body, ctx)
    entry.operationName = operationName
    send(res, entry, 200, result, auth.headers)
  }

  function refreshRoute (req, res, entry) {
    const auth = authenticate(req, entry)
    if (!auth.record) return send(res, entry, auth.status, auth.body, auth.headers)
    const info = tokens.refresh(auth.record)
    const token = /^Token\s+(\S+)/i.exec(req.headers.authorization)[1]
    send(res, entry, 200, { token, expires_at: info.expiresAt === null ? null : formatIso(info.expiresAt) }, auth.headers)
  }

  function artifactRoute (res, entry) {
    const [, , uuid, file] = entry.path.split('/')
    const artifact = artifactFile(store.data, uuid, file)
    if (!artifact) return send(res, entry, 404, { error: 'Not Found', message: 'No such artifact' })
    entry.status = 200
    res.writeHead(200, { 'Content-Type': artifact.contentType, 'Content-Length': Buffer.byteLength(artifact.body) })
    res.end(artifact.body)
  }

  async function route (req, res, entry, body) {
    const post = (handler) => req.method === 'POST'
      ? handler()
      : send(res, entry, 405, { error: 'Method Not Allowed', message: `Use POST for ${entry.path}` }, { Allow: 'POST' })
    if (entry.path === '/graphql') return post(() => graphqlRoute(req, res, entry, body))
    if (entry.path === '/api/refresh_token') return post(() => refreshRoute(req, res, entry))
    if (req.method === 'GET' && /^\/artifacts\/[^/]+\/[^/]+$/.test(entry.path)) return artifactRoute(res, entry)
    send(res, entry, 404, { error: 'Not Found', message: `No route for ${req.method} ${entry.path}` })
  }

  /** Answers with an injected fault, or returns false to handle the request normally. */
  async function applyFault (fault, req, res, entry) {
    if (fault.delayMs) await sleep(fault.delayMs)
    if (closing || res.destroyed) return true
    if (fault.hangUp) {
      req.socket.destroy()
      return true
    }
    for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value)
    if (fault.status === undefined && fault.body === undefined) return false
    const status = fault.status ?? 500
    const body = fault.body === undefined ? { error: http.STATUS_CODES[status] ?? 'Error' } : fault.body
    send(res, entry, status, body, fault.headers)
    return true
  }

  async function handle (req, res) {
    const url = new URL(req.url, 'http://fake.invalid')
    const entry = {
      method: req.method,
      path: url.pathname,
      operationName: null,
      query: null,
      variables: null,
      ip: normaliseIp(req.socket.remoteAddress),
      status: null,
      tokenId: null,
      headers: redactHeaders(req.headers),
      encoding: null,
      time: clock.now(),
      fault: false
    }
    requests.push(entry)
    try {
      const raw = await readBody(req)
      if (raw === null) return send(res, entry, 413, { error: 'Payload Too Large', message: `Bodies are limited to ${MAX_BODY_BYTES} bytes` })
      let body
      if (raw.length) {
        try {
          body = JSON.parse(raw.toString('utf8'))
        } catch {}
      } else {
        body = null
      }
      if (entry.path === '/graphql' && body && typeof body === 'object') {
        entry.query = typeof body.query === 'string' ? body.query : null
        entry.variables = body.variables ?? null
        entry.operationName = typeof body.operationName === 'string' ? body.operationName : null
      }

      const fault = faults.take(entry.path)
      if (fault) {
        entry.fault = true
        if (await applyFault(fault, req, res, entry)) return
      }
      await route(req, res, entry, body)
    } catch (error) {
      entry.error = error.stack ?? String(error)
      if (!res.headersSent && !res.destroyed) {
        send(res, entry, 500, { errors: [{ message: `Fake Calibre API internal error: ${error.message}` }] })
      }
    }
  }

  const server = http.createServer((req, res) => { handle(req, res) })

  return {
    server,
    /** Listens on 127.0.0.1 and returns the base URL (no trailing slash). */
    listen (port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject)
          baseUrl = `http://127.0.0.1:${server.address().port}`
          resolve(baseUrl)
        })
      })
    },
    /** Stops listening, drops every connection and cuts pending delays short. */
    close () {
      if (!closing) {
        closing = new Promise(resolve => server.close(() => resolve()))
        for (const sleeper of sleepers) {
          clearTimeout(sleeper.timer)
          sleeper.resolve()
        }
        sleepers.clear()
        server.closeAllConnections?.()
      }
      return closing
    }
  }
}

module.exports = { createFakeServer, FaultQueue, pickEncoding, UNAUTHORIZED_BODY, EXPIRED_BODY, ipNotAllowedBody }
