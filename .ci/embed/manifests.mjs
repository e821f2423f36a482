// What the published packages promise their users, read from the packed tarballs:
// @tessera/testing is nobody's runtime dependency (nor @tessera/test-kit, but for
// @tessera/testing's, which re-exports it), runtime dependencies take
// caret ranges (the lockfile pins exactly), and no tarball carries anything
// but built code, declarations, the CLI, the known-answer fixtures and docs.
// Usage: node manifests.mjs <directory of tessera-*.tgz>
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2]
const problems = []
const runtime = ['dependencies', 'peerDependencies', 'optionalDependencies']
const allowed =
  /^package\/(dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|bin\/[\w-]+\.js|fixtures\/[\w.-]+\.json|package\.json|README\.md|LICENSE)$/
// Key material or credentials in any form a file could hold them.
const secretLike = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bsecret\s*[:=]\s*['"][^'"]{16,}['"]/i,
  /\b(password|token)\s*[:=]\s*['"][^'"]{8,}['"]/i,
]

for (const tgz of readdirSync(dir).filter((f) => /^tessera-.*\.tgz$/.test(f))) {
  const file = join(dir, tgz)
  const pkg = JSON.parse(execFileSync('tar', ['-xOzf', file, 'package/package.json'], { encoding: 'utf8' }))
  for (const field of runtime) {
    for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
      if (dep === '@tessera/testing') problems.push(`${pkg.name}: @tessera/testing in ${field}`)
      if (dep === '@tessera/test-kit' && pkg.name !== '@tessera/testing')
        problems.push(`${pkg.name}: @tessera/test-kit in ${field}`)
      if (!/^\^\d+\.\d+\.\d+$/.test(range)) problems.push(`${pkg.name}: ${field}.${dep} is ${range}, not a caret range`)
    }
  }
  const entries = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n')
  for (const entry of entries) {
    if (!allowed.test(entry)) problems.push(`${pkg.name}: ships ${entry.replace(/^package\//, '')}`)
    else if (!/\.map$/.test(entry)) {
      const text = execFileSync('tar', ['-xOzf', file, entry], { encoding: 'utf8', maxBuffer: 1 << 26 })
      const hit = secretLike.find((re) => re.test(text))
      if (hit) problems.push(`${pkg.name}: ${entry.replace(/^package\//, '')} holds ${text.match(hit)[0]}`)
    }
  }
  console.log(`manifest: ${pkg.name} (${entries.length} files) checked`)
}
if (problems.length > 0) {
  console.error(problems.join('\n'))
  process.exit(1)
}
