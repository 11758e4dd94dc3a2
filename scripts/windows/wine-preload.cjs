// Loaded into every node.exe of the Wine test run (scripts/test-windows.sh, through NODE_OPTIONS):
// works around two limits of Wine 8 that Windows does not have, so the suites test the package
// and not the emulator.
'use strict'
const childProcess = require('node:child_process')
const net = require('node:net')
const { syncBuiltinESMExports } = require('node:module')

// Node's fetch (undici, and so calibre@7) turns TCP keep-alive on while its connect is still
// pending; Wine's winsock refuses that, and the connect fails with `connect UNKNOWN`. Deferring
// the call until the socket has connected lets fetch run.
const setKeepAlive = net.Socket.prototype.setKeepAlive
net.Socket.prototype.setKeepAlive = function (...args) {
  if (this.connecting) {
    this.once('connect', () => setKeepAlive.apply(this, args))
    return this
  }
  return setKeepAlive.apply(this, args)
}

// Under load, Wine's CreateProcess now and then fails for no reason it reports (`spawn
// UNKNOWN`); the same spawn a moment later works.
const spawn = childProcess.spawn
childProcess.spawn = function (...args) {
  for (let attempt = 1; ; attempt++) {
    try {
      return spawn.apply(this, args)
    } catch (error) {
      if (error.code !== 'UNKNOWN' || attempt === 5) throw error
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 * attempt)
    }
  }
}
syncBuiltinESMExports()
