// The completion scripts in the real shells: each parses (`bash -n`, `zsh -n`, `fish --no-execute`),
// and a completion is actually offered after a TAB. zsh and fish come from Debian's `zsh` and `fish`
// packages (.ci/run installs them); a shell that is not installed is skipped, saying so.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { childEnv } from './helpers/env.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = path.join(root, 'bin', 'calibre-native.js')
let dir

before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-completions-')) })
after(() => fs.rmSync(dir, { recursive: true, force: true }))

/** Why `shell` cannot be used here, or false. */
function missing(shell) {
  if (process.platform === 'win32') return 'completion scripts are for Unix shells'
  try {
    execFileSync(shell, ['-c', 'true'], { stdio: 'ignore' })
    return false
  } catch {
    return `${shell} is not installed (Debian package \`${shell}\`; .ci/run installs it)`
  }
}

/** The script for `shell`, written to a file. */
function script(shell) {
  const file = path.join(dir, `calibre-native.${shell}`)
  fs.writeFileSync(file, execFileSync(process.execPath, [bin, 'completions', shell], { env: childEnv(dir), encoding: 'utf8' }))
  return file
}

const run = (shell, args) => execFileSync(shell, args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, TERM: 'dumb' }, timeout: 30000 })

test('bash: the script parses and completes subcommands, flags and their values', { skip: missing('bash') }, () => {
  const file = script('bash')
  run('bash', ['-n', file])
  const complete = (line) => run('bash', ['-c', `source '${file}'; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _calibre__native calibre-native "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"; echo "\${COMPREPLY[@]}"`]).trim()
  assert.equal(complete('calibre-native synthetic cre'), 'create-page create-snapshot create-test-profile create-pull-request-review')
  assert.equal(complete("calibre-native crux summary --formFactor ''"), 'desktop phone tablet')
})

test('zsh: `zsh -n` accepts the script, and TAB completes in an interactive zsh', { skip: missing('zsh') }, () => {
  const file = script('zsh')
  run('zsh', ['-n', file])
  // An interactive zsh on a pseudo-terminal (zsh/zpty): compinit, the script, then a line and TAB.
  const driver = path.join(dir, 'tab.zsh')
  fs.writeFileSync(driver, [
    'zmodload zsh/zpty',
    "zpty z 'zsh -f -i'",
    'zpty -w z "PS1=\'> \'; autoload -U compinit; compinit -u -D; source ${(q)1}; print READY"',
    "zpty -r z line '*READY*'",
    'zpty -w -n z "$2"$\'\\t\'',
    'sleep 1',
    'local all= chunk',
    'while zpty -r -t z chunk; do all+=$chunk; done',
    'print -r -- "$all"',
    'zpty -d z',
  ].join('\n'))
  const tab = (line) => run('zsh', ['-f', driver, file, line]).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
  assert.match(tab('calibre-native synthetic pa'), /calibre-native synthetic pages/, 'the only match is inserted')
  assert.match(tab('calibre-native crux summary --formFactor '), /desktop +phone +tablet/, 'the choices are listed')
})

test('fish: `fish --no-execute` accepts the script, and `complete -C` offers completions', { skip: missing('fish') }, () => {
  const file = script('fish')
  run('fish', ['--no-execute', file])
  const complete = (line) => run('fish', ['-c', `source '${file}'; complete -C '${line}'`]).trim().split('\n').map((l) => l.split('\t')[0])
  assert.deepEqual(complete('calibre-native synthetic pa'), ['pages'])
  assert.deepEqual(complete('calibre-native crux summary --formFactor '), ['desktop', 'phone', 'tablet'])
  assert.ok(complete('calibre-native ').includes('synthetic'))
  assert.ok(!complete('calibre-native site ').includes('create-deploy'), 'deprecated names are not offered')
})
