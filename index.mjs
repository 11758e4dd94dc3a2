// calibre-native's ES module entry point: the same as index.js (see there), written as an ES
// module because Node loads that faster than the ES module view of a CommonJS file (which
// needs Node's export scanner) or an ES module that loads index.js.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

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
  Object.defineProperty(binding, '__napiBindingTarget', {
    configurable: true,
    enumerable: true,
    writable: true,
    value: 'native',
  })
}

export const {
  Agent,
  AgentSettings,
  Connection,
  Crux,
  Deploy,
  Device,
  GraphQL,
  Integration,
  MetricBudget,
  Page,
  PullRequestReview,
  Rum,
  Site,
  Snapshot,
  SnapshotMetrics,
  Test,
  TestProfile,
  TimeSeries,
  Token,
  Calibre,
  CalibreError,
  runCli,
  __napiBindingTarget,
} = binding
