// `npm run bench`: calibre-native against calibre@7 (and its transport, graphql-request over
// Node fetch) and against the transport ceiling (Node fetch, node:http keep-alive), on
// 127.0.0.1 only. Prints one table and writes BENCHMARKS.md.
//
//   node bench/run.mjs            full run (~4–6 min on 2 cores), writes BENCHMARKS.md
//   node bench/run.mjs --quick    smoke run with tiny counts (CI); writes nothing
//   node bench/run.mjs --only=load,throughput,large,bulk,binary   a subset (writes nothing)
//
// It measures whatever `.node` file is built: `npm run build` (also run by `npm install`)
// gives the release one, `npm run build:debug` a debug one, which is reported as such.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  ROOT, BENCH, TOKEN, summary, median, fmt, fmtRange, runNode, startServer, WAN_RESULTS,
} from './lib.mjs'
import { CLIENTS } from './clients.mjs'

const argv = process.argv.slice(2)
const QUICK = argv.includes('--quick')
const ONLY = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',')
// `--before=<file.node>`: another build (e.g. the main branch's) run in the same throughput rounds.
const BEFORE_NODE = argv.find((a) => a.startsWith('--before='))?.slice(9)
const WRITE = !QUICK && !ONLY
const wants = (section) => !ONLY || ONLY.includes(section)

const P = QUICK
  ? { loadRounds: 3, loadWarmup: 1, tpRounds: 1, tpWarmup: 20, tpSeq: 50, tpConc: 200, largeBytes: 1e6, largeRounds: 1, bulkCalls: 12, bulkRounds: 1, bulkCalibre7: false }
  : { loadRounds: 81, loadWarmup: 2, tpRounds: 5, tpWarmup: 300, tpSeq: 2000, tpConc: 5000, largeBytes: 20e6, largeRounds: 5, bulkCalls: 100, bulkRounds: 3, bulkCalibre7: true }
const CONCURRENCY = 64
const RESOLUTION_MS = 5
const THROTTLE = { limit: 10, intervalMs: 1100 }
const log = (...a) => console.error(...a)

// ---------------------------------------------------------------- machine and build

/** Share of all CPU time that was busy over `ms` (from /proc/stat): is something else running? */
function cpuBusy(ms = 1000) {
  const read = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const idle = f[3] + (f[4] || 0)
    return { idle, total: f.reduce((a, b) => a + b, 0) }
  }
  try {
    const a = read()
    const until = Date.now() + ms
    while (Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, until - Date.now())
    const b = read()
    return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total)
  } catch {
    return NaN
  }
}

function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown'
  try {
    cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpu
  } catch {}
  const rustc = spawnSync('rustc', ['-V'], { encoding: 'utf8' })
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memGB: os.totalmem() / 2 ** 30,
    node: process.version,
    rust: rustc.status === 0 ? rustc.stdout.trim() : 'rustc not found',
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
    command: `node bench/run.mjs${argv.length ? ' ' + argv.join(' ') : ''}`,
  }
}

/** The `.node` file the loader picks on this machine, and what kind of build it is. */
function binary() {
  const abi = process.platform === 'linux' ? (process.report?.getReport?.().header?.glibcVersionRuntime ? '-gnu' : '-musl') : ''
  const name = `calibre-native.${process.platform}-${process.arch}${abi}.node`
  const file = path.join(ROOT, name)
  if (!fs.existsSync(file)) return { name, missing: true }
  const bytes = fs.readFileSync(file)
  const sections = elfSections(bytes)
  const hasSymtab = sections.includes('.symtab')
  const hasDebug = sections.some((s) => s.startsWith('.debug_'))
  let strippedSize = bytes.length
  if (hasSymtab || hasDebug) {
    const tmp = path.join(os.tmpdir(), `calibre-native-bench-${process.pid}.node`)
    if (spawnSync('strip', ['--strip-all', '-o', tmp, file]).status === 0) {
      strippedSize = fs.statSync(tmp).size
      fs.rmSync(tmp, { force: true })
    } else strippedSize = NaN
  }
  const profile = hasDebug
    ? 'debug info present: a debug build (`npm run build:debug`); run `npm run build` for the release build'
    : hasSymtab
      ? 'symbols present: not the release profile (which strips symbols)'
      : 'stripped, no debug info: release profile (`npm run build`: LTO, codegen-units=1, strip)'
  const release = !hasDebug && !hasSymtab
  return { name, size: bytes.length, strippedSize, profile, release, mtime: fs.statSync(file).mtime.toISOString() }
}

