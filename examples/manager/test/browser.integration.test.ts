/**
 * The console in a real browser (Debian's Chromium through playwright-core):
 * the cookie as the browser stores it, two devices of one admin, a password
 * change that signs the other device out, and a logout that leaves nothing.
 */
import { existsSync, mkdirSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { closeTessera, registerTessera, TesseraTokens } from '@tessera/container'
import type { SessionEngine, SessionStore } from '@tessera/core'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { container } from 'tsyringe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createActivity } from '../src/activity.js'
import { createApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import type { AdminData } from '../src/session.js'
import { createUserDirectory } from '../src/users.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CI = process.env.CI === 'true'
const haveChromium = existsSync(CHROMIUM)
if (!haveChromium && !CI) {
  console.warn(
    [
      '',
      '!'.repeat(78),
      `!! SKIPPED: examples/manager browser test: no Chromium at ${CHROMIUM}`,
      '!! Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH); with CI=true this fails.',
      '!'.repeat(78),
      '',
    ].join('\n'),
  )
}

const OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url))
const EMAIL = 'admin@example.com'
const PASSWORD = 'first-password-123'
const NEW_PASSWORD = 'second-password-456'

describe.skipIf(!haveChromium && !CI)('manager console in Chromium', () => {
  const scope = container.createChildContainer()
  let server: Server
  let browser: Browser
  let base: string
  let engine: SessionEngine<AdminData>
  let store: SessionStore
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI=true and no Chromium at ${CHROMIUM}: .ci/run installs it`)
    const { session } = loadConfig({ SESSION_SECRET: 'Xo3Fn8Lq1Wd6Tg4Jb9Rv2Ck7Hz5Ms0Ea' })
    const activity = createActivity()
    await registerTessera(scope, { session, store: 'memory://', onEvent: activity.onEvent })
    engine = scope.resolve<SessionEngine<AdminData>>(TesseraTokens.engine)
    store = scope.resolve<SessionStore>(TesseraTokens.store)
    const users = await createUserDirectory([{ email: EMAIL, name: 'Ada Admin', password: PASSWORD }])
    const app = createApp({ engine, users, storeLabel: 'memory://', activity })
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    await closeTessera(scope)
  })

  /** The admin's session records, as the console's own engine lists them. */
  const liveSessions = () => engine.listSessions({ subject: EMAIL })()

  const device = async (viewport?: { width: number; height: number }): Promise<Page> => {
    const context = await browser.newContext(viewport === undefined ? {} : { viewport, deviceScaleFactor: 2 })
    contexts.push(context)
    return context.newPage()
  }

  const logIn = async (page: Page, password: string, remember: boolean) => {
    await page.goto(`${base}/`)
    expect(new URL(page.url()).pathname).toBe('/login')
    await page.getByLabel('Email').fill(EMAIL)
    await page.getByLabel('Password').fill(password)
    if (remember) await page.getByLabel('Remember me on this device').check()
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${base}/`)
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome, Ada Admin')
  }

  let laptop: Page
  let phone: Page

  it('logs in and the browser keeps the cookies HttpOnly, SameSite=Strict, Path=/, the session ones Secure even on http://127.0.0.1', async () => {
    laptop = await device()
    await logIn(laptop, PASSWORD, true)
    const cookies = await laptop.context().cookies()
    expect(cookies.map((c) => c.name).sort()).toEqual(['admin_session', 'manager_login', 'remember'])
    for (const c of cookies) {
      // The session cookies are Secure by default; the login throttle cookie is Secure only over TLS.
      const secure = c.name !== 'manager_login'
      expect(c, c.name).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure, path: '/' })
    }
    // The session cookie ends with the browser; the remember cookie persists (rememberRollingTimeout).
    const byName = Object.fromEntries(cookies.map((c) => [c.name, c]))
    expect(byName.admin_session?.expires).toBe(-1)
    expect(byName.remember?.expires).toBeGreaterThan(Date.now() / 1000 + 6 * 86_400)
    await expect(laptop.getByText('Idles out').isVisible()).resolves.toBe(true)
    mkdirSync(OUTPUT, { recursive: true })
    await laptop.screenshot({ path: `${OUTPUT}manager-overview.png`, fullPage: true })
  })

  it("a second device of the same admin shows up on the first one's sessions page", async () => {
    phone = await device()
    // Its remember cookie must not bring the session back after the password change.
    await logIn(phone, PASSWORD, true)
    expect((await phone.context().cookies()).map((c) => c.name).sort()).toEqual([
      'admin_session',
      'manager_login',
      'remember',
    ])
    await laptop.getByRole('link', { name: 'Your sessions' }).click()
    await laptop.waitForURL(`${base}/sessions`)
    await expect(laptop.locator('tr[data-session]').count()).resolves.toBe(2)
    await expect(laptop.locator('tr.current').textContent()).resolves.toContain('this browser')
    await laptop.screenshot({ path: `${OUTPUT}manager-sessions.png`, fullPage: true })
  })

  it('changing the password sends the other device back to the login page on its next navigation', async () => {
    await laptop.getByRole('link', { name: 'Change password' }).click()
    await laptop.getByLabel('Current password').fill(PASSWORD)
    await laptop.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
    await laptop.getByLabel('New password again').fill(NEW_PASSWORD)
    await laptop.getByRole('button', { name: 'Change password' }).click()
    await laptop.waitForURL(`${base}/sessions?notice=password-changed`)
    await expect(laptop.locator('tr[data-session]').count()).resolves.toBe(1)

    await phone.goto(`${base}/`)
    expect(new URL(phone.url()).pathname).toBe('/login')
    // It says why: the password changed elsewhere, not a bare login page.
    await expect(phone.getByRole('status').textContent()).resolves.toContain(
      'the password was changed on another device',
    )
    expect((await phone.context().cookies()).filter((c) => c.name !== 'manager_login')).toEqual([])
    const live = await liveSessions()
    expect(live._tag === 'Right' ? live.right.length : live).toBe(1)
  })

  it('"End this session" and "End all other sessions" sign the other device out', async () => {
    for (const button of ['End this session', 'End all other sessions']) {
      await logIn(phone, NEW_PASSWORD, true)
      await laptop.goto(`${base}/sessions`)
      await expect(laptop.locator('tr[data-session]').count()).resolves.toBe(2)
      await laptop.getByRole('button', { name: button }).click()
      await laptop.waitForURL(/notice=(ended|others-ended)$/)
      await expect(laptop.locator('tr[data-session]').count()).resolves.toBe(1)
      await phone.goto(`${base}/`)
      expect(new URL(phone.url()).pathname, button).toBe('/login')
    }
  })

  it('logout clears every session cookie and the server record, and the old cookies no longer sign in', async () => {
    const before = await liveSessions()
    const key = before._tag === 'Right' ? before.right[0]?.key : undefined
    expect(key).toBeDefined()
    const copied = await laptop.context().cookies()
    await laptop.getByRole('button', { name: 'Log out' }).click()
    await laptop.waitForURL(`${base}/login?logged-out`)
    await expect(laptop.getByRole('status').textContent()).resolves.toBe('You are logged out.')
    expect((await laptop.context().cookies()).filter((c) => c.name !== 'manager_login')).toEqual([])
    expect(await liveSessions()).toEqual({ _tag: 'Right', right: [] })
    expect(await store.read('admin_session', key ?? '', Math.floor(Date.now() / 1000))).toBeNull()
    await laptop.goto(`${base}/`)
    expect(new URL(laptop.url()).pathname).toBe('/login')

    // Someone who copied the cookies before the logout: the remember cookie must not reopen the session.
    const thief = await device()
    await thief.context().addCookies(copied)
    await thief.goto(`${base}/`)
    expect(new URL(thief.url()).pathname).toBe('/login')
    expect(await liveSessions()).toEqual({ _tag: 'Right', right: [] })
  })

  it('fits a 390×844 phone: header, sessions and activity without sideways scrolling', async () => {
    const small = await device({ width: 390, height: 844 })
    await logIn(small, NEW_PASSWORD, false)
    await small.goto(`${base}/sessions`)
    // Strings, not functions: this file is type-checked without the DOM library.
    const layout = {
      scrollWidth: await small.evaluate<number>('document.documentElement.scrollWidth'),
      who: await small.locator('header .who').boundingBox(),
      logout: await small.getByRole('button', { name: 'Log out' }).boundingBox(),
      time: await small.locator('tr[data-session] time').first().boundingBox(),
      lineHeight: await small.evaluate<number>(
        "parseFloat(getComputedStyle(document.querySelector('tr[data-session] time')).lineHeight)",
      ),
    }
    expect(layout.scrollWidth).toBeLessThanOrEqual(390)
    // The user name and Log out stay on screen at a usable size.
    expect(layout.who?.width).toBeGreaterThan(40)
    expect((layout.logout?.x ?? 999) + (layout.logout?.width ?? 0)).toBeLessThanOrEqual(390)
    expect(layout.logout?.width).toBeGreaterThan(40)
    // A date is one line, not four.
    expect(layout.time?.height).toBeLessThan(layout.lineHeight * 1.5)
    mkdirSync(OUTPUT, { recursive: true })
    await small.screenshot({ path: `${OUTPUT}manager-phone-sessions.png`, fullPage: true })

    await small.getByRole('link', { name: 'Activity' }).click()
    await small.waitForURL(`${base}/activity`)
    await expect(small.locator('tr[data-activity="signed-in"]').count()).resolves.toBeGreaterThan(0)
    await expect(small.locator('tr[data-activity="ended-others"]').count()).resolves.toBeGreaterThan(0)
    expect(await small.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await small.screenshot({ path: `${OUTPUT}manager-phone-activity.png`, fullPage: true })
  })
})
