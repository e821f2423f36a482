// A small Express 5 app on Redis, written as an app that installed Tessera from npm would be.
import { randomBytes } from 'node:crypto'
import { tessera } from '@tessera/express'
import { createRedisStore } from '@tessera/store-redis'
import express from 'express'

// The app's session data, registered once: `req.session` is typed in every route.
declare module '@tessera/express' {
  interface SessionTypes {
    data: { user: string }
  }
}

export const expressApp = (redisUrl: string, prefix: string) => {
  const store = createRedisStore({ url: redisUrl, prefix })
  const app = express()
  app.use(tessera({ secret: randomBytes(32), storeMetadata: true }, { store }))
  app.post('/login', async (req, res) => {
    await req.session.set('user', 'alice')
    await req.session.setSubject('alice')
    await req.session.regenerate()
    res.send('welcome')
  })
  app.get('/me', async (req, res) => {
    res.json({ user: (await req.session.get('user')) ?? null })
  })
  app.post('/logout', async (req, res) => {
    await req.session.destroy()
    res.send('bye')
  })
  return { app, close: () => store.close() }
}