/** Section names of an ELF64 little-endian file (enough to tell stripped from not). */
function elfSections(b) {
  try {
    if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return []
    const shoff = Number(b.readBigUInt64LE(0x28))
    const shentsize = b.readUInt16LE(0x3a)
    const shnum = b.readUInt16LE(0x3c)
    const shstrndx = b.readUInt16LE(0x3e)
    const strOff = Number(b.readBigUInt64LE(shoff + shstrndx * shentsize + 0x18))
    const names = []
    for (let i = 0; i < shnum; i++) {
      const nameOff = b.readUInt32LE(shoff + i * shentsize)
      const end = b.indexOf(0, strOff + nameOff)
      names.push(b.toString('latin1', strOff + nameOff, end))
    }
    return names
  } catch {
    return []
  }
}

// ---------------------------------------------------------------- 1. module load

const LOAD_VARIANTS = [
  { key: 'bare', label: 'node -e ""', code: '' },
  { key: 'req7', label: "require('calibre')", code: "require('calibre')" },
  { key: 'imp7', label: "import('calibre')", code: "import('calibre')" },
  { key: 'reqN', label: "require('calibre-native')", code: "require('calibre-native')" },
  { key: 'impN', label: "import('calibre-native')", code: "import('calibre-native')" },
  // Reference: an empty package with an `exports` map (what Node itself spends to resolve and
  // load any such package; calibre and calibre-native both pay it).
  { key: 'reqF', label: "require('exports-floor')", code: "require('exports-floor')", floor: true },
  { key: 'impF', label: "import('exports-floor')", code: "import('exports-floor')", floor: true },
]
/** The same load, timed in-process and followed by an RSS reading: `{ ms, rss }` on stdout. */
function probeCode(code) {
  const report = 'process.stdout.write(JSON.stringify({ ms: performance.now() - t, rss: process.memoryUsage().rss }))'
  if (!code) return `const t = performance.now(); ${report}`
  if (code.startsWith('import(')) return `const t = performance.now(); ${code}.then(() => { ${report} })`
  return `const t = performance.now(); ${code}; ${report}`
}

function loadBench() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-bench-load-'))
  const floorPkg = path.join(dir, 'node_modules', 'exports-floor')
  fs.mkdirSync(floorPkg, { recursive: true })
  fs.writeFileSync(
    path.join(floorPkg, 'package.json'),
    JSON.stringify({ name: 'exports-floor', exports: { '.': { import: './index.mjs', require: './index.js' } } }),
  )
  fs.writeFileSync(path.join(floorPkg, 'index.js'), '')
  fs.writeFileSync(path.join(floorPkg, 'index.mjs'), '')
  const env = { ...process.env, CALIBRE_API_TOKEN: TOKEN, XDG_CONFIG_HOME: path.join(dir, 'xdg') }
  for (const k of ['CALIBRE_HOST', 'CALIBRE_APP_HOST', 'NODE_OPTIONS']) delete env[k]
  const series = () => Object.fromEntries(LOAD_VARIANTS.map((v) => [v.key, []]))
  const wall = series()
  const rss = series()
  const inproc = series()
  const total = P.loadWarmup + P.loadRounds
  for (let round = 0; round < total; round++) {
    // Rotate the order so each variant runs at every position equally often.
    const order = LOAD_VARIANTS.map((_, i) => LOAD_VARIANTS[(i + round) % LOAD_VARIANTS.length])
    for (const v of order) {
      const cwd = v.floor ? dir : ROOT
      const t0 = performance.now()
      const a = spawnSync(process.execPath, ['-e', v.code], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] })
      const ms = performance.now() - t0
      if (a.status !== 0) throw new Error(`${v.label} failed: ${a.stderr}`)
      const b = spawnSync(process.execPath, ['-e', probeCode(v.code)], { cwd, env, encoding: 'utf8' })
      if (b.status !== 0) throw new Error(`${v.label} failed: ${b.stderr}`)
      if (round >= P.loadWarmup) {
        const probe = JSON.parse(b.stdout)
        wall[v.key].push(ms)
        rss[v.key].push(probe.rss / 1048576)
        inproc[v.key].push(probe.ms)
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true })
  const out = {}
  for (const v of LOAD_VARIANTS) {
    out[v.key] = { label: v.label, wall: summary(wall[v.key]), rss: summary(rss[v.key]), inproc: summary(inproc[v.key]) }
    // Paired per round (same round, seconds apart), so a busy stretch of the machine raises
    // both sides instead of one: the median of the differences is the figure used.
    out[v.key].added = summary(wall[v.key].map((ms, i) => ms - wall.bare[i]))
    out[v.key].addedMs = out[v.key].added.median
    // Noise only adds time: the difference of the fastest runs is a second, optimistic view.
    out[v.key].addedMinMs = Math.min(...wall[v.key]) - Math.min(...wall.bare)
    out[v.key].addedMB = out[v.key].rss.median - median(rss.bare)
  }
  return out
}

