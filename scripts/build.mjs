// `npm run build` / `npm run build:debug`: napi's own build, plus, on Linux x64 with glibc, napi's
// cross toolchain (gcc against glibc 2.17's headers and libraries, pinned in package.json), so the
// `.node` loads on every glibc from 2.17 on — the floor napi-rs packages ship — and not only on
// the build machine's glibc. Other hosts build with their own toolchain.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const napi = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'napi.cmd' : 'napi')
const args = ['build', '--platform', '--js', 'native.js', ...process.argv.slice(2)]
const glibc = process.platform === 'linux' && Boolean(process.report.getReport().header.glibcVersionRuntime)
if (glibc && process.arch === 'x64' && !args.some((a) => a === '--target' || a === '-t')) {
  args.push('--use-napi-cross')
}
const run = spawnSync(napi, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
process.exit(run.status ?? 1)
