// ESM entry of calibre-native/testing: re-exports the CommonJS implementation,
// so both entries share one module instance (and one schema).
import testing from './index.js'

export const { startFakeCalibre, TIMINGS } = testing