// ---------------------------------------------------------------- 2–4. against the server

async function throughputBench(server) {
  const config = {
    base: server.url, rounds: P.tpRounds, seq: P.tpSeq, conc: P.tpConc, concurrency: CONCURRENCY, warmup: P.tpWarmup,
  }
  // stderr to /dev/null: the CALIBRE_DEBUG=1 variant writes its log there.
  const env = BEFORE_NODE ? { ...process.env, BENCH_BEFORE_NODE: BEFORE_NODE } : process.env
  const raw = JSON.parse(await runNode([path.join(BENCH, 'throughput.mjs'), JSON.stringify(config)], { env, stderr: 'ignore' }))
  const out = {}
  for (const name of Object.keys(raw)) {
    out[name] = {}
    for (const c of ['c1', 'cN']) {
      const rounds = raw[name][c]
      out[name][c] = {
        rps: summary(rounds.map((r) => r.rps)),
        p50: summary(rounds.map((r) => r.p50)),
        p99: summary(rounds.map((r) => r.p99)),
        cpu: summary(rounds.map((r) => r.cpu)),
      }
    }
  }
  return out
}

/** Per round, `a`'s req/s over `b`'s (both ran in that round, seconds apart): the median and range. */
function pairedRatio(T, a, b, c) {
  return summary(T[a][c].rps.raw.map((rps, i) => rps / T[b][c].rps.raw[i]))
}

const LARGE_CLIENTS = [...CLIENTS, 'JSON.parse only']

async function largeBench(server) {
  const raw = Object.fromEntries(LARGE_CLIENTS.map((n) => [n, []]))
  for (let round = 0; round < P.largeRounds; round++) {
    const order = LARGE_CLIENTS.map((_, i) => LARGE_CLIENTS[(i + round) % LARGE_CLIENTS.length])
    for (const client of order) {
      const config = { base: server.url, client, resolutionMs: RESOLUTION_MS, expectPoints: server.largePoints }
      raw[client].push(JSON.parse(await runNode(['--expose-gc', path.join(BENCH, 'large.mjs'), JSON.stringify(config)])))
    }
    log(`  large round ${round + 1}/${P.largeRounds} done`)
  }
  const out = {}
  for (const n of LARGE_CLIENTS) {
    out[n] = {
      ms: summary(raw[n].map((r) => r.ms)),
      stallMs: summary(raw[n].map((r) => r.stallMs)),
      peakRssMB: summary(raw[n].map((r) => r.peakRssMB)),
      addedRssMB: summary(raw[n].map((r) => r.peakRssMB - r.rssBeforeMB)),
    }
  }
  return out
}

function throttleFloorMs(calls) {
  return (Math.ceil(calls / THROTTLE.limit) - 1) * THROTTLE.intervalMs
}

async function bulkBench(server) {
  const clients = P.bulkCalibre7 ? ['calibre-native', 'calibre@7'] : ['calibre-native']
  const raw = Object.fromEntries(clients.map((c) => [c, []]))
  for (let round = 0; round < P.bulkRounds; round++) {
    for (const client of clients) {
      const config = { base: server.url, client, calls: P.bulkCalls }
      const env = { ...process.env, CALIBRE_API_TOKEN: TOKEN }
      raw[client].push(JSON.parse(await runNode([path.join(BENCH, 'bulk.mjs'), JSON.stringify(config)], { env })).ms)
    }
    log(`  bulk round ${round + 1}/${P.bulkRounds} done`)
  }
  const floor = throttleFloorMs(P.bulkCalls)
  return Object.fromEntries(clients.map((c) => [c, { ms: summary(raw[c]), floor, ratio: median(raw[c]) / floor }]))
}

