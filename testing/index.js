'use strict'

// calibre-native/testing: an offline fake of the Calibre API for tests.
//
//   const { startFakeCalibre } = require('calibre-native/testing')
//   const fake = await startFakeCalibre()
//   const token = fake.tokens.create({ type: 'admin' })
//   process.env.CALIBRE_HOST = fake.url
//   process.env.CALIBRE_API_TOKEN = token
//   ...
//   await fake.close()
//
// Layout: server.js (HTTP, tokens checks, faults, log) -> graphql.js (schema,
// validation, execution) -> resolvers.js -> state.js (the store) with
// generate.js (numbers), artifacts.js, reports.js; tokens.js, ip.js and
// rate-limit.js for access control; catalog.js for reference data.
// Types and the documented shapes are in index.d.ts; usage in README.md.

requireGraphql()

const { Store, TIMINGS } = require('./state')
const { TokenStore } = require('./tokens')
const { RateLimiter } = require('./rate-limit')
const { createFakeServer, FaultQueue } = require('./server')

// graphql-js is an optional peer dependency: npm does not install it with calibre-native, and
// Node's own "Cannot find module 'graphql'" with a require stack does not say what to do.
function requireGraphql () {
  let graphql
  try {
    graphql = require('graphql')
  } catch (cause) {
    if (cause.code !== 'MODULE_NOT_FOUND' || !cause.message.includes("'graphql'")) throw cause
    const err = new Error(
      "calibre-native/testing needs the 'graphql' package (graphql-js 16 or later), an optional peer " +
      'dependency that is not installed. Install it next to calibre-native: npm install --save-dev graphql'
    )
    err.code = 'MODULE_NOT_FOUND'
    throw err
  }
  const major = graphql.versionInfo?.major
  if (!(major >= 16)) {
    throw new Error(
      `calibre-native/testing needs graphql-js 16 or later; version ${graphql.version} is installed. ` +
      'Upgrade it: npm install --save-dev graphql@16'
    )
  }
}

const DEFAULT_RATE_LIMIT = Object.freeze({ limit: 10, windowMs: 1000 })

function positiveInteger (value, name) {
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer`)
  return value
}

function checkOptions (options) {
  if (options === null || typeof options !== 'object') throw new TypeError('startFakeCalibre: options must be an object')
  const { port = 0, now, rateLimit } = options
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('startFakeCalibre: port must be an integer from 0 to 65535')
  if (now !== undefined && !Number.isFinite(now)) throw new TypeError('startFakeCalibre: now must be a number of ms since the epoch')
  for (const flag of ['seed', 'completeTestsImmediately', 'compression']) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') throw new TypeError(`startFakeCalibre: ${flag} must be a boolean`)
  }
  if (rateLimit !== undefined && rateLimit !== false) {
    if (rateLimit === null || typeof rateLimit !== 'object') throw new TypeError('startFakeCalibre: rateLimit must be an object or false')
    positiveInteger(rateLimit.limit ?? DEFAULT_RATE_LIMIT.limit, 'rateLimit.limit')
    positiveInteger(rateLimit.windowMs ?? DEFAULT_RATE_LIMIT.windowMs, 'rateLimit.windowMs')
  }
}

function checkFault (fault) {
  if (fault === null || typeof fault !== 'object') throw new TypeError('failNext: fault must be an object')
  const { status, delayMs, count, headers, path } = fault
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) throw new TypeError('failNext: status must be an HTTP status code')
  if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) throw new TypeError('failNext: delayMs must be a number >= 0')
  if (count !== undefined) positiveInteger(count, 'failNext: count')
  if (headers !== undefined && (headers === null || typeof headers !== 'object')) throw new TypeError('failNext: headers must be an object')
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) throw new TypeError('failNext: path must start with /')
}

/**
 * Starts a fake Calibre API on 127.0.0.1. See index.d.ts for every option and field.
 * @param {import('./index').FakeCalibreOptions} [options]
 * @returns {Promise<import('./index').FakeCalibre>}
 */
async function startFakeCalibre (options = {}) {
  checkOptions(options)
  const startedAt = options.now ?? Date.now()
  let now = startedAt
  const clock = { now: () => now }

  const store = new Store({ now: startedAt, seed: options.seed !== false })
  const tokenStore = new TokenStore({ now: clock.now, teams: () => store.data.teams })
  const limiter = options.rateLimit === false
    ? null
    : new RateLimiter({ ...DEFAULT_RATE_LIMIT, ...options.rateLimit })
  const requests = []
  const faults = new FaultQueue()
  const fakeServer = createFakeServer({
    store,
    tokens: tokenStore,
    clock,
    limiter,
    requests,
    faults,
    completeTestsImmediately: options.completeTestsImmediately === true,
    compression: options.compression !== false
  })
  const url = await fakeServer.listen(options.port ?? 0)

  return {
    url,
    close: () => fakeServer.close(),
    tokens: {
      create: tokenOptions => tokenStore.create(tokenOptions),
      revoke: token => tokenStore.revoke(token),
      get: token => tokenStore.get(token),
      list: () => tokenStore.list()
    },
    state: store.data,
    requests,
    now: clock.now,
    advance (ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new TypeError('advance: ms must be a number >= 0')
      now += ms
      store.progress(now)
      return now
    },
    failNext (fault) {
      checkFault(fault)
      faults.push(fault)
    }
  }
}

module.exports = { startFakeCalibre, TIMINGS }
