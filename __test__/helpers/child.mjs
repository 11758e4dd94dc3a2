// Child processes for the suites that run the CLI or a script as a user would: asynchronous (the
// servers under test answer from the test's own process), with a time limit.
import { spawn, execFileSync } from 'node:child_process'

/** Runs `program` with `args`; resolves to its exit code and what it printed. */
export function runChild(program, args, { env, cwd, input = '', timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, cwd })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    child.stdin.end(input)
    const timer = setTimeout(() => { child.kill(); reject(new Error(`timed out: ${args.join(' ')}`)) }, timeoutMs)
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

/** Why commands cannot be run on a pseudo-terminal here (no util-linux `script`), or false. */
export const noTerminal = (() => {
  try {
    execFileSync('script', ['-qec', 'true', '/dev/null'], { stdio: 'ignore' })
    return false
  } catch {
    return 'util-linux `script` is not installed: no pseudo-terminal to run the command on'
  }
})()

/** The arguments of `script` that run `command` (program and arguments) on a pseudo-terminal. */
export function onTerminalArgs(command) {
  return ['-qec', command.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' '), '/dev/null']
}