// ---------------------------------------------------------------- report

const MB = 1e6
const check = (ok) => (ok ? 'met' : 'MISSED')

function buildReport(r) {
  const rows = []
  const targets = []
  const row = (measure, native, c7, fetchV, httpV, target = '') => rows.push([measure, native, c7, fetchV, httpV, target])
  const ratioTarget = (label, ratio, ok, fmtRatio = (x) => `${fmt(x, 2)}×`) => {
    targets.push({ label, ratio, ok })
    return `${label}: ${fmtRatio(ratio)} ${check(ok)}`
  }

  if (r.load) {
    const L = r.load
    row('load: `node -e ""` wall, ms', fmtRange(L.bare.wall), '', '', '', 'baseline')
    const rq = L.reqN.addedMs / L.req7.addedMs
    const fastest = (a, b) => `fastest runs: ${fmt(a.addedMinMs)} vs ${fmt(b.addedMinMs)} ms, ${fmt(a.addedMinMs / b.addedMinMs, 2)}×`
    row('load: require() added wall, ms', fmtRange(L.reqN.added), fmtRange(L.req7.added), '', '', `${ratioTarget('require ≤ 0.10× calibre@7', rq, rq <= 0.1)} (${fastest(L.reqN, L.req7)})`)
    const im = L.impN.addedMs / L.imp7.addedMs
    row('load: import() added wall, ms', fmtRange(L.impN.added), fmtRange(L.imp7.added), '', '', `${ratioTarget('import ≤ 0.05× calibre@7', im, im <= 0.05)} (${fastest(L.impN, L.imp7)})`)
    const rr = L.reqN.addedMB / L.req7.addedMB
    row('load: require() added RSS, MB', fmt(L.reqN.addedMB), fmt(L.req7.addedMB), '', '', ratioTarget('RSS (require) ≤ 1.0× calibre@7', rr, rr <= 1))
    const ir = L.impN.addedMB / L.imp7.addedMB
    row('load: import() added RSS, MB', fmt(L.impN.addedMB), fmt(L.imp7.addedMB), '', '', ratioTarget('RSS (import) ≤ 1.0× calibre@7', ir, ir <= 1))
    row(
      "load: Node's own floor, added wall ms (empty package with `exports`)",
      `require ${fmt(L.reqF.addedMs)}, import ${fmt(L.impF.addedMs)}`, '', '', '',
      // Not a target: what each package adds beyond what Node spends on any package like it.
      `above the floor: calibre-native require ${fmt(L.reqN.addedMs - L.reqF.addedMs)} / import ${fmt(L.impN.addedMs - L.impF.addedMs)} ms; calibre@7 ${fmt(L.req7.addedMs - L.reqF.addedMs)} / ${fmt(L.imp7.addedMs - L.impF.addedMs)} ms; ratio ${fmt((L.reqN.addedMs - L.reqF.addedMs) / (L.req7.addedMs - L.reqF.addedMs), 2)}× / ${fmt((L.impN.addedMs - L.impF.addedMs) / (L.imp7.addedMs - L.impF.addedMs), 2)}×`,
    )
  }
  if (r.throughput) {
    const T = r.throughput
    const cell = (n, c, k, d = 0) => fmtRange(T[n][c][k], d)
    for (const [c, label] of [['c1', 'concurrency 1'], ['cN', `concurrency ${CONCURRENCY}`]]) {
      const n = T['calibre-native'][c].rps.median
      const vsGr = n / T['graphql-request'][c].rps.median
      // Paired: the rounds interleave the clients, so a busy stretch of the machine slows both
      // sides of a round; the ratio of the medians mixes rounds and moves with that noise.
      const vsHttp = pairedRatio(T, 'calibre-native', 'node:http', c)
      const need = c === 'c1' ? 1.5 : 3
      const needHttp = c === 'c1' ? 1.2 : 1
      row(
        `throughput ${label}, req/s`,
        cell('calibre-native', c, 'rps'), cell('graphql-request', c, 'rps'), cell('fetch', c, 'rps'), cell('node:http', c, 'rps'),
        [
          ratioTarget(`${label}: ≥ ${need}× graphql-request`, vsGr, vsGr >= need),
          `${ratioTarget(`${label}: ≥ ${needHttp}× node:http (median of per-round ratios)`, vsHttp.median, vsHttp.median >= needHttp)} (rounds ${fmt(vsHttp.min, 2)}–${fmt(vsHttp.max, 2)}; ratio of medians ${fmt(n / T['node:http'][c].rps.median, 2)}×)`,
        ].join('; '),
      )
      row(
        `latency ${label}, p50 / p99 ms`,
        ...CLIENTS.map((x) => `${fmt(T[x][c].p50.median, 2)} / ${fmt(T[x][c].p99.median, 2)}`),
      )
      row(`client CPU ${label}, µs per request`, ...CLIENTS.map((x) => fmt(T[x][c].cpu.median, 0)))
    }
    // What observing costs, and the build before it: the same client in the same rounds.
    const costs = [
      ['calibre-native + subscriber', 'with a `diagnostics_channel` subscriber (start + end)', 'of calibre-native without'],
      ['calibre-native + CALIBRE_DEBUG=1', 'with `CALIBRE_DEBUG=1` (log to /dev/null)', 'of calibre-native without'],
    ]
    for (const [name, what, of] of costs) {
      if (!T[name]) continue
      for (const [c, label] of [['c1', 'concurrency 1'], ['cN', `concurrency ${CONCURRENCY}`]]) {
        const ratio = pairedRatio(T, name, 'calibre-native', c)
        row(`throughput ${label} ${what}, req/s`, cell(name, c, 'rps'), '', '', '', `${fmt(ratio.median, 2)}× ${of} (rounds ${fmt(ratio.min, 2)}–${fmt(ratio.max, 2)})`)
      }
    }
    if (T['calibre-native before']) {
      for (const [c, label] of [['c1', 'concurrency 1'], ['cN', `concurrency ${CONCURRENCY}`]]) {
        const ratio = pairedRatio(T, 'calibre-native', 'calibre-native before', c)
        row(`throughput ${label}, the build before (\`--before\`), req/s`, cell('calibre-native before', c, 'rps'), '', '', '',
          `${ratioTarget(`${label}: this build ≥ 1.0× the one before, no debug, no subscriber`, ratio.median, ratio.median >= 1)} (rounds ${fmt(ratio.min, 2)}–${fmt(ratio.max, 2)})`)
      }
    }
  }
  if (r.large) {
    const G = r.large
    const cell = (n, k, d = 0) => fmtRange(G[n][k], d)
    const tr = G['calibre-native'].ms.median / G.fetch.ms.median
    row(`large result (${fmt(r.server.largeBytes / MB, 1)} MB): time, ms`, cell('calibre-native', 'ms'), cell('graphql-request', 'ms'), cell('fetch', 'ms'), cell('node:http', 'ms'),
      ratioTarget('time ≤ 1.10× fetch + JSON.parse', tr, tr <= 1.1))
    const sr = G['calibre-native'].stallMs.median / G.fetch.stallMs.median
    const sp = G['calibre-native'].stallMs.median / G['JSON.parse only'].stallMs.median
    row('large result: longest event-loop stall, ms', cell('calibre-native', 'stallMs'), cell('graphql-request', 'stallMs'), cell('fetch', 'stallMs'), cell('node:http', 'stallMs'),
      `${ratioTarget('stall ≤ 1.0× fetch + JSON.parse', sr, sr <= 1)} (JSON.parse alone: ${fmt(G['JSON.parse only'].stallMs.median)} ms, ${fmt(sp, 2)}×)`)
    row('large result: peak RSS, MB', cell('calibre-native', 'peakRssMB'), cell('graphql-request', 'peakRssMB'), cell('fetch', 'peakRssMB'), cell('node:http', 'peakRssMB'))
  }
  if (r.bulk) {
    const B = r.bulk
    const n = B['calibre-native']
    row(`throttled bulk: ${P.bulkCalls} calls, total ms (floor ${n.floor})`, fmtRange(n.ms, 0), B['calibre@7'] ? `${fmtRange(B['calibre@7'].ms, 0)} (calibre@7)` : '', '', '',
      ratioTarget('total ≤ 1.02× floor', n.ratio, n.ratio <= 1.02, (x) => `${fmt(x, 3)}×`))
  }
  if (r.binary && !r.binary.missing) {
    const b = r.binary
    const sizeMB = b.strippedSize / MB
    const sizeMiB = b.strippedSize / 2 ** 20
    row(
      '`.node` size (stripped), MB',
      `${fmt(sizeMB, 2)} (${fmt(sizeMiB, 2)} MiB)`, '', '', '',
      // 6 MiB since the token sources (the OS keyring, token commands, profiles), the CLI's
      // human output and completions, and the debug log and diagnostics events.
      ratioTarget('≤ 6 MiB (6,291,456 bytes)', sizeMiB / 6, sizeMiB <= 6),
    )
  }
  const header = ['measure', 'calibre-native', 'calibre@7 / graphql-request', 'fetch', 'node:http', 'target: ratio, result']
  const table = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ].join('\n')
  return { table, targets }
}

