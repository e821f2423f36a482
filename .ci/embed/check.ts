// Drives the two apps over HTTP and looks at what they left in Redis.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { expressApp } from './express-app.js'
import { koaApp } from './koa-app.js'

const redisUrl = process.env.TESSERA_REDIS_URL ?? 'redis://127.0.0.1:6379'
const redis = new Redis(redisUrl)

const keysUnder = (prefix: string) => redis.keys(`${prefix}:*`)

const drive = async (name: string, listener: RequestListener, prefix: string) => {
  const server = createServer(listener).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    const anonymous = await fetch(`${base}/me`)
    assert.deepEqual(await anonymous.json(), { user: null })

    const login = await fetch(`${base}/login`, { method: 'POST' })
    assert.equal(login.status, 200)
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ')
    assert.match(cookie, /^session=/)
    assert.ok((await keysUnder(prefix)).length > 0, `${name}: the session is stored in Redis`)

    const me = await fetch(`${base}/me`, { headers: { cookie } })
    assert.deepEqual(await me.json(), { user: 'alice' })

    const logout = await fetch(`${base}/logout`, { method: 'POST', headers: { cookie } })
    assert.equal(logout.status, 200)
    const after = await fetch(`${base}/me`, { headers: { cookie } })
    assert.deepEqual(await after.json(), { user: null })
    console.log(`${name} on Redis: login, read, logout ok`)
  } finally {
    server.close()
    const left = await keysUnder(prefix)
    if (left.length > 0) await redis.del(...left)
  }
}

const run = async () => {
  const tag = randomBytes(6).toString('hex')
  const e = expressApp(redisUrl, `embed-express-${tag}`)
  const k = koaApp(redisUrl, `embed-koa-${tag}`)
  try {
    await drive('express', e.app, `embed-express-${tag}`)
    await drive('koa', k.app.callback(), `embed-koa-${tag}`)
  } finally {
    await Promise.all([e.close(), k.close()])
    redis.disconnect()
  }
}

await run()
