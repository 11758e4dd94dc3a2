// The error both entry points throw when no native binary loads on this system: it names the
// system, every place that was tried and why each failed (napi's loader keeps those as a chain of
// causes), the systems that have prebuilt binaries, and what to do. Required only on that path.
'use strict'

const ABI = { 'linux-gnu': 'gnu', 'linux-musl': 'musl', 'windows-msvc': 'msvc' }
const ARCH = { x86_64: 'x64', aarch64: 'arm64' }
const PLATFORM = { linux: 'linux', darwin: 'darwin', windows: 'win32' }

/** `aarch64-unknown-linux-gnu` → `linux-arm64-gnu`, as napi names the per-platform packages. */
function platformOf(triple) {
  const [arch, , os, env] = triple.split('-')
  const osName = os === 'apple' ? 'darwin' : os
  return [PLATFORM[osName] ?? osName, ARCH[arch] ?? arch, ABI[`${osName}-${env}`]].filter(Boolean).join('-')
}

function thisSystem() {
  let abi = ''
  if (process.platform === 'linux') {
    const header = process.report.getReport().header
    abi = header.glibcVersionRuntime ? 'gnu' : 'musl'
    return { name: `linux-${process.arch}-${abi}`, libc: header.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : 'musl libc' }
  }
  if (process.platform === 'win32') abi = 'msvc'
  return { name: [process.platform, process.arch, abi].filter(Boolean).join('-'), libc: '' }
}

function reasons(error) {
  const seen = []
  for (let e = error && error.cause; e && seen.length < 12; e = e.cause) {
    seen.push(String(e.message ?? e).split('\n')[0])
  }
  return seen.reverse()
}

/** Wraps the loader's failure in an error that says what to do. */
function noBinary(loaderError) {
  const { napi, bugs, name } = require('./package.json')
  const supported = (napi.targets ?? []).map(platformOf)
  const system = thisSystem()
  const pkg = `${name}-${system.name}`
  const tried = reasons(loaderError)
  const lines = [
    `${name} has no native binary that loads on this system: ${system.name}` +
      `${system.libc ? ` (${system.libc})` : ''}, Node.js ${process.version}.`,
  ]
  if (tried.length > 0) lines.push('Tried:', ...tried.map((r) => `  - ${r}`))
  lines.push(`Prebuilt binaries: ${supported.join(', ')} (Linux gnu builds need glibc 2.17 or later).`, 'What to do:')
  if (supported.includes(system.name)) {
    lines.push(
      `  - The binary for this system is the package ${pkg}. If it is missing, it was skipped: installs with`,
      `    --omit=optional or --no-optional, or a lockfile made on another system, leave it out. Run`,
      `    \`npm install ${pkg}\`, or remove node_modules and the lockfile and install again.`,
    )
  } else {
    const issues = (bugs && bugs.url) || `the ${name} issue tracker`
    lines.push(`  - This system has no prebuilt binary: open an issue at ${issues} naming it.`)
  }
  lines.push(
    '  - Or build it from source (a Rust toolchain, then `npm install` in a clone of the repository, which',
    '    runs `npm run build`) and set NAPI_RS_NATIVE_LIBRARY_PATH to the path of the built .node file.',
  )
  const error = new Error(lines.join('\n'), { cause: loaderError })
  error.code = 'CALIBRE_BINARY_MISSING'
  return error
}

module.exports = noBinary
module.exports.platformOf = platformOf
