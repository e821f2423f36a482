#!/usr/bin/env bash
# Installs every package from its `npm pack` tarball into a scratch app outside
# the workspace, type-checks that app (ESM and CommonJS) and runs a small
# Express and a small Koa app in it against Redis (TESSERA_REDIS_URL, default
# redis://127.0.0.1:6379). Nothing is built on the app's side.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# `npm pack` builds each package first (its prepack script).
npm pack --silent --workspace "$root/packages" --pack-destination "$scratch" >/dev/null
node "$root/.ci/embed/manifests.mjs" "$scratch"

# Types as each kind of consumer resolves them. attw's own TypeScript predates
# require() of ES modules (Node 20.19+, TypeScript 5.8+ with module nodenext),
# so its "CommonJS resolves to ESM" warning is left to require.cts below, which
# tsc checks and Node runs.
for tgz in "$scratch"/tessera-*.tgz; do
  out="$("$root/node_modules/.bin/attw" --profile node16 --ignore-rules cjs-resolves-to-esm --no-color "$tgz" 2>&1)" \
    || { echo "$out"; exit 1; }
  echo "attw: $(basename "$tgz") ok"
done

# The same versions the workspace is tested with, so npm's cache answers.
version() { node -p "require('$root/node_modules/$1/package.json').version"; }
mkdir "$scratch/app"
cp "$(dirname "$0")"/*.ts "$(dirname "$0")"/*.cts "$(dirname "$0")/tsconfig.json" "$scratch/app/"
cd "$scratch/app"
node - "$scratch" <<JS
const { readdirSync, writeFileSync } = require('node:fs')
const dependencies = {}
for (const tgz of readdirSync(process.argv[2]).filter((f) => f.endsWith('.tgz'))) {
  dependencies['@tessera/' + tgz.replace(/^tessera-(.*)-\d+\.\d+\.\d+\.tgz$/, '\$1')] = 'file:../' + tgz
}
delete dependencies['@tessera/testing'] // dev dependencies of an app, not needed here
delete dependencies['@tessera/test-kit']
Object.assign(dependencies, {
  express: '$(version express)', koa: '$(version koa)', ioredis: '$(version ioredis)',
  typescript: '$(version typescript)', '@types/express': '$(version @types/express)',
  '@types/koa': '$(version @types/koa)', '@types/node': '$(version @types/node)',
})
writeFileSync('package.json', JSON.stringify({ name: 'embed-check', private: true, type: 'module', dependencies }, null, 2))
JS
npm install --no-audit --no-fund --prefer-offline --loglevel=error
npx tsc -p .
node out/require.cjs
node out/check.js
