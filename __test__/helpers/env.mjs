// Per-test environment: a private XDG_CONFIG_HOME and the Calibre variables, restored after.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const KEYS = ['CALIBRE_API_TOKEN', 'CALIBRE_HOST', 'CALIBRE_APP_HOST', 'XDG_CONFIG_HOME', 'HOME']

export function isolatedEnv(vars = {}) {
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calibre-native-test-'))
  for (const k of KEYS) delete process.env[k]
  process.env.HOME = dir
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

export function writeConfig(configPath, text) {
  fs.mkdirSync(path.dirname(configPath), { recursive: true, mode: 0o700 })
  fs.writeFileSync(configPath, text, { mode: 0o600 })
}
