/**
 * docs/architecture.md names every source file of core and of the HTTP edge
 * in its module tables, and nothing that is not there: the tables move with
 * the code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8')

/** The `*.ts` names in the first column of the table under `heading`. */
const tableModules = (heading: string): string[] => {
  const section = doc.split(`## ${heading}`)[1]?.split('\n## ')[0] ?? ''
  const rows = section.split('\n').filter((l) => l.startsWith('| `'))
  return rows
    .flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([\w/-]+\.ts)`/g)].map((m) => m[1] ?? ''))
    .sort()
}

/** The source files under `dir`, as paths relative to it (`wire/header.ts`). */
const sources = (dir: string, prefix = ''): string[] =>
  readdirSync(join(root, dir, prefix))
    .flatMap((f) =>
      statSync(join(root, dir, prefix, f)).isDirectory()
        ? sources(dir, `${prefix}${f}/`)
        : f.endsWith('.ts') && !f.endsWith('.test.ts')
          ? [`${prefix}${f}`]
          : [],
    )
    .sort()

describe('docs/architecture.md', () => {
  it('lists every module of @tessera/core, and only those', () => {
    expect(tableModules('The pieces of `@tessera/core`')).toEqual(sources('packages/core/src'))
  })

  it('lists every module of @tessera/http, and only those', () => {
    expect(tableModules('The pieces of `@tessera/http`')).toEqual(sources('packages/http/src'))
  })
})