function details(r) {
  const command = (v) => (v.label.startsWith('node ') ? v.label : `node -e "${v.label}"`)
  const out = []
  const rawList = (s, d = 1) => s.raw.map((x) => fmt(x, d)).join(', ')
  if (r.load) {
    out.push('## 1. Module load', '')
    out.push(`Fresh processes (\`spawnSync\`, wall time from spawn to exit), ${P.loadRounds} rounds after ${P.loadWarmup} warm-up rounds; the commands are interleaved and their order rotates every round. A second run of each command per round times the load in-process (\`performance.now()\` around the \`require\`/\`import\`) and reads \`process.memoryUsage().rss\` after it. \`CALIBRE_API_TOKEN\` is set for all (calibre@7 throws at load without a token) and \`XDG_CONFIG_HOME\` points at an empty directory. "added" = the median over rounds of (the command − \`node -e ""\` in the same round); "fastest − fastest" compares the quickest runs, which noise cannot make faster. \`exports-floor\` is an empty package with an \`exports\` map, run from a temporary directory: what Node spends to resolve and load any such package (calibre and calibre-native both have \`exports\`).`, '')
    out.push('| command | wall ms, median (min–max) | added ms: median of per-round differences (min–max) | added ms: fastest − fastest | in-process load ms | RSS MB, median (min–max) | added MB |', '|---|---|---|---|---|---|---|')
    for (const v of Object.values(r.load)) {
      out.push(`| \`${command(v)}\` | ${fmtRange(v.wall)} | ${fmtRange(v.added)} | ${fmt(v.addedMinMs)} | ${fmtRange(v.inproc, 2)} | ${fmtRange(v.rss)} | ${fmt(v.addedMB)} |`)
    }
    out.push('', 'Raw wall times (ms), in round order:', '')
    for (const v of Object.values(r.load)) out.push(`- \`${command(v)}\`: ${rawList(v.wall)}`)
    out.push('')
  }
  if (r.throughput) {
    out.push('## 2. Request throughput (throttle off)', '')
    out.push(`One loopback server in a separate process (\`bench/server.mjs\`, a minimal keep-alive HTTP/1.1 server on \`node:net\` with precomputed responses) answers a ${r.server.smallBytes}-byte GraphQL result. All clients run in one client process: each is warmed up with ${P.tpWarmup} requests, then in each of ${P.tpRounds} rounds every client in turn (order rotated per round) runs ${P.tpSeq} sequential requests and ${P.tpConc} requests with ${CONCURRENCY} in flight. Figures are medians over rounds (min–max); latency is the median over rounds of each round's p50/p99.`, '')
    out.push('- **calibre-native**: `new Calibre({ throttle: false, retries: false, token, host }).GraphQL.request({ query, ...variables })`.')
    out.push("- **graphql-request** (calibre@7's transport, 7.4.0): `new GraphQLClient(endpoint, { headers }).request(query, variables)` with a new client per request, as calibre@7 does; calibre@7's p-throttle is bypassed.")
    out.push('- **fetch**: Node 20 global `fetch` (undici) POST + `.json()`.')
    out.push(`- **node:http**: \`http.request\` with \`new http.Agent({ keepAlive: true, maxSockets: ${CONCURRENCY} })\`, body collected and \`JSON.parse\`d.`)
    out.push('- **calibre-native + subscriber**: calibre-native while `diagnostics_channel` subscribers listen on `calibre-native:request:start` and `:end` (each counts the message).')
    out.push('- **calibre-native + CALIBRE_DEBUG=1**: calibre-native with `process.env.CALIBRE_DEBUG = \'1\'`: one debug line per request, written to the client process\'s stderr, which is /dev/null here (on a terminal, writing costs more).')
    if (r.throughput['calibre-native before']) out.push(`- **calibre-native before**: the build given with \`--before\` (\`${path.basename(BEFORE_NODE)}\`), loaded into the same process from its own file: same rounds, same server.`)
    out.push('', 'Ratios between two clients are taken per round (both ran in it, seconds apart) and the median of those is shown: machine noise moves whole rounds, so it mostly cancels in a round but not between the medians of different rounds.', '')
    out.push('"Client CPU" is the client process\'s user + system CPU time (all its threads) per request, from `process.cpuUsage()`.', '')
    out.push('| client | concurrency | req/s, each round | p50 ms, each round | p99 ms, each round | CPU µs/request, each round |', '|---|---|---|---|---|---|')
    for (const n of Object.keys(r.throughput)) {
      for (const c of ['c1', 'cN']) {
        const t = r.throughput[n][c]
        out.push(`| ${n} | ${c === 'c1' ? 1 : CONCURRENCY} | ${rawList(t.rps, 0)} | ${rawList(t.p50, 2)} | ${rawList(t.p99, 2)} | ${rawList(t.cpu, 0)} |`)
      }
    }
    out.push('')
  }
  if (r.large) {
    out.push('## 3. Large result', '')
    out.push(`A ${fmt(r.server.largeBytes / MB, 2)} MB GraphQL response (a time series: ${r.server.largePoints} points × 192 series, with \`times\` objects and a CSV string) turned into a JS object. Each measurement is a fresh process (\`bench/large.mjs\`, run with \`--expose-gc\`): one small warm-up request over the same connection pool, two \`gc()\`, then the timed call. The stall is the maximum of \`perf_hooks.monitorEventLoopDelay({ resolution: ${RESOLUTION_MS} })\` during the call (it includes the ${RESOLUTION_MS} ms resolution). Peak RSS is \`process.resourceUsage().maxRSS\` after the call. calibre-native calls \`TimeSeries.list({ site })\`; the others POST the same query and take \`data.organisation.site.timeSeries\`. "JSON.parse only" parses the already-received text: no HTTP. ${P.largeRounds} rounds, clients interleaved.`, '')
    out.push('| client | time ms | stall ms | peak RSS MB | RSS added over pre-call MB | time, each round | stall, each round |', '|---|---|---|---|---|---|---|')
    for (const n of LARGE_CLIENTS) {
      const g = r.large[n]
      out.push(`| ${n} | ${fmtRange(g.ms, 0)} | ${fmtRange(g.stallMs)} | ${fmtRange(g.peakRssMB, 0)} | ${fmtRange(g.addedRssMB, 0)} | ${rawList(g.ms, 0)} | ${rawList(g.stallMs)} |`)
    }
    out.push('')
  }
  if (r.bulk) {
    out.push('## 4. Throttled bulk work', '')
    out.push(`${P.bulkCalls} \`GraphQL.request\` calls started together with \`Promise.all\` under the default throttle (${THROTTLE.limit} starts per ${THROTTLE.intervalMs} ms, process-wide), timed until the last settles; a fresh process each round. The floor is when the last start may happen: (⌈${P.bulkCalls}/${THROTTLE.limit}⌉ − 1) × ${THROTTLE.intervalMs} ms = ${throttleFloorMs(P.bulkCalls)} ms.`, '')
    out.push('| client | total ms, median (min–max) | ratio to floor | each round |', '|---|---|---|---|')
    for (const [n, b] of Object.entries(r.bulk)) out.push(`| ${n} | ${fmtRange(b.ms, 0)} | ${fmt(b.ratio, 3)} | ${rawList(b.ms, 0)} |`)
    out.push('')
  }
  if (r.binary) {
    out.push('## 5. Binary', '')
    if (r.binary.missing) out.push(`\`${r.binary.name}\` not found: run \`npm run build\`.`)
    else {
      out.push(`\`${r.binary.name}\`: ${r.binary.size} bytes on disk (${fmt(r.binary.size / 2 ** 20, 2)} MiB), ${r.binary.strippedSize} bytes stripped; ${r.binary.profile}. Built ${r.binary.mtime}.`)
    }
    out.push('')
  }
  return out.join('\n')
}

