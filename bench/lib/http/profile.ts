// Where a server's CPU went: self and total time per function over the
// profiled measurement windows (V8 .cpuprofile files, merged).
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface HotSpot {
  readonly fn: string
  readonly where: string
  /** µs of CPU in the function itself, per request. */
  readonly selfUs: number
  readonly selfPct: number
  /** µs of CPU in the function and what it called, per request (recursion counted once). */
  readonly totalUs: number
  readonly totalPct: number
}

const IDLE = new Set(['(idle)', '(program)'])

/** A name for a function from its source line: `const open = async (…) =>` -> open. */
const nameFrom = (line: string): string | undefined => {
  const m =
    /(?:function\*?\s+|const\s+|let\s+|var\s+|class\s+)([A-Za-z_$][\w$]*)/.exec(line) ??
    /^\s*(?:async\s+|get\s+|set\s+|static\s+)*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\(/.exec(line) ??
    /([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s*)?(?:\(|[A-Za-z_$][\w$]*\s*=>)/.exec(line)
  return m?.[1]
}

/** Resolves positions in tsx-compiled code to the .ts source through the inline source maps the server kept. */
const resolver = (mapsFile: string) => {
  const maps = existsSync(mapsFile) ? (JSON.parse(readFileSync(mapsFile, 'utf8')) as Record<string, string>) : {}
  const cache = new Map<string, { map: SourceMap; lines: (source: string) => string[] } | undefined>()
  const load = (url: string) => {
    if (cache.has(url)) return cache.get(url)
    const data = maps[url]
    let entry: { map: SourceMap; lines: (source: string) => string[] } | undefined
    if (data !== undefined) {
      const payload = JSON.parse(Buffer.from(data.slice(data.indexOf(',') + 1), 'base64').toString()) as {
        sources: string[]
        sourcesContent?: (string | null)[]
      }
      const text = new Map<string, string[]>()
      entry = {
        map: new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]),
        lines: (source) => {
          let t = text.get(source)
          if (t === undefined) {
            const i = payload.sources.indexOf(source)
            const content =
              payload.sourcesContent?.[i] ??
              (existsSync(fileURLToPath(url)) ? readFileSync(fileURLToPath(url), 'utf8') : '')
            t = content.split('\n')
            text.set(source, t)
          }
          return t
        },
      }
    }
    cache.set(url, entry)
    return entry
  }
  return (f: CallFrame): { fn: string; line: number } | undefined => {
    const e = load(f.url)
    if (e === undefined) return undefined
    const hit = e.map.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string; originalLine?: number }
    if (hit.originalSource === undefined || hit.originalLine === undefined) return undefined
    const text = e.lines(hit.originalSource)[hit.originalLine] ?? ''
    return { fn: nameFrom(text) ?? '(anonymous)', line: hit.originalLine + 1 }
  }
}

/** `file:///…/node_modules/express/lib/x.js` -> `express/lib/x.js`; core files keep their package path. */
const shorten = (url: string): string => {
  if (url === '') return ''
  const nm = url.lastIndexOf('node_modules/')
  if (nm !== -1) return url.slice(nm + 13)
  const pk = url.indexOf('/packages/')
  if (pk !== -1) return url.slice(pk + 1)
  return url.replace(/^file:\/\//, '')
}

export interface Breakdown {
  /** CPU the profiler saw busy, µs per request. */
  readonly busyUs: number
  /** The top functions by self time. */
  readonly rows: HotSpot[]
  /** The top functions of this repository's packages (packages/*) by total time. */
  readonly ours: HotSpot[]
  /** Self time per package (or node internals / native), µs per request, largest first. */
  readonly owners: [string, number][]
}

/** Merges the profiles and returns the top `n` functions by self time, the busy CPU and the owners per request. */
export const hotSpots = (files: readonly string[], requests: number, n = 25): Breakdown => {
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  const info = new Map<string, { fn: string; where: string }>()
  let busy = 0
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
    const resolve = resolver(`${file}.maps.json`)
    const byId = new Map(p.nodes.map((node) => [node.id, node]))
    const keys = new Map<number, string>()
    const keyOf = (node: ProfileNode): string => {
      const known = keys.get(node.id)
      if (known !== undefined) return known
      const f = node.callFrame
      const r = f.functionName === '' || f.url.endsWith('.ts') ? resolve(f) : undefined
      const fn = r?.fn ?? (f.functionName || '(anonymous)')
      const line = r?.line ?? f.lineNumber + 1
      const key = `${fn} ${f.url}:${line}`
      if (!info.has(key)) info.set(key, { fn, where: `${shorten(f.url)}:${line}` })
      keys.set(node.id, key)
      return key
    }
    const nodeSelf = new Map<number, number>()
    for (let i = 0; i < p.samples.length; i++) {
      const id = p.samples[i]!
      nodeSelf.set(id, (nodeSelf.get(id) ?? 0) + (p.timeDeltas[i] ?? 0))
    }
    // Depth first from the root: self per node, total per function once per stack.
    const walk = (node: ProfileNode, stack: Set<string>): number => {
      const key = keyOf(node)
      let sum = nodeSelf.get(node.id) ?? 0
      if (!IDLE.has(node.callFrame.functionName)) {
        self.set(key, (self.get(key) ?? 0) + sum)
        busy += sum
      }
      const fresh = !stack.has(key)
      if (fresh) stack.add(key)
      for (const c of node.children ?? []) {
        const child = byId.get(c)
        if (child !== undefined) sum += walk(child, stack)
      }
      if (fresh) {
        stack.delete(key)
        if (!IDLE.has(node.callFrame.functionName) && node.callFrame.functionName !== '(root)')
          total.set(key, (total.get(key) ?? 0) + sum)
      }
      return sum
    }
    const root = p.nodes[0]
    if (root !== undefined) walk(root, new Set())
  }
  const per = (us: number): number => us / Math.max(1, requests)
  const row = (key: string): HotSpot => {
    const us = self.get(key) ?? 0
    return {
      ...(info.get(key) ?? { fn: key, where: '' }),
      selfUs: per(us),
      selfPct: (100 * us) / Math.max(1, busy),
      totalUs: per(total.get(key) ?? us),
      totalPct: (100 * (total.get(key) ?? us)) / Math.max(1, busy),
    }
  }
  const rows = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key]) => row(key))
  const ours = [...total]
    .filter(([key]) => info.get(key)?.where.startsWith('packages/') === true)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key]) => row(key))
  const owners = new Map<string, number>()
  for (const [key, us] of self) {
    const owner = ownerOf(info.get(key)?.where ?? '')
    owners.set(owner, (owners.get(owner) ?? 0) + us)
  }
  return {
    busyUs: per(busy),
    rows,
    ours,
    owners: [...owners].sort((a, b) => b[1] - a[1]).map(([o, us]) => [o, per(us)]),
  }
}

/** The package (or node: internal) a location belongs to, for a coarser breakdown. */
const ownerOf = (where: string): string => {
  if (where.startsWith('node:')) return 'node:internal'
  if (where.startsWith(':') || where === '') return '(native / GC)'
  if (where.startsWith('packages/')) return where.split('/').slice(0, 2).join('/')
  const parts = where.split('/')
  if (parts[0]?.startsWith('@')) return parts.slice(0, 2).join('/')
  return parts[0] === '' || parts[0] === undefined ? '(native)' : parts[0].replace(/:\d+$/, '')
}
