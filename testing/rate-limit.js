'use strict'

// "The API has a request limit of 10 requests per second" (calibreapp.com docs),
// per token, on real wall-clock time: clients throttle in real time, so the
// fake clock must not affect it.
//
// Windows are fixed and aligned to the epoch (second 0-1, 1-2, ...), the way
// Rails' rack-attack throttles. Windows that started with a token's first
// request would be harsher on clients that throttle themselves just under the
// limit: calibre@7 spaces bursts 1.1 s apart by start time, and a first request
// delayed by 100 ms (Node loading fetch) then lands 11 requests in one window.

class RateLimiter {
  /** @param {{ limit: number, windowMs: number }} options */
  constructor ({ limit, windowMs }) {
    this.limit = limit
    this.windowMs = windowMs
    this.windows = new Map()
  }

  /**
   * Counts one request for `key` and says whether it may proceed.
   * @returns {{ allowed: boolean, limit: number, remaining: number, resetSeconds: number }}
   */
  take (key, now = Date.now()) {
    const start = Math.floor(now / this.windowMs) * this.windowMs
    let window = this.windows.get(key)
    if (!window || window.start !== start) {
      window = { start, count: 0 }
      this.windows.set(key, window)
    }
    const allowed = window.count < this.limit
    if (allowed) window.count++
    return {
      allowed,
      limit: this.limit,
      remaining: this.limit - window.count,
      resetSeconds: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000))
    }
  }

  /** '10 requests per second', '5 requests per 2 seconds' */
  describe () {
    const seconds = this.windowMs / 1000
    const per = seconds === 1 ? 'second' : `${seconds} seconds`
    return `${this.limit} request${this.limit === 1 ? '' : 's'} per ${per}`
  }
}

module.exports = { RateLimiter }
