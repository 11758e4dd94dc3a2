// `npm run package`: writes into packages/ the tarballs that are published, for what this machine
// has built: the main package, whose optionalDependencies name every per-platform package (as
// `napi pre-publish` sets them), and each `calibre-native-<platform>` package whose binary is here
// (`calibre-native.<platform>.node`, from `npm run build`). The release workflow runs it with every
// platform's binary and publishes exactly these tarballs.
//
//   npm run package               builds the release addon first (incremental), then packs
//   node scripts/package.mjs --no-build [--out DIR]
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const root = fileURLToPath(new URL('..', import.meta.url))
const npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** `aarch64-unknown-linux-gnu` → `linux-arm64-gnu`: the folder under npm/ napi made for it. */
export const { platformOf } = createRequire(import.meta.url)('../no-binary.js')

/** This machine's platform, as napi names it: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`. */
export function hostPlatform() {
  const libc = process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl'
  const abi = { linux: libc, win32: 'msvc' }[process.platform]
  return [process.platform, process.arch, abi].filter(Boolean).join('-')
}

function npmPack(dir, out, env) {
  const stdout = execFileSync(npmCommand, ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: dir, env, encoding: 'utf8' })
  const [{ filename, files }] = JSON.parse(stdout)
  return { file: path.join(out, filename), files: files.map((f) => f.path).sort() }
}

/** Packs the main package and every per-platform package with a binary; returns what it wrote. */
export function pack({ out = path.join(root, 'packages'), env = process.env } = {}) {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  const platforms = manifest.napi.targets.map(platformOf)
  fs.mkdirSync(out, { recursive: true })
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-package-'))
  const written = []
  try {
    for (const platform of platforms) {
      const binary = `${manifest.napi.binaryName}.${platform}.node`
      if (!fs.existsSync(path.join(root, binary))) continue
      const dir = path.join(stage, platform)
      fs.cpSync(path.join(root, 'npm', platform), dir, { recursive: true })
      fs.copyFileSync(path.join(root, binary), path.join(dir, binary))
      written.push({ name: `${manifest.name}-${platform}`, ...npmPack(dir, out, env) })
    }
    if (written.length === 0) throw new Error('no binary built here: run `npm run build` first')

    // The main package: the files `npm pack` would take from the repository, minus any binary (those
    // ship in the per-platform packages), and the optionalDependencies napi adds at publish time.
    const { files } = JSON.parse(execFileSync(npmCommand, ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: root, env, encoding: 'utf8' }))[0]
    const main = path.join(stage, 'main')
    for (const { path: file } of files) {
      if (file.endsWith('.node')) continue
      fs.mkdirSync(path.dirname(path.join(main, file)), { recursive: true })
      fs.copyFileSync(path.join(root, file), path.join(main, file))
    }
    manifest.optionalDependencies = Object.fromEntries(platforms.map((p) => [`${manifest.name}-${p}`, manifest.version]))
    // `prepare` builds the addon in a clone; in an installed package it would be an install script
    // (npm 11 and pnpm 10 flag those, and there is nothing to build there).
    delete manifest.scripts.prepare
    delete manifest.scripts.prepublishOnly
    fs.writeFileSync(path.join(main, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    written.unshift({ name: manifest.name, ...npmPack(main, out, env) })
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
  return written
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const outIndex = args.indexOf('--out')
  const out = outIndex >= 0 ? path.resolve(args[outIndex + 1]) : undefined
  if (!args.includes('--no-build')) {
    execFileSync(npmCommand, ['run', 'build'], { cwd: root, stdio: 'inherit' })
  }
  for (const { name, file, files } of pack({ out })) {
    console.log(`${path.relative(process.cwd(), file)}  ${name}, ${files.length} files, ${fs.statSync(file).size} bytes`)
  }
}
