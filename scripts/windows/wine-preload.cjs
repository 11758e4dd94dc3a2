// Loaded into every node.exe of the Wine test run (scripts/test-windows.sh, through NODE_OPTIONS).
// Node's fetch (undici, and so calibre@7) turns TCP keep-alive on while its connect is still
// pending; Wine 8's winsock refuses that, and the connect fails with `connect UNKNOWN`. Windows
// accepts it. Deferring the call until the socket has connected lets fetch run under Wine.
'use strict'
const net = require('node:net')

const setKeepAlive = net.Socket.prototype.setKeepAlive
net.Socket.prototype.setKeepAlive = function (...args) {
  if (this.connecting) {
    this.once('connect', () => setKeepAlive.apply(this, args))
    return this
  }
  return setKeepAlive.apply(this, args)
}
