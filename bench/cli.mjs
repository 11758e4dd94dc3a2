// `node bench/cli.mjs`: cold start of the `calibre-native` command against calibre@7's `calibre`
// command, for a `--json` command that makes one request (`site list --json`) and for `--version`
// (no request). Fresh processes, wall time from spawn to exit, rounds interleaved with the order
// rotating every round; a local server on 127.0.0.1 answers the request. Writes its section of
// BENCHMARKS.md (between the `cli-cold-start` markers, which `bench/run.mjs` keeps).
//
//   node bench/cli.mjs            41 rounds, writes BENCHMARKS.md
//   node bench/cli.mjs --quick    3 rounds, writes nothing
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { ROOT, TOKEN, median, fmt } from './lib.mjs'

const QUICK = process.argv.includes('--quick')
const ROUNDS = QUICK ? 3 : 41
const WARMUP = QUICK ? 1 : 2
const BEGIN = '<!-- cli-cold-start:begin -->'
const END = '<!-- cli-cold-start:end -->'

const OURS = path.join(ROOT, 'bin', 'calibre-native.js')
const OFFICIAL = path.join(ROOT, 'node_modules', 'calibre', 'src', 'cli.js')
const SITES = { data: { organisation: { sites: [{ name: 'Acme', slug: 'acme', createdAt: '2024-01-02T03:04:05Z', team: { name: 'Marketing', slug: 'marketing' }, monitoringStatus: { synthetic: null, crux: null, rum: null } }] } } }

const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(SITES))
  })
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-bench-cli-'))
const env = { PATH: process.env.PATH, HOME: xdg, XDG_CONFIG_HOME: xdg, CALIBRE_API_TOKEN: TOKEN, CALIBRE_HOST: `http://127.0.0.1:${server.address().port}` }

/** Wall ms from spawn to exit; checks the command printed what it should. */
function time(args, expect) {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.on('exit', (code) => {
      const ms = performance.now() - start
      if (code !== 0 || !expect.test(out)) reject(new Error(`${args.join(' ')} exited ${code}: ${out.slice(0, 200)}`))
      else resolve(ms)
    })
  })
}

const COMMANDS = [
  ['node -e ""', ['-e', ''], /^$/],
  ['calibre site list --json', [OFFICIAL, 'site', 'list', '--json'], /"slug": "acme"/],
  ['calibre-native site list --json', [OURS, 'site', 'list', '--json'], /"slug": "acme"/],
  ['calibre --version', [OFFICIAL, '--version'], /7\.0\.0/],
  ['calibre-native --version', [OURS, '--version'], /calibre-native/],
]

const samples = new Map(COMMANDS.map(([name]) => [name, []]))
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  const order = COMMANDS.map((_, i) => COMMANDS[(i + round) % COMMANDS.length])
  for (const [name, args, expect] of order) {
    const ms = await time(args, expect)
    if (round >= WARMUP) samples.get(name).push(ms)
  }
  process.stderr.write(`\rround ${round + 1}/${WARMUP + ROUNDS}`)
}
process.stderr.write('\n')
server.close()
fs.rmSync(xdg, { recursive: true, force: true })

const stats = (name) => {
  const s = samples.get(name)
  return { median: median(s), min: Math.min(...s), max: Math.max(...s) }
}
const node = stats('node -e ""').median
const row = (name) => {
  const s = stats(name)
  return `| \`${name}\` | ${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)}) | ${name.startsWith('node') ? '' : fmt(s.median - node)} |`
}
const ratio = (a, b) => (stats(a).median - node) / (stats(b).median - node)
const binary = fs.readdirSync(ROOT).find((f) => f.endsWith('.node')) ?? 'none'
const size = binary === 'none' ? 0 : fs.statSync(path.join(ROOT, binary)).size
const section = [
  BEGIN,
  '## CLI cold start',
  '',
  `\`node bench/cli.mjs\` (${ROUNDS} rounds after ${WARMUP} warm-up, interleaved, order rotating), ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, \`${binary}\` (${(size / 1e6).toFixed(2)} MB${size > 20e6 ? ', a debug build' : ''}). Fresh processes, wall time from spawn to exit; \`site list --json\` makes one request to a local server on 127.0.0.1. "Added" is the median minus \`node -e ""\`.`,
  '',
  '| command | wall ms, median (min–max) | added ms |',
  '|---|---|---|',
  ...COMMANDS.map(([name]) => row(name)),
  '',
  `calibre-native's added start-up is ${fmt(ratio('calibre-native site list --json', 'calibre site list --json'), 2)}× calibre@7's for \`site list --json\` and ${fmt(ratio('calibre-native --version', 'calibre --version'), 2)}× for \`--version\`. calibre@7 loads yargs, chalk, ora, graphql-request and its command modules before parsing; calibre-native loads one addon and parses in Rust.`,
  END,
].join('\n')

console.log(section)
if (!QUICK) {
  const file = path.join(ROOT, 'BENCHMARKS.md')
  const md = fs.readFileSync(file, 'utf8')
  const a = md.indexOf(BEGIN)
  const b = md.indexOf(END)
  const next = a >= 0 && b > a ? md.slice(0, a) + section + md.slice(b + END.length) : `${md.trimEnd()}\n\n${section}\n`
  fs.writeFileSync(file, next)
  console.error('wrote the CLI section of BENCHMARKS.md')
}
