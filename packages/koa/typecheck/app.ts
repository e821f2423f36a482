// An app that registers its session data type: `ctx.session` is typed in middleware
// that is not chained after tessera(). Checked by typed.test.ts with tsc (a program
// of its own, so the registration stays here).
import { tessera } from '@tessera/koa'
import Koa from 'koa'

declare module '@tessera/koa' {
  interface SessionTypes {
    data: { user: string; visits: number }
  }
}

const app = new Koa()
app.use(tessera({ secret: 'Tz6Gw1Ko8Bv3Xn5Rq9Hd2Lm7Fc4Sj0Ua' }))

app.use(async (ctx) => {
  const user: string | undefined = await ctx.session.get('user')
  await ctx.session.set('visits', ((await ctx.session.get('visits')) ?? 0) + 1)
  // @ts-expect-error a key the data type does not have
  await ctx.session.get('cart')
  // @ts-expect-error a value of the wrong type
  await ctx.session.set('visits', 'one')
  ctx.body = user ?? 'stranger'
})
