'use strict'

// API tokens as calibreapp.com documents them:
// - Admin tokens see every team; Personal Access Tokens see one team, with the
//   creator's role (admin, member or viewer: viewers may only read).
// - An optional expiry ("Expires in"); POST /api/refresh_token renews it for
//   the same duration it was created with.
// - Optional "Allowed IP Addresses" (addresses or CIDR ranges).
// Token strings never leave this module except from create(): everything else
// (request log, info objects) refers to a token by its `id`.

const crypto = require('node:crypto')
const { parseAllowList, ipAllowed } = require('./ip')

const TYPES = ['admin', 'personal']
const ROLES = ['admin', 'member', 'viewer']
// RFC 7235 token68: what can follow "Token " in an Authorization header.
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*$/

class TokenStore {
  /**
   * @param {{ now: () => number, teams: () => { slug: string }[] }} deps
   *   the fake clock and the current list of teams
   */
  constructor ({ now, teams }) {
    this.now = now
    this.teams = teams
    this.records = new Map()
    this.nextId = 1
  }

  /** Creates a token and returns its secret string. See index.d.ts TokenOptions. */
  create (options = {}) {
    const { type = 'admin', expiresIn = null, allowedIps = [] } = options
    if (!TYPES.includes(type)) throw new TypeError(`tokens.create: type must be one of ${TYPES.join(', ')}`)
    const role = options.role ?? (type === 'admin' ? 'admin' : 'member')
    if (!ROLES.includes(role)) throw new TypeError(`tokens.create: role must be one of ${ROLES.join(', ')}`)
    if (type === 'admin' && role !== 'admin') throw new TypeError('tokens.create: admin tokens always have the admin role')

    const teamSlugs = this.teams().map(t => t.slug)
    const team = options.team ?? (type === 'personal' ? teamSlugs[0] ?? null : null)
    if (team !== null && !teamSlugs.includes(team)) throw new TypeError(`tokens.create: no team "${team}" (teams: ${teamSlugs.join(', ')})`)
    if (type === 'personal' && team === null) throw new TypeError('tokens.create: personal access tokens need a team')

    if (expiresIn !== null && !(Number.isFinite(expiresIn) && expiresIn > 0)) {
      throw new TypeError('tokens.create: expiresIn must be a positive number of milliseconds')
    }
    if (!Array.isArray(allowedIps)) throw new TypeError('tokens.create: allowedIps must be an array')
    parseAllowList(allowedIps) // throws on a malformed entry

    const token = options.token ?? crypto.randomBytes(24).toString('hex')
    if (typeof token !== 'string' || !TOKEN68.test(token)) throw new TypeError('tokens.create: token must be a non-empty string of URL-safe characters')
    if (this.records.has(token)) throw new TypeError('tokens.create: that token already exists')

    const createdAt = this.now()
    this.records.set(token, {
      id: `tok_${this.nextId++}`,
      type,
      role,
      team,
      expiresIn,
      expiresAt: expiresIn === null ? null : createdAt + expiresIn,
      allowedIps: [...allowedIps],
      refreshCount: 0,
      createdAt,
      revokedAt: null
    })
    return token
  }

  /** Revokes a token; returns false when it was unknown or already revoked. */
  revoke (token) {
    const record = this.records.get(token)
    if (!record || record.revokedAt !== null) return false
    record.revokedAt = this.now()
    return true
  }

  /** Public facts about a token (never the token itself), or undefined. */
  get (token) {
    const record = this.records.get(token)
    return record ? toInfo(record) : undefined
  }

  /** Every token ever created, revoked ones included. */
  list () {
    return [...this.records.values()].map(toInfo)
  }

  // ---- used by the server

  /** The live record for a presented token, or null when unknown or revoked. */
  lookup (token) {
    const record = this.records.get(token)
    return record && record.revokedAt === null ? record : null
  }

  isExpired (record) {
    return record.expiresAt !== null && this.now() >= record.expiresAt
  }

  ipAllowed (record, ip) {
    return ipAllowed(ip, record.allowedIps)
  }

  /** Extends expiry by the original duration from now; returns the new info. */
  refresh (record) {
    if (record.expiresIn !== null) record.expiresAt = this.now() + record.expiresIn
    record.refreshCount++
    return toInfo(record)
  }
}

function toInfo (record) {
  return {
    id: record.id,
    type: record.type,
    role: record.role,
    team: record.team,
    expiresIn: record.expiresIn,
    expiresAt: record.expiresAt,
    allowedIps: [...record.allowedIps],
    refreshCount: record.refreshCount,
    createdAt: record.createdAt,
    revoked: record.revokedAt !== null
  }
}

module.exports = { TokenStore }