// ---------------------------------------------------------------- main

const started = performance.now()
const results = { machine: machine(), busy: {} }
results.binary = binary()
log(`calibre-native bench${QUICK ? ' (--quick)' : ''}: ${results.binary.missing ? 'no .node built — run `npm run build`' : `${results.binary.name}, ${results.binary.profile}`}`)
if (results.binary.missing) process.exit(1)

const busy = (section) => {
  results.busy[section] = cpuBusy(QUICK ? 200 : 1000)
  log(`${section}: CPU busy before start ${fmt(results.busy[section] * 100, 0)}% (2 cores)`)
}

if (wants('load')) {
  busy('load')
  results.load = loadBench()
}
if (wants('throughput') || wants('large') || wants('bulk')) {
  const server = await startServer({ largeBytes: P.largeBytes })
  results.server = server
  try {
    if (wants('throughput')) {
      busy('throughput')
      results.throughput = await throughputBench(server)
    }
    if (wants('large')) {
      busy('large')
      results.large = await largeBench(server)
    }
    if (wants('bulk')) {
      busy('bulk')
      results.bulk = await bulkBench(server)
    }
  } finally {
    await server.close()
  }
}
results.busy.end = cpuBusy(QUICK ? 200 : 1000)

const { table, targets } = buildReport(results)
const m = results.machine
const elapsed = (performance.now() - started) / 1000
const busyLine = Object.entries(results.busy).map(([k, v]) => `${k} ${fmt(v * 100, 0)}%`).join(', ')
console.log(table)
console.log(`\n${targets.filter((t) => t.ok).length}/${targets.length} targets met; ${fmt(elapsed, 0)} s; CPU busy before each section (other load on the machine): ${busyLine}`)

