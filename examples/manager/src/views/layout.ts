/** The page frame: head, navigation for a signed-in admin, and the logout button. */

import { html, type SafeHtml } from '../html.js'
import type { Admin } from '../users.js'
import { STYLE } from './style.js'

export type Page = 'overview' | 'sessions' | 'activity' | 'password'

/** What every page passes to the frame. */
export interface Frame {
  readonly title: string
  readonly admin?: Admin | undefined
  readonly current?: Page | undefined
  readonly notice?: string | undefined
  readonly error?: string | undefined
}

const link = (href: string, page: Page, label: string, current: Page | undefined) =>
  html`<a href="${href}" aria-current="${current === page ? 'page' : 'false'}">${label}</a>`

// The binding answers a POST carrying `session_logout` before any route runs (Kong's logout
// detection), so no route could check a CSRF token here, and Kong Manager's logout form has none
// either. The SameSite=Strict cookies are not sent with a cross-site POST, and a forged logout
// would only end a session, never act within one.
const logoutForm = html`<form class="inline" method="post" action="/logout">
  <input type="hidden" name="session_logout" value="1"><button type="submit">Log out</button></form>`

const nav = (admin: Admin, current: Page | undefined) => html`<header>
  <span class="brand">Tessera Manager</span>
  <span class="account"><span class="who" title="${admin.email}">${admin.name} <span class="email">&lt;${admin.email}&gt;</span></span>
  ${logoutForm}</span>
  <nav>${link('/', 'overview', 'Overview', current)} ${link('/sessions', 'sessions', 'Your sessions', current)}
    ${link('/activity', 'activity', 'Activity', current)} ${link('/password', 'password', 'Change password', current)}</nav>
</header>`

/** A whole HTML document around `body`. */
export const layout = (frame: Frame, body: SafeHtml): string =>
  html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · Tessera Manager</title>
<style>${STYLE}</style>
</head>
<body>
${frame.admin && nav(frame.admin, frame.current)}
<main>
${frame.notice && html`<p class="notice" role="status">${frame.notice}</p>`}
${frame.error && html`<p class="error" role="alert">${frame.error}</p>`}
${body}
</main>
</body>
</html>
`.text
