// `npm run bench:wan`: calibre-native, calibre@7 and `fetch` + `JSON.parse` on a simulated WAN,
// with no internet: a private network namespace whose loopback carries everything, shaped to
// 50 Mbit/s (tbf), a proxy adding 20 ms each way (bench/wan-proxy.mjs), and an HTTPS server
// with a certificate from a local CA (trusted through NODE_EXTRA_CA_CERTS by every client)
// that compresses like a real server (bench/wan-server.mjs).
//
//   node bench/wan.mjs            full run (~1.5 min), writes bench/wan-results.md and its
//                                 section of BENCHMARKS.md
//   node bench/wan.mjs --quick    smoke run: one round, a 2 MB result; writes nothing
//   node bench/wan.mjs --only=cold,large,sequential   a subset (writes nothing)
//
// Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN), iproute2 (`ip`, `tc`) and openssl; without
// them it says why and exits 0. The namespace is deleted however the run ends.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT, BENCH, TOKEN, summary, fmt, fmtRange, spliceWanSection } from './lib.mjs'

const argv = process.argv.slice(2)
const QUICK = argv.includes('--quick')
const ONLY = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',')
const WRITE = !QUICK && !ONLY
const wants = (section) => !ONLY || ONLY.includes(section)
const log = (...a) => console.error(...a)

/** The link: what `tc` and the proxy are set to. */
const LINK = { mtu: 1500, rate: '50mbit', burst: '64kb', latency: '400ms', delayMs: 20 }
const P = QUICK
  ? { coldRounds: 2, largeRounds: 1, seqRounds: 1, largeBytes: 2e6, calls: 20 }
  : { coldRounds: 15, largeRounds: 11, seqRounds: 7, largeBytes: 20e6, calls: 20 }
const CLIENTS = ['calibre-native', 'calibre@7', 'fetch']
const NS_PREFIX = 'calibre-wan-'

// ---------------------------------------------------------------- outside: the namespace

function ip(...args) {
  return spawnSync('ip', args, { encoding: 'utf8' })
}

/** Creates and shapes the namespace, runs this script inside it, deletes it whatever happens. */
async function outside() {
  // Namespaces left by a run that was killed outright (SIGKILL) are removed first.
  for (const line of (ip('netns', 'list').stdout ?? '').split('\n')) {
    const name = line.split(' ')[0]
    const pid = Number(name.startsWith(NS_PREFIX) ? name.slice(NS_PREFIX.length) : NaN)
    if (Number.isInteger(pid) && !alive(pid)) ip('netns', 'del', name)
  }
  const ns = `${NS_PREFIX}${process.pid}`
  const added = ip('netns', 'add', ns)
  if (added.error || added.status !== 0) {
    log(`WAN benchmark skipped: cannot create a network namespace (\`ip netns add\` needs root and iproute2): ${(added.error?.message ?? added.stderr).trim()}`)
    return
  }
  let child = null
  const cleanup = () => {
    if (ns && ip('netns', 'del', ns).status === 0) log(`deleted network namespace ${ns}`)
  }
  process.once('exit', cleanup)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      if (!child || child.exitCode !== null) process.exit(130)
      // The inner run stops its servers first; the namespace goes when it has exited.
      child.once('exit', () => process.exit(130))
      child.kill('SIGTERM')
      setTimeout(() => process.exit(130), 5000).unref()
    })
  }
  const inNs = (...cmd) => spawnSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8' })
  const steps = [
    ['ip', 'link', 'set', 'lo', 'mtu', String(LINK.mtu), 'up'],
    ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', LINK.rate, 'burst', LINK.burst, 'latency', LINK.latency],
  ]
  for (const step of steps) {
    const r = inNs(...step)
    if (r.error || r.status !== 0) {
      log(`WAN benchmark skipped: \`${step.join(' ')}\` failed in the namespace: ${(r.error?.message ?? r.stderr).trim()}`)
      return
    }
  }
  const code = await new Promise((resolve) => {
    child = spawn('ip', ['netns', 'exec', ns, process.execPath, new URL(import.meta.url).pathname, '--inside', ...argv], { stdio: 'inherit', cwd: ROOT })
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)))
  })
  process.exitCode = code
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return e.code === 'EPERM'
  }
}

// ---------------------------------------------------------------- inside: servers and clients

