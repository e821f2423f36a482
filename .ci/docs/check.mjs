// Type-checks every ```ts block of README.md, docs/*.md and the packages' READMEs
// under strict TypeScript, each block as a module of its own (so a block names
// everything it uses). Errors point at the Markdown line.
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const out = join(root, 'test-output/doc-blocks')
const markdown = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(root, 'packages')).map((p) => `packages/${p}/README.md`),
].filter((f) => {
  try {
    return readFileSync(join(root, f)) !== undefined
  } catch {
    return false
  }
})

rmSync(out, { recursive: true, force: true })
/** block file name → [markdown file, line of the block's first code line] */
const origin = new Map()
/** Blocks share one program, but one that augments a module (`declare module`) gets its own. */
const programs = new Map([['shared', []]])
for (const file of markdown) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i])) continue
    const start = i + 1
    let end = start
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++
    const name = `${file.replaceAll('/', '_')}_${start + 1}.ts`
    const code = lines.slice(start, end).join('\n')
    const program = /^declare module /m.test(code) ? name.replace(/\.ts$/, '') : 'shared'
    if (!programs.has(program)) programs.set(program, [])
    programs.get(program).push([name, code])
    origin.set(name, [file, start + 1])
    i = end
  }
}

const compilerOptions = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  customConditions: ['@tessera/source'],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
}
const tsc = join(root, 'node_modules/.bin/tsc')
const checks = [...programs].map(([program, blocks]) => {
  const dir = join(out, program)
  mkdirSync(dir, { recursive: true })
  for (const [name, code] of blocks) writeFileSync(join(dir, name), `${code}\nexport {}\n`)
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }))
  return new Promise((resolve) => {
    execFile(tsc, ['-p', dir, '--pretty', 'false'], { encoding: 'utf8' }, (error, stdout) => {
      if (error === null) return resolve(true)
      const report = stdout.replace(/^(?:.*\/)?([\w.-]+\.ts)\((\d+),(\d+)\)/gm, (all, name, line, col) => {
        const o = origin.get(name)
        return o === undefined ? all : `${o[0]}:${o[1] + Number(line) - 1}:${col}`
      })
      console.error(report.trimEnd() || String(error))
      resolve(false)
    })
  })
})
const failed = (await Promise.all(checks)).includes(false)
if (failed) process.exit(1)
console.log(`doc blocks: ${origin.size} TypeScript blocks in ${markdown.length} files type-check`)
