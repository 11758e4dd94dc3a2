'use strict'

// "Allowed IP Addresses" of an API token: single addresses and CIDR ranges,
// IPv4 and IPv6. Matching uses node:net's BlockList (as an allow list).

const net = require('node:net')

/** '::ffff:127.0.0.1' -> '127.0.0.1', 'fe80::1%eth0' -> 'fe80::1'; other input unchanged. */
function normaliseIp (address) {
  let ip = String(address ?? '').trim()
  const zone = ip.indexOf('%')
  if (zone !== -1) ip = ip.slice(0, zone)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  return mapped ? mapped[1] : ip
}

/**
 * Parses allow-list entries into a BlockList.
 * @param {string[]} entries e.g. ['127.0.0.1', '10.0.0.0/8', '2001:db8::/32']
 * @throws {TypeError} naming the first entry that is not an address or range
 */
function parseAllowList (entries) {
  const list = new net.BlockList()
  for (const entry of entries) {
    const [rawAddress, prefix, ...rest] = String(entry).trim().split('/')
    const address = normaliseIp(rawAddress)
    const family = net.isIP(address)
    const bits = prefix === undefined ? null : Number(prefix)
    const maxBits = family === 6 ? 128 : 32
    const validPrefix = bits === null || (/^\d+$/.test(prefix) && bits <= maxBits)
    if (!family || rest.length || !validPrefix) {
      throw new TypeError(`allowedIps: "${entry}" is not an IP address or CIDR range`)
    }
    const type = family === 6 ? 'ipv6' : 'ipv4'
    if (bits === null) list.addAddress(address, type)
    else list.addSubnet(address, bits, type)
  }
  return list
}

/** Whether `address` may use a token with these allowed entries (none = everyone). */
function ipAllowed (address, entries) {
  if (!entries || entries.length === 0) return true
  const ip = normaliseIp(address)
  const family = net.isIP(ip)
  if (!family) return false
  return parseAllowList(entries).check(ip, family === 6 ? 'ipv6' : 'ipv4')
}

module.exports = { normaliseIp, parseAllowList, ipAllowed }