/** Spawns a node script, resolves to its first stdout line (JSON) and a way to stop it. */
function startProcess(script, args, onLine = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(BENCH, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT })
    let buffered = ''
    let info = null
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d) => {
      buffered += d
      let nl
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        if (!info) {
          info = JSON.parse(line)
          resolve({ ...info, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM') }) })
        } else onLine(line)
      }
    })
    child.on('error', reject)
    child.on('exit', (code) => { if (!info) reject(new Error(`${script} exited early (${code})`)) })
  })
}

/** Runs `node args` with `env`; resolves to { ms (spawn to exit), stdout }. */
function timedNode(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d) => { stdout += d })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      const ms = performance.now() - t0
      if (code === 0) resolve({ ms, stdout })
      else reject(new Error(`node ${args.slice(0, 2).join(' ')} exited with ${code ?? signal}`))
    })
  })
}

/** The cold one-call scripts: load the client, make one small call, check it, exit. */
const COLD = {
  'calibre-native': "require('calibre-native').Agent.list().then((l) => { if (l.length !== 4) process.exitCode = 2 })",
  'calibre@7': "require('calibre').Agent.list().then((l) => { if (l.length !== 4) process.exitCode = 2 })",
  fetch: `fetch(process.env.CALIBRE_HOST + '/graphql', { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: 'Token ' + process.env.CALIBRE_API_TOKEN }, body: JSON.stringify({ query: '{ locations { name shortName emoji tag agents { ipv4 } } }' }) }).then((r) => r.text()).then((t) => { if (JSON.parse(t).data.locations.length !== 4) process.exitCode = 2 })`,
}

async function inside() {
  const { makeCerts, certsUnavailable } = await import('../__test__/helpers/certs.mjs')
  const missing = certsUnavailable()
  if (missing) {
    log(`WAN benchmark skipped: ${missing}`)
    return
  }
  const qdisc = spawnSync('tc', ['qdisc', 'show', 'dev', 'lo'], { encoding: 'utf8' }).stdout.trim()
  const mtu = fs.readFileSync('/sys/class/net/lo/mtu', 'utf8').trim()
  log(`WAN benchmark${QUICK ? ' (--quick)' : ''}: lo mtu ${mtu}, ${qdisc}; proxy delay ${LINK.delayMs} ms each way`)
  const certs = makeCerts()
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-wan-home-'))
  const encodings = []
  let server
  let proxy
  // Interrupted (the outer process passes on SIGINT/SIGTERM): stop the servers, remove the files.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, async () => {
      await Promise.all([proxy?.stop(), server?.stop()])
      certs.remove()
      fs.rmSync(home, { recursive: true, force: true })
      process.exit(130)
    })
  }
  try {
    server = await startProcess('wan-server.mjs', [path.join(certs.dir, 'server.key'), path.join(certs.dir, 'server.pem'), String(P.largeBytes)], (line) => encodings.push(JSON.parse(line)))
    proxy = await startProcess('wan-proxy.mjs', [String(server.port), String(LINK.delayMs)])
    const host = `https://127.0.0.1:${proxy.port}`
    // A clean environment: no proxy variables, the system CA store where it normally is.
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: home,
      CALIBRE_HOST: host,
      CALIBRE_API_TOKEN: TOKEN,
      NODE_EXTRA_CA_CERTS: certs.caPath,
    }
    const stats = async () => {
      const r = await fetch(`http://127.0.0.1:${proxy.controlPort}/stats`)
      return r.json()
    }
    const results = { link: { ...LINK, mtu, qdisc }, server: { largeBytes: server.largeBytes, encoded: server.encoded } }
    const rotate = (round) => CLIENTS.map((_, i) => CLIENTS[(i + round) % CLIENTS.length])

    if (wants('cold')) {
      const cold = Object.fromEntries(CLIENTS.map((c) => [c, { ms: [], down: [], up: [] }]))
      for (let round = -1; round < P.coldRounds; round++) {
        for (const name of rotate(round + 1)) {
          const before = await stats()
          const { ms } = await timedNode(['-e', COLD[name]], env)
          const after = await stats()
          if (round < 0) continue // warm-up: page cache, certificates read once
          cold[name].ms.push(ms)
          cold[name].down.push(after.down - before.down)
          cold[name].up.push(after.up - before.up)
        }
        log(`cold round ${round + 1}/${P.coldRounds}`)
      }
      results.cold = summarise(cold)
    }

    for (const task of ['large', 'sequential']) {
      if (!wants(task)) continue
      const rounds = task === 'large' ? P.largeRounds : P.seqRounds
      const out = Object.fromEntries(CLIENTS.map((c) => [c, { ms: [], down: [], up: [], connections: [], encoding: new Set() }]))
      for (let round = 0; round < rounds; round++) {
        for (const name of rotate(round)) {
          const seen = encodings.length
          const config = { client: name, task, host, control: proxy.controlPort, expectPoints: server.largePoints, calls: P.calls }
          const { stdout } = await timedNode([path.join(BENCH, 'wan-client.mjs'), JSON.stringify(config)], env)
          const r = JSON.parse(stdout)
          for (const key of ['ms', 'down', 'up', 'connections']) out[name][key].push(r[key])
          const last = encodings.slice(seen).at(-1)
          if (last) out[name].encoding.add(`${last.encoding ?? 'identity'} (asked: ${last.accept ?? 'nothing'})`)
        }
        log(`${task} round ${round + 1}/${rounds}`)
      }
      results[task] = summarise(out)
    }

    const report = buildReport(results)
    console.log(report)
    if (WRITE) writeReport(report, results)
  } finally {
    await proxy?.stop()
    await server?.stop()
    certs.remove()
    fs.rmSync(home, { recursive: true, force: true })
  }
}

