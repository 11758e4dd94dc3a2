'use strict'

// Deterministic randomness. Generated data (uuids, measurements, CrUX, RUM)
// comes from here so that two fakes given the same calls answer the same way,
// which keeps snapshot-style assertions in users' tests stable.
// Tokens are the one exception: they use node:crypto (see tokens.js).

/** 32-bit FNV-1a hash of a string. */
function hashString (text) {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** mulberry32: a small, fast PRNG; returns floats in [0, 1). */
function createRng (seed) {
  let state = seed >>> 0
  return function next () {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A float in [0, 1) that depends only on `key`: same key, same number. */
function unitFor (key) {
  return createRng(hashString(String(key)))()
}

/** A version-4-shaped uuid drawn from `rng`. */
function uuidFrom (rng) {
  const hex = []
  for (let i = 0; i < 32; i++) hex.push(Math.floor(rng() * 16).toString(16))
  hex[12] = '4'
  hex[16] = '89ab'[Math.floor(rng() * 4)]
  const s = hex.join('')
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
}

/** `count` lowercase hex characters drawn from `rng` (git-like shas). */
function hexFrom (rng, count) {
  let out = ''
  for (let i = 0; i < count; i++) out += Math.floor(rng() * 16).toString(16)
  return out
}

/** Round to `decimals` places without float noise such as 0.30000000000000004. */
function round (value, decimals = 0) {
  const factor = 10 ** decimals
  return Math.round(value * factor) / factor
}

module.exports = { hashString, createRng, unitFor, uuidFrom, hexFrom, round }
