// An app that registers its session data type: `req.session` is typed in every route.
// Checked by typed.test.ts with tsc (a program of its own, so the registration stays here).
import { tessera } from '@tessera/express'
import express from 'express'

declare module '@tessera/express' {
  interface SessionTypes {
    data: { user: string; visits: number }
  }
}

const app = express().use(tessera({ secret: 'Tz6Gw1Ko8Bv3Xn5Rq9Hd2Lm7Fc4Sj0Ua' }))

app.get('/', async (req, res) => {
  const user: string | undefined = await req.session.get('user')
  await req.session.set('visits', ((await req.session.get('visits')) ?? 0) + 1)
  // @ts-expect-error a key the data type does not have
  await req.session.get('cart')
  // @ts-expect-error a value of the wrong type
  await req.session.set('visits', 'one')
  res.send(user ?? 'stranger')
})
