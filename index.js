// calibre-native's CommonJS entry point (index.mjs is the ES module one, with the same logic).
//
// On Linux x64 it loads the addon directly: a build in this folder (a clone), else the installed
// per-platform package `calibre-native-linux-x64-gnu`. Anything else — another platform, musl, an
// old glibc, WASI, `NAPI_RS_NATIVE_LIBRARY_PATH` — goes through the loader napi-rs generates
// (`native.js`, written by `npm run build`), which knows every case. That loader is ~850 lines of
// JS and took ~3 ms of a process's startup, more than the addon itself (see BENCHMARKS.md). When
// nothing loads, `no-binary.js` turns its failure into an error that says what to do.
'use strict'

let binding = null
if (
  process.platform === 'linux' &&
  process.arch === 'x64' &&
  !process.env.NAPI_RS_NATIVE_LIBRARY_PATH &&
  !process.env.NAPI_RS_FORCE_WASI &&
  !process.env.NAPI_RS_WASI_FLAVOR
) {
  try {
    // A build in this folder (a clone), else the installed per-platform package.
    binding = require('./calibre-native.linux-x64-gnu.node')
  } catch {
    try {
      binding = require('calibre-native-linux-x64-gnu')
    } catch {
      // musl, an old glibc, or not installed: napi's loader tries every alternative.
    }
  }
}
if (binding === null) {
  try {
    binding = require('./native.js')
  } catch (error) {
    throw require('./no-binary.js')(error)
  }
} else if (!Object.prototype.hasOwnProperty.call(binding, '__napiBindingTarget')) {
  // What napi's loader reports for a native (not WASI) binding.
  Object.defineProperty(binding, '__napiBindingTarget', {
    configurable: true,
    enumerable: true,
    writable: true,
    value: 'native',
  })
}

// Every export, spelled out for Node's static named-export detection, which code importing this
// file from an ES module relies on (__test__/entry.spec.mjs checks the list against the addon).
module.exports = binding
module.exports.Agent = binding.Agent
module.exports.AgentSettings = binding.AgentSettings
module.exports.Connection = binding.Connection
module.exports.Crux = binding.Crux
module.exports.Deploy = binding.Deploy
module.exports.Device = binding.Device
module.exports.GraphQL = binding.GraphQL
module.exports.Integration = binding.Integration
module.exports.MetricBudget = binding.MetricBudget
module.exports.Page = binding.Page
module.exports.PullRequestReview = binding.PullRequestReview
module.exports.Rum = binding.Rum
module.exports.Site = binding.Site
module.exports.Snapshot = binding.Snapshot
module.exports.SnapshotMetrics = binding.SnapshotMetrics
module.exports.Test = binding.Test
module.exports.TestProfile = binding.TestProfile
module.exports.TimeSeries = binding.TimeSeries
module.exports.Token = binding.Token
module.exports.Calibre = binding.Calibre
module.exports.CalibreError = binding.CalibreError
module.exports.runCli = binding.runCli
module.exports.__napiBindingTarget = binding.__napiBindingTarget
