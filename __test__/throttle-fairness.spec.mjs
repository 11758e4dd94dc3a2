// The request throttle under load and under a hostile rate-limit answer: calls start in the
// order they were made (as calibre@7's p-throttle does), and one response cannot stall other
// clients past their own timeoutMs or signal. No wall-clock assertions: order of arrival at a
// loopback server, and error codes. (This file pauses the process-wide throttle: keep it alone.)
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Calibre } from '../index.mjs'
import { startRecorder } from './helpers/recorder.mjs'

let server

before(async () => { server = await startRecorder() })
after(async () => { await server.close() })

test('concurrent calls reach the server in the order they were made', async () => {
  server.requests.length = 0
  server.reply = () => ({ body: { data: { ok: true } } })
  // One start per 40 ms: every later call waits in the throttle's queue.
  const client = new Calibre({ token: 'fifo-token', host: server.url, throttle: { limit: 1, intervalMs: 40 }, retries: false })
  const calls = []
  for (let i = 0; i < 40; i++) calls.push(client.GraphQL.request({ query: 'query Q($i: Int) { ok }', i }))
  await Promise.all(calls)
  const order = server.requests.map((r) => r.body.variables.i)
  assert.deepEqual(order, [...Array(40).keys()], `arrival order: ${order.join(',')}`)
})

test('a spent rate limit with a huge reset pauses other clients only up to their timeout', async () => {
  server.requests.length = 0
  // The first answer spends the quota and asks for an 11-day pause.
  server.reply = (req) => req.body.variables?.first
    ? { body: { data: { ok: true } }, headers: { 'RateLimit-Remaining': '0', 'RateLimit-Reset': '999999' } }
    : { body: { data: { ok: true } } }
  const first = new Calibre({ token: 'org-a', host: server.url })
  await first.GraphQL.request({ query: 'query First($first: Boolean) { ok }', first: true })

  // An unrelated client on the process-wide throttle, with a 2 s budget per attempt.
  const other = new Calibre({ token: 'org-b', host: server.url })
  // Fails only where the wait is unbounded: the old code held this call for a whole minute.
  let stall
  const stalled = new Promise((_, reject) => { stall = setTimeout(() => reject(new Error('stalled past 30 s')), 30000) })
  try {
    const err = await Promise.race([
      other.GraphQL.request({ query: '{ ok }' }, { timeoutMs: 2000 }).then(() => assert.fail('resolved'), (e) => e),
      stalled,
    ])
    assert.equal(err.code, 'CALIBRE_TIMEOUT', err.message)
    assert.match(err.message, /RateLimit-Remaining/)
    assert.equal(err.attempts, 0, 'nothing was sent')

    // A signal ends the wait too.
    const aborted = await Promise.race([
      other.GraphQL.request({ query: '{ ok }' }, { signal: AbortSignal.timeout(200) }).then(() => assert.fail('resolved'), (e) => e),
      stalled,
    ])
    assert.equal(aborted.code, 'CALIBRE_ABORTED')
  } finally {
    clearTimeout(stall)
  }
  assert.equal(server.requests.length, 1, 'only the first call reached the server')
})
