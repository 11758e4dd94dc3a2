// The Markdown the package ships (README.md, COMPATIBILITY.md, testing/README.md, …): every relative link
// resolves, to a file in the tarball or in the repository (npm and GitHub show the README with links
// resolved against the repository), and every `#anchor` to a heading of its target.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The files `npm pack` would ship. npm run passes npm_* variables down; the child must not see them. */
function shippedFiles() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || /^npm_config_cache$/i.test(k)))
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 16 << 20 })
  return JSON.parse(out)[0].files.map((f) => f.path)
}

/** Files tracked in the repository, or null outside a git checkout. */
function trackedFiles() {
  try {
    return new Set(execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean))
  } catch {
    return null
  }
}

/** Link targets outside code: inline links and images, reference definitions, HTML href/src. */
export function linkTargets(markdown) {
  const prose = markdown.replace(/^(```|~~~)[^]*?^\1/gm, '').replace(/`[^`\n]*`/g, '')
  const targets = []
  for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1])
  for (const m of prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(m[1])
  for (const m of prose.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)) targets.push(m[1])
  return targets
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown) {
  const prose = markdown.replace(/^(```|~~~)[^]*?^\1/gm, '')
  const seen = new Map()
  const anchors = new Set()
  for (const [, text] of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = text
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    anchors.add(n === 0 ? base : `${base}-${n}`)
  }
  return anchors
}

test('headingAnchors and linkTargets follow GitHub and CommonMark', () => {
  assert.deepEqual([...headingAnchors('# A `b` c\n## Testing your own scripts offline: `calibre-native/testing`\n## A `b` c\n')], [
    'a-b-c',
    'testing-your-own-scripts-offline-calibre-nativetesting',
    'a-b-c-1',
  ])
  assert.deepEqual(linkTargets('[a](x.md) ![i](img.png "t") `[no](code.md)`\n```\n[no](block.md)\n```\n[r]: ref.md\n<a href="h.md">'), [
    'x.md',
    'img.png',
    'ref.md',
    'h.md',
  ])
})

test('every relative link in the shipped Markdown resolves', { skip: process.platform === 'win32' && 'runs npm pack and git, which the Wine test run does not have (the Markdown is the same everywhere)' }, () => {
  const shipped = shippedFiles()
  const tracked = trackedFiles()
  const markdown = shipped.filter((f) => f.endsWith('.md'))
  for (const required of ['README.md', 'COMPATIBILITY.md', 'testing/README.md']) assert.ok(markdown.includes(required), `${required} is shipped`)

  const broken = []
  for (const file of markdown) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8')
    for (const target of linkTargets(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue // absolute URL, mailto:
      const [rawPath, anchor] = target.split('#')
      const resolved = rawPath ? path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(rawPath))).replace(/\/$/, '') : file
      const inTarball = shipped.some((f) => f === resolved || f.startsWith(`${resolved}/`))
      const inRepository = tracked ? [...tracked].some((f) => f === resolved || f.startsWith(`${resolved}/`)) : fs.existsSync(path.join(ROOT, resolved))
      if (resolved.startsWith('..') || !(inTarball || inRepository)) {
        broken.push(`${file}: ${target} (no ${resolved} in the tarball or the repository)`)
        continue
      }
      if (anchor && resolved.endsWith('.md') && !headingAnchors(fs.readFileSync(path.join(ROOT, resolved), 'utf8')).has(anchor)) {
        broken.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`)
      }
    }
  }
  assert.deepEqual(broken, [])
})
