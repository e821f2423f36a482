// The servers under test, one request listener per kind. Each route does the
// same thing in every contender's idiom (see SERVERS in common.ts).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tessera as tesseraExpress } from '@tessera/express'
import { tessera as tesseraKoa } from '@tessera/koa'
import { createMemoryStore } from '@tessera/store-memory'
import { createRedisStore } from '@tessera/store-redis'
import RedisStore from 'connect-redis'
import express, { type Response } from 'express'
import session from 'express-session'
import { Redis } from 'ioredis'
import { getIronSession } from 'iron-session'
import Koa, { type Context } from 'koa'
import koaSession from 'koa-session'
import { createFloor, pooledRandom } from '../floor.js'
import {
  cookieValue,
  type Data,
  IRON_PASSWORD,
  LOGIN_DATA,
  PLAIN_COOKIE,
  REDIS_URL,
  redisPrefix,
  SECRET,
  SESSION_COOKIE,
  type ServerKind,
} from './common.js'

export interface Stats {
  served: number
  fresh: number
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void

const KEYS = Object.keys(LOGIN_DATA) as (keyof Data & string)[]
const TESSERA_OPTIONS = { secret: SECRET, cookie: { name: SESSION_COOKIE } }
/** Tessera's default attributes for this cookie, so the floor's Set-Cookie line is byte for byte the same. */
const ATTRIBUTES = '; Path=/; SameSite=Lax; HttpOnly'

/** The floor as the smallest possible middleware: decode on the way in, encode (new SID) on save. */
const floorCodec = () => {
  const floor = createFloor(SECRET, ATTRIBUTES, { name: SESSION_COOKIE })
  const random = pooledRandom()
  const now = (): number => Math.floor(Date.now() / 1000)
  return {
    open: (cookieHeader: string | undefined): Partial<Data> | undefined => {
      const value = cookieValue(cookieHeader, SESSION_COOKIE)
      if (value === undefined) return undefined
      try {
        return floor.decode(value, now()) as Partial<Data>
      } catch {
        return undefined
      }
    },
    seal: (data: Partial<Data>): string => floor.encode(data, random.bytes(32), now()),
  }
}

export const buildListener = (kind: ServerKind, stats: Stats): Listener => {
  /** The counter read, as the body; a request without a usable session is counted. */
  const counted = (n: unknown): string => {
    if (typeof n === 'number') return String(n)
    stats.fresh++
    return 'fresh'
  }
  const served = (): void => {
    stats.served++
  }

  switch (kind) {
    case 'express-bare': {
      // A counter in a plain cookie: Express's own res.cookie, no crypto, no session.
      const app = express()
      app.get('/login', (_req, res) => {
        res.cookie(PLAIN_COOKIE, '0', { httpOnly: true })
        res.send('ok')
      })
      app.get('/count', (req, res) => {
        served()
        const v = cookieValue(req.headers.cookie, PLAIN_COOKIE)
        const n = v === undefined ? undefined : Number(v)
        res.cookie(PLAIN_COOKIE, String((n ?? 0) + 1), { httpOnly: true })
        res.send(counted(n))
      })
      app.get('/read', (req, res) => {
        served()
        const v = cookieValue(req.headers.cookie, PLAIN_COOKIE)
        res.send(counted(v === undefined ? undefined : Number(v)))
      })
      app.get('/plain', (_req, res) => {
        served()
        res.send('hello')
      })
      return app
    }

    case 'express-tessera-cookie':
    case 'express-tessera-memory':
    case 'express-tessera-redis': {
      const store =
        kind === 'express-tessera-memory'
          ? createMemoryStore()
          : kind === 'express-tessera-redis'
            ? createRedisStore({ url: REDIS_URL, prefix: redisPrefix(kind) })
            : undefined
      const sessions = tesseraExpress<Data>(TESSERA_OPTIONS, store === undefined ? {} : { store })
      // On Redis the session is bound to a subject, so every save also moves
      // its entries in the subject's indexes (audience and any).
      const withSubject = kind === 'express-tessera-redis'
      let logins = 0
      const app = express()
      app.use(sessions)
      app.get('/login', async (req, res) => {
        const s = sessions.of(req)
        for (const k of KEYS) await s.set(k, LOGIN_DATA[k])
        if (withSubject) await s.setSubject(`user-${logins++}`)
        await s.regenerate()
        res.send('ok')
      })
      app.get('/count', async (req, res) => {
        served()
        const s = sessions.of(req)
        const n = await s.get('count')
        await s.set('count', (n ?? 0) + 1)
        await s.save()
        res.send(counted(n))
      })
      app.get('/read', async (req, res) => {
        served()
        res.send(counted(await sessions.of(req).get('count')))
      })
      app.get('/plain', (_req, res) => {
        served()
        res.send('hello')
      })
      return app
    }

    case 'express-floor': {
      const floor = floorCodec()
      const app = express()
      const sessionOf = (res: Response): Partial<Data> | undefined => res.locals.session as Partial<Data> | undefined
      app.use((req, res, next) => {
        res.locals.session = floor.open(req.headers.cookie)
        next()
      })
      app.get('/login', (_req, res) => {
        res.setHeader('Set-Cookie', floor.seal({ ...LOGIN_DATA }))
        res.send('ok')
      })
      app.get('/count', (_req, res) => {
        served()
        const data = sessionOf(res) ?? {}
        const n = data.count
        data.count = (n ?? 0) + 1
        res.setHeader('Set-Cookie', floor.seal(data))
        res.send(counted(n))
      })
      app.get('/read', (_req, res) => {
        served()
        res.send(counted(sessionOf(res)?.count))
      })
      return app
    }

    case 'express-session':
    case 'express-session-redis': {
      const store =
        kind === 'express-session'
          ? new session.MemoryStore()
          : // connect-redis as its README sets it up: a default ioredis client.
            new RedisStore({ client: new Redis(REDIS_URL), prefix: `${redisPrefix(kind)}:` })
      const app = express()
      app.use(session({ secret: SECRET, resave: false, saveUninitialized: false, store }))
      const data = (req: express.Request): Partial<Data> => req.session as unknown as Partial<Data>
      app.get('/login', (req, res) => {
        Object.assign(req.session, LOGIN_DATA)
        res.send('ok')
      })
      app.get('/count', (req, res) => {
        served()
        const s = data(req)
        const n = s.count
        s.count = (n ?? 0) + 1
        res.send(counted(n))
      })
      app.get('/read', (req, res) => {
        served()
        res.send(counted(data(req).count))
      })
      return app
    }

    case 'express-iron': {
      const options = { password: IRON_PASSWORD, cookieName: 'iron', cookieOptions: { secure: false } }
      const app = express()
      app.get('/login', async (req, res) => {
        const s = await getIronSession<Partial<Data>>(req, res, options)
        Object.assign(s, LOGIN_DATA)
        await s.save()
        res.send('ok')
      })
      app.get('/count', async (req, res) => {
        served()
        const s = await getIronSession<Partial<Data>>(req, res, options)
        const n = s.count
        s.count = (n ?? 0) + 1
        await s.save()
        res.send(counted(n))
      })
      app.get('/read', async (req, res) => {
        served()
        res.send(counted((await getIronSession<Partial<Data>>(req, res, options)).count))
      })
      return app
    }

    case 'koa-bare': {
      // A counter in a plain cookie through Koa's own ctx.cookies, no signing, no session.
      const app = new Koa()
      app.use((ctx) => {
        const read = (): number | undefined => {
          const v = ctx.cookies.get(PLAIN_COOKIE)
          return v === undefined ? undefined : Number(v)
        }
        switch (ctx.path) {
          case '/login':
            ctx.cookies.set(PLAIN_COOKIE, '0', { httpOnly: true })
            ctx.body = 'ok'
            return
          case '/count': {
            served()
            const n = read()
            ctx.cookies.set(PLAIN_COOKIE, String((n ?? 0) + 1), { httpOnly: true })
            ctx.body = counted(n)
            return
          }
          case '/read':
            served()
            ctx.body = counted(read())
            return
          case '/plain':
            served()
            ctx.body = 'hello'
            return
        }
      })
      return app.callback()
    }

    case 'koa-tessera-cookie':
    case 'koa-tessera-memory': {
      const app = new Koa().use(
        tesseraKoa<Data>(TESSERA_OPTIONS, kind === 'koa-tessera-memory' ? { store: createMemoryStore() } : {}),
      )
      app.use(async (ctx) => {
        const s = ctx.session
        switch (ctx.path) {
          case '/login':
            for (const k of KEYS) await s.set(k, LOGIN_DATA[k])
            await s.regenerate()
            ctx.body = 'ok'
            return
          case '/count': {
            served()
            const n = await s.get('count')
            await s.set('count', (n ?? 0) + 1)
            await s.save()
            ctx.body = counted(n)
            return
          }
          case '/read':
            served()
            ctx.body = counted(await s.get('count'))
            return
          case '/plain':
            served()
            ctx.body = 'hello'
            return
        }
      })
      return app.callback()
    }

    case 'koa-floor': {
      const floor = floorCodec()
      const app = new Koa()
      app.use(async (ctx, next) => {
        ctx.state.session = floor.open(ctx.get('cookie') || undefined)
        await next()
      })
      app.use((ctx) => {
        const data = ctx.state.session as Partial<Data> | undefined
        switch (ctx.path) {
          case '/login':
            ctx.set('Set-Cookie', floor.seal({ ...LOGIN_DATA }))
            ctx.body = 'ok'
            return
          case '/count': {
            served()
            const s = data ?? {}
            const n = s.count
            s.count = (n ?? 0) + 1
            ctx.set('Set-Cookie', floor.seal(s))
            ctx.body = counted(n)
            return
          }
          case '/read':
            served()
            ctx.body = counted(data?.count)
            return
        }
      })
      return app.callback()
    }

    case 'koa-session': {
      // Defaults: the data itself in a base64 JSON cookie, signed (koa.sess.sig), not encrypted.
      const app = new Koa()
      app.keys = [SECRET]
      app.use(koaSession({ key: 'koa.sess' }, app))
      const data = (ctx: Context): Partial<Data> => (ctx as unknown as { session: Partial<Data> }).session
      app.use((ctx) => {
        switch (ctx.path) {
          case '/login':
            Object.assign(data(ctx), LOGIN_DATA)
            ctx.body = 'ok'
            return
          case '/count': {
            served()
            const s = data(ctx)
            const n = s.count
            s.count = (n ?? 0) + 1
            ctx.body = counted(n)
            return
          }
          case '/read':
            served()
            ctx.body = counted(data(ctx).count)
            return
        }
      })
      return app.callback()
    }
  }
}