function summarise(raw) {
  return Object.fromEntries(Object.entries(raw).map(([name, r]) => [name, {
    ms: summary(r.ms),
    down: summary(r.down),
    up: summary(r.up),
    ...(r.connections ? { connections: summary(r.connections) } : {}),
    ...(r.encoding ? { encoding: [...r.encoding].join('; ') } : {}),
  }]))
}

// ---------------------------------------------------------------- report

const KB = 1024
const kb = (s) => `${fmt(s.median / KB, s.median < 100 * KB ? 1 : 0)} KB`

function ratioCell(label, ours, theirs, limit) {
  const ratio = ours / theirs
  return `${label} ≤ ${limit}×: ${fmt(ratio, 2)}× ${ratio <= limit ? 'met' : 'MISSED'}`
}

function buildReport(r) {
  const lines = []
  const row = (measure, cells, target = '') => lines.push(`| ${measure} | ${cells.join(' | ')} | ${target} |`)
  lines.push(`| measure | ${CLIENTS.map((c) => (c === 'fetch' ? 'fetch + JSON.parse' : c)).join(' | ')} | target: ratio, result |`, `|---|${CLIENTS.map(() => '---').join('|')}|---|`)
  const by = (section, key, f) => CLIENTS.map((c) => f(r[section][c][key]))
  if (r.cold) {
    const ms = (c) => r.cold[c].ms.median
    row('cold one-call script, process start to exit, ms', by('cold', 'ms', (s) => fmtRange(s, 0)), ratioCell('vs calibre@7', ms('calibre-native'), ms('calibre@7'), 0.5))
    row('cold script: bytes on the wire, down / up', CLIENTS.map((c) => `${kb(r.cold[c].down)} / ${kb(r.cold[c].up)}`))
  }
  if (r.large) {
    const ms = (c) => r.large[c].ms.median
    const down = (c) => r.large[c].down.median
    row(`${fmt(r.server.largeBytes / 1e6, 1)} MB result: time to the JS object, ms`, by('large', 'ms', (s) => fmtRange(s, 0)),
      [ratioCell('vs calibre@7', ms('calibre-native'), ms('calibre@7'), 0.8), ratioCell('vs fetch', ms('calibre-native'), ms('fetch'), 1.0)].join('; '))
    row(`${fmt(r.server.largeBytes / 1e6, 1)} MB result: bytes on the wire, server to client`, by('large', 'down', kb), ratioCell('vs fetch', down('calibre-native'), down('fetch'), 1.05))
    row(`${fmt(r.server.largeBytes / 1e6, 1)} MB result: content coding (offered)`, CLIENTS.map((c) => r.large[c].encoding))
  }
  if (r.sequential) {
    const ms = (c) => r.sequential[c].ms.median
    row(`${P.calls} sequential small calls on one client, ms`, by('sequential', 'ms', (s) => fmtRange(s, 0)), [`vs calibre@7: ${fmt(ms('calibre-native') / ms('calibre@7'), 2)}×`, `vs fetch: ${fmt(ms('calibre-native') / ms('fetch'), 2)}×`].join('; '))
    row(`${P.calls} sequential calls: connections opened`, by('sequential', 'connections', (s) => fmt(s.median, 0)))
    row(`${P.calls} sequential calls: bytes on the wire, down / up`, CLIENTS.map((c) => `${kb(r.sequential[c].down)} / ${kb(r.sequential[c].up)}`))
  }
  return lines.join('\n')
}

