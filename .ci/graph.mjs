// The workspace's package graph, read from its package.json files:
// 1. no cycle through dependencies, devDependencies, optionalDependencies or
//    peerDependencies (turbo orders `^build` by them; a cycle makes the order
//    arbitrary or the build serial);
//    and no tsconfig.json references a project its package.json does not name;
// 2. every package declares what its files import: a published package's code
//    (src/, bin/) only what its dependencies, peerDependencies or
//    optionalDependencies name; its tests, and private packages, may also use
//    its devDependencies and the root's (the shared toolchain: vitest, fast-check …).
// Usage: node .ci/graph.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))
const rootManifest = readJson(join(root, 'package.json'))

/** Workspace directories from the root's `workspaces` (entries are a directory or `dir/*`). */
const workspaceDirs = rootManifest.workspaces.flatMap((entry) => {
  if (!entry.endsWith('/*')) return [join(root, entry)]
  const parent = join(root, entry.slice(0, -2))
  return readdirSync(parent)
    .map((name) => join(parent, name))
    .filter((dir) => {
      try {
        return statSync(join(dir, 'package.json')).isFile()
      } catch {
        return false
      }
    })
})

const fields = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']
const runtimeFields = ['dependencies', 'optionalDependencies', 'peerDependencies']
const packages = workspaceDirs.map((dir) => {
  const manifest = readJson(join(dir, 'package.json'))
  const names = (which) => new Set(which.flatMap((f) => Object.keys(manifest[f] ?? {})))
  return { dir, manifest, name: manifest.name, all: names(fields), runtime: names(runtimeFields) }
})
const byName = new Map(packages.map((p) => [p.name, p]))
const problems = []

// 1. Cycles: a depth-first search that reports each cycle by its path.
const state = new Map() // name → 'open' | 'done'
const visit = (name, path) => {
  if (state.get(name) === 'done') return
  if (state.get(name) === 'open') {
    problems.push(`cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`)
    return
  }
  state.set(name, 'open')
  for (const dep of byName.get(name).all) if (byName.has(dep)) visit(dep, [...path, name])
  state.set(name, 'done')
}
for (const p of packages) visit(p.name, [])

// A project reference that is not a package dependency would let a package's `tsc -b`
// build that project while turbo builds it too: two writers of one dist/.
for (const p of packages) {
  let tsconfig
  try {
    tsconfig = readJson(join(p.dir, 'tsconfig.json'))
  } catch {
    continue
  }
  for (const { path } of tsconfig.references ?? []) {
    const referenced = packages.find((q) => q.dir === join(p.dir, path))
    if (referenced !== undefined && !p.all.has(referenced.name))
      problems.push(`${p.name}: tsconfig.json references ${referenced.name}, which its package.json does not name`)
  }
}

// 2. Imports against declarations.
const builtins = new Set(builtinModules)
const importPattern =
  /(?:^\s*import\s[^'"]*?from\s*|^\s*export\s[^'"]*?from\s*|^\s*}\s*from\s*|^\s*import\s*|\bimport\(\s*|\brequire\(\s*)['"]([^'"./][^'"]*)['"]/gm
const packageOf = (specifier) => {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}
const sourceFiles = function* (dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'out', '.turbo', 'test-output', 'reports', 'fixtures'].includes(entry.name)) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* sourceFiles(path)
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path
  }
}
const rootTools = new Set(Object.keys(rootManifest.devDependencies ?? {}))
// Imports a published file makes only in a source checkout, from a devDependency.
const sourceCheckoutOnly = new Map([['packages/store-postgres/bin/tessera-pg.js', new Set(['tsx'])]])
for (const p of packages) {
  const published = p.manifest.private !== true
  for (const file of sourceFiles(p.dir)) {
    const rel = relative(p.dir, file)
    const isCode = published && /^(src|bin)\//.test(rel) && !/\.test\.[cm]?[jt]s$/.test(rel)
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(importPattern)) {
      const specifier = match[1]
      if (specifier.startsWith('node:') || specifier.startsWith('#') || builtins.has(specifier)) continue
      const dep = packageOf(specifier)
      if (dep === p.name) continue
      const devOnly = sourceCheckoutOnly.get(relative(root, file))?.has(dep) === true && p.all.has(dep)
      const declared = isCode ? p.runtime.has(dep) || devOnly : p.all.has(dep) || rootTools.has(dep)
      if (!declared) {
        const where = isCode ? 'dependencies or peerDependencies' : 'its package.json'
        problems.push(`${p.name}: ${relative(root, file)} imports ${specifier}, not declared in ${where}`)
      }
    }
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log(`graph: ${packages.length} workspace packages, no cycle, every import declared`)