if (WRITE) {
  const md = [
    '# Benchmarks',
    '',
    'calibre-native against calibre@7.0.0 and its transport (graphql-request 7.4.0 over Node `fetch`), and against the transport ceiling (Node `fetch`, `node:http` with a keep-alive agent). Everything talks to servers the benchmark starts on 127.0.0.1. Regenerate with `npm run build && npm run bench` (the bench measures whichever `.node` is built; `npm run build` is the release one). `node bench/run.mjs --quick` is the smoke mode CI may run: tiny counts, no timing assertions, writes nothing.',
    '',
    `- **Machine:** ${m.cpu}, ${m.cores} cores, ${fmt(m.memGB, 0)} GB RAM, ${m.os}`,
    `- **Node:** ${m.node}; **Rust:** ${m.rust}`,
    `- **Command:** \`${m.command}\` (${fmt(elapsed, 0)} s), **date:** ${m.date}`,
    `- **Build:** \`${results.binary.name}\`, ${results.binary.profile}`,
    `- **Other load:** share of CPU busy over 1 s just before each section (nothing of the bench running): ${busyLine}. Other engineers share this VM; anything well above 0% means the figures carry extra noise.`,
    '',
    'Figures are medians with (min–max) over rounds; every comparison is interleaved round by round.',
    '',
    table,
    '',
    details(results),
    // The WAN section is measured by `npm run bench:wan` (it needs root); kept as last written.
    ...(fs.existsSync(WAN_RESULTS) ? [fs.readFileSync(WAN_RESULTS, 'utf8').trim(), ''] : []),
    ...(fs.existsSync(path.join(BENCH, 'NOTES.md')) ? [fs.readFileSync(path.join(BENCH, 'NOTES.md'), 'utf8').trim()] : []),
  ].join('\n')
  // `bench/cli.mjs` owns the CLI cold-start section: keep it.
  const previous = fs.existsSync(path.join(ROOT, 'BENCHMARKS.md')) ? fs.readFileSync(path.join(ROOT, 'BENCHMARKS.md'), 'utf8') : ''
  const cli = /<!-- cli-cold-start:begin -->[\s\S]*<!-- cli-cold-start:end -->/.exec(previous)?.[0]
  fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), md + (cli ? `\n\n${cli}` : '') + '\n')
  log('wrote BENCHMARKS.md')
}
