// Per-test environment: a private home and XDG_CONFIG_HOME and the Calibre variables, restored
// after; and the environment of child processes.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** The variable Node's `os.homedir()` (and so calibre@7's configstore) reads the home from. */
export const HOME_VAR = process.platform === 'win32' ? 'USERPROFILE' : 'HOME'

const KEYS = [
  'CALIBRE_API_TOKEN', 'CALIBRE_API_TOKEN_FILE', 'CALIBRE_TOKEN_COMMAND', 'CALIBRE_TOKEN_COMMAND_TIMEOUT_MS',
  'CALIBRE_PROFILE', 'CALIBRE_HOST', 'CALIBRE_APP_HOST', 'XDG_CONFIG_HOME', 'HOME', 'USERPROFILE',
]

export function isolatedEnv(vars = {}) {
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]))
  // A space in every path, as in many Windows profile folders ("C:\\Users\\Jane Doe").
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native test-'))
  for (const k of KEYS) delete process.env[k]
  process.env[HOME_VAR] = dir
  process.env.XDG_CONFIG_HOME = path.join(dir, 'xdg')
  Object.assign(process.env, vars)
  return {
    dir,
    configPath: path.join(dir, 'xdg', 'configstore', 'calibre.json'),
    restore() {
      for (const k of KEYS) {
        if (saved[k] === undefined) delete process.env[k]
        else process.env[k] = saved[k]
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

// What a child needs beyond PATH and its home: Windows' own variables (Node and its DNS,
// crypto and temp folder use them), and what the Windows test run sets for every node.exe
// (scripts/test-windows.sh: where the addon is, and its preload).
const RUN_VARIABLES = ['NAPI_RS_NATIVE_LIBRARY_PATH', 'NODE_OPTIONS']
const PASSED_ON = process.platform === 'win32'
  ? ['SystemRoot', 'SystemDrive', 'TEMP', 'TMP', ...RUN_VARIABLES]
  : RUN_VARIABLES

/** A minimal environment for a child process whose home folder is `home`. */
export function childEnv(home) {
  const env = { PATH: process.env.PATH, [HOME_VAR]: home }
  for (const name of PASSED_ON) {
    if (process.env[name] !== undefined) env[name] = process.env[name]
  }
  return env
}

export function writeConfig(configPath, text) {
  fs.mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 })
  fs.writeFileSync(configPath, text, { mode: 0o600 })
}
