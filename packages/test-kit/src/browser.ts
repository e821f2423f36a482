/**
 * A browser signed in to an engine, for tests of opening: a cookie jar that
 * follows every Set-Cookie, `login` (start, set data, subject, save) and
 * `open` with the jar's cookies. Typed by shape, so that this package needs
 * no Tessera package; a `SessionEngine` fits.
 */
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { cookieJar, requestWith, runRight, type SessionRequest } from './doubles.js'

/** What `login` calls on a session. */
export interface LoginSession {
  set(key: string, value: unknown): void
  setSubject(subject: string): void
}

/** What the browser calls on an engine. */
export interface BrowserEngine<S extends LoginSession, O> {
  start(req: SessionRequest): TE.TaskEither<unknown, S>
  save(s: S): TE.TaskEither<unknown, { readonly setCookie: readonly string[] }>
  open(req: SessionRequest): TE.TaskEither<unknown, O>
}

export const signedInBrowser = <S extends LoginSession, O>(engine: BrowserEngine<S, O>) => {
  const browser = cookieJar()
  /** Starts a session, sets `data` and the subject alice, saves it and keeps the cookies it was given. */
  const login = async (data: Record<string, unknown> = { user: 'alice' }, extra: Partial<SessionRequest> = {}) => {
    const s = await runRight(engine.start(requestWith(browser.lines, extra)))
    for (const [k, v] of Object.entries(data)) s.set(k, v)
    s.setSubject('alice')
    browser.apply((await runRight(engine.save(s))).setCookie)
    return s
  }
  const open = (lines: readonly string[] = browser.lines, extra: Partial<SessionRequest> = {}) =>
    engine.open(requestWith(lines, extra))
  return { browser, login, open }
}

/** The value of the cookie `name` among Set-Cookie or Cookie lines ('' when there is none). */
export const cookieValueIn = (lines: readonly string[], name: string): string => {
  const line = lines.find((l) => l.startsWith(`${name}=`)) ?? ''
  return line.slice(name.length + 1).split(';')[0] as string
}

/** A cookie value whose 82-byte header is edited and re-encoded: its MAC no longer covers what it says. */
export const withHeaderBytes = (value: string, edit: (header: Buffer) => void): string => {
  const header = Buffer.from(value.slice(0, 110), 'base64url')
  edit(header)
  return header.toString('base64url') + value.slice(110)
}
