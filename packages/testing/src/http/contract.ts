import { describe } from 'vitest'
import { describeFailures } from './failures.js'
import { describeFeatures } from './features.js'
import { describeFixation } from './fixation.js'
import type { MakeHttpApp } from './harness.js'
import { describeJudgement } from './judgement.js'
import { describeLifecycle } from './lifecycle.js'
import { describeLogout } from './logout.js'
import { describeUpstream } from './upstream.js'

/**
 * The HTTP contract every binding runs: cookie attributes, touch and
 * rotation, expiries, logout by each configured way, remember-me, chunking,
 * audiences, bad cookies, a store that is down, write-before-response and
 * laziness. `makeApp` mounts the binding's middleware and `CONTRACT_ROUTES`.
 *
 * @example
 * describeHttpBindingContract('express', (options, deps) => {
 *   const sessions = tessera<ContractData>(options, deps)
 *   return express().use(sessions).all('/{*path}', (req, res) => serve(sessions.of(req), req, res))
 * })
 */
export function describeHttpBindingContract(name: string, makeApp: MakeHttpApp): void {
  describe(`HTTP binding contract: ${name}`, () => {
    describe('cookie lifecycle', () => describeLifecycle(makeApp))
    describe('logout', () => describeLogout(makeApp))
    describe('login fixation', () => describeFixation(makeApp))
    describe('remember, chunks, audiences', () => describeFeatures(makeApp))
    describe('failures and laziness', () => describeFailures(makeApp))
    describe('cookies this app cannot judge', () => describeJudgement(makeApp))
    describe('upstream mode', () => describeUpstream(makeApp))
  })
}