function writeReport(table, r) {
  const rawList = (s, d = 0) => s.raw.map((v) => fmt(v, d)).join(', ')
  const raw = []
  for (const section of ['cold', 'large', 'sequential']) {
    if (!r[section]) continue
    for (const c of CLIENTS) raw.push(`- ${section}, ${c}: ${rawList(r[section][c].ms)} ms`)
  }
  const md = [
    '## WAN: HTTPS over a simulated 50 Mbit/s, 40 ms link',
    '',
    `Generated by \`npm run bench:wan\` (\`bench/wan.mjs\`), ${new Date().toISOString()}, Node ${process.version}, \`.node\` ${binarySize()}. Nothing leaves the machine: a private network namespace (\`ip netns add\`) whose \`lo\` carries all traffic, MTU ${r.link.mtu}, shaped with \`tc qdisc add dev lo root tbf rate ${LINK.rate} burst ${LINK.burst} latency ${LINK.latency}\` (\`${r.link.qdisc}\`); a TCP proxy in the namespace (\`bench/wan-proxy.mjs\`) delays every chunk ${LINK.delayMs} ms each way (${2 * LINK.delayMs} ms round trip) and a new connection's first bytes one round trip more (TCP's handshake); behind it an HTTPS server (\`bench/wan-server.mjs\`, HTTP/1.1 keep-alive) with a leaf certificate signed by a throwaway local CA, trusted by every client through \`NODE_EXTRA_CA_CERTS\`. The server compresses as the client asks (br at quality 4, else gzip or deflate at level 6), answers precomputed, so the clients are what is timed. Each byte crosses \`lo\` twice (client–proxy, proxy–server), so the shaper's 50 Mbit/s carries ~25 Mbit/s of payload.`,
    '',
    `Clients: calibre-native (\`new Calibre({ throttle: false })\`: \`Agent.list()\`, \`TimeSeries.list()\`); calibre@7 (\`Agent.list()\`, \`TimeSeries.list()\`; for the sequential calls its transport, graphql-request over \`fetch\`, without its p-throttle of 10 starts per 1.1 s); \`fetch\` + \`JSON.parse\` of the same queries. Each measurement is a fresh process; clients are interleaved, their order rotating each round; figures are medians (min–max). Cold: \`node -e\` with \`require('calibre-native').Agent.list()\`, \`require('calibre').Agent.list()\` or one \`fetch\` of the same locations query, checking the answer and exiting, timed from spawn to exit (${P.coldRounds} rounds after one warm-up round). Large: a ${fmt(r.server.largeBytes / 1e6, 1)} MB time series (${fmt(r.server.largeBytes / r.server.encoded.gzip, 1)}× smaller in gzip, ${fmt(r.server.largeBytes / r.server.encoded.br, 1)}× in br), after one small warm-up call on the same client, timed from the call to the JS object (${P.largeRounds} rounds). Sequential: ${P.calls} small calls one after another on one client, timed from the first, its connection and TLS handshake included (${P.seqRounds} rounds). Bytes on the wire are what the proxy forwarded (TLS records and HTTP headers included) during the timed part.`,
    '',
    table,
    '',
    'Raw times, in round order:',
    '',
    ...raw,
    '',
    'Reproduce (as root, iproute2 and openssl installed; no internet needed): `npm run build && npm run bench:wan`. `node bench/wan.mjs --quick` is a one-round smoke run that writes nothing.',
  ].join('\n')
  fs.writeFileSync(path.join(BENCH, 'wan-results.md'), md + '\n')
  const file = path.join(ROOT, 'BENCHMARKS.md')
  fs.writeFileSync(file, spliceWanSection(fs.readFileSync(file, 'utf8'), md))
  log('wrote bench/wan-results.md and its section of BENCHMARKS.md')
}

function binarySize() {
  const name = fs.readdirSync(ROOT).find((f) => f.startsWith('calibre-native.') && f.endsWith('.node'))
  return name ? `${name}, ${fs.statSync(path.join(ROOT, name)).size} bytes` : 'not found'
}

if (argv.includes('--inside')) await inside()
else await outside()
