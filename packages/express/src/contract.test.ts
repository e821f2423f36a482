import type { SessionOptions } from '@tessera/core'
import { type ContractData, contractRoute, describeHttpBindingContract } from '@tessera/testing/http'
import express from 'express'
import { tessera } from './index.js'

/** The contract app: the middleware, then every contract route behind one catch-all. */
const makeApp = (options: SessionOptions, deps: Parameters<typeof tessera>[1]) => {
  const sessions = tessera<ContractData>(options, deps)
  const app = express()
  app.use(sessions)
  app.all('/{*path}', async (req, res) => {
    const route = contractRoute(req.method, req.path)
    if (route === undefined) return void res.sendStatus(404)
    const result = await route(sessions.of(req), new URL(req.originalUrl, 'http://x').searchParams)
    if (result.appCookie !== undefined) res.append('Set-Cookie', result.appCookie)
    res.status(result.status ?? 200)
    if (result.json !== undefined) res.json(result.json)
    else res.send(result.text ?? '')
  })
  return app
}

describeHttpBindingContract('express', makeApp)
