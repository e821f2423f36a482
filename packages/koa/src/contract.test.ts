import type { SessionOptions } from '@tessera/core'
import { type ContractData, contractRoute, describeHttpBindingContract } from '@tessera/testing/http'
import Koa from 'koa'
import { tessera } from './index.js'

/** The contract app: the middleware, then every contract route by `ctx.path`. */
const makeApp = (options: SessionOptions, deps: Parameters<typeof tessera>[1]) => {
  const app = new Koa().use(tessera<ContractData>(options, deps))
  app.use(async (ctx) => {
    const route = contractRoute(ctx.method, ctx.path)
    if (route === undefined) {
      ctx.status = 404
      return
    }
    const result = await route(ctx.session, new URLSearchParams(ctx.querystring))
    if (result.appCookie !== undefined) ctx.append('Set-Cookie', result.appCookie)
    ctx.status = result.status ?? 200
    ctx.body = result.json ?? result.text ?? ''
  })
  return app.callback()
}

describeHttpBindingContract('koa', makeApp)
