// A small Express 5 app on Redis, written as an app that installed Tessera from npm would be.
import { randomBytes } from 'node:crypto'
import { tessera } from '@tessera/express'
import { createRedisStore } from '@tessera/store-redis'
import express from 'express'

export const expressApp = (redisUrl: string, prefix: string) => {
  const store = createRedisStore({ url: redisUrl, prefix })
  const sessions = tessera<{ user: string }>({ secret: randomBytes(32), storeMetadata: true }, { store })
  const app = express()
  app.use(sessions)
  app.post('/login', async (req, res) => {
    const session = sessions.of(req)
    await session.set('user', 'alice')
    await session.setSubject('alice')
    await session.regenerate()
    res.send('welcome')
  })
  app.get('/me', async (req, res) => {
    res.json({ user: (await sessions.of(req).get('user')) ?? null })
  })
  app.post('/logout', async (req, res) => {
    await sessions.of(req).destroy()
    res.send('bye')
  })
  return { app, close: () => store.close() }
}
