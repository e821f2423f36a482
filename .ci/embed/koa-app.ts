// A small Koa 3 app on Redis, written as an app that installed Tessera from npm would be.
import { randomBytes } from 'node:crypto'
import { tessera } from '@tessera/koa'
import { createRedisStore } from '@tessera/store-redis'
import Koa from 'koa'

export const koaApp = (redisUrl: string, prefix: string) => {
  const store = createRedisStore({ url: redisUrl, prefix })
  const app = new Koa()
    .use(tessera<{ user: string }>({ secret: randomBytes(32), storeMetadata: true }, { store }))
    .use(async (ctx) => {
      const route = `${ctx.method} ${ctx.path}`
      if (route === 'POST /login') {
        await ctx.session.set('user', 'alice')
        await ctx.session.setSubject('alice')
        await ctx.session.regenerate()
        ctx.body = 'welcome'
      } else if (route === 'GET /me') {
        ctx.body = { user: (await ctx.session.get('user')) ?? null }
      } else if (route === 'POST /logout') {
        await ctx.session.destroy()
        ctx.body = 'bye'
      }
    })
  return { app, close: () => store.close() }
}
