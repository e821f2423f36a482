/** "Your sessions": every live session of the admin, with buttons to end them. */
import { CSRF_FIELD } from '../csrf.js'
import { html } from '../html.js'
import { formatTime } from '../times.js'
import type { Admin } from '../users.js'
import { layout } from './layout.js'

/** One row of the table. */
export interface SessionRow {
  /** What `endSession` takes (the storage key from `listSessions`). */
  readonly key: string
  readonly device: string
  readonly ip: string | undefined
  readonly createdAt: number
  readonly lastActiveAt: number
  readonly expiresAt: number
  readonly current: boolean
}

export interface SessionsView {
  readonly admin: Admin
  readonly csrf: string
  readonly rows: readonly SessionRow[]
  readonly notice?: string | undefined
}

const csrfField = (token: string) => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`

const row = (r: SessionRow, csrf: string) => html`<tr class="${r.current ? 'current' : ''}" data-session>
  <td>${r.device} ${r.current && html`<span class="tag">this browser</span>`}<br><span class="muted">${r.ip ?? 'unknown address'}</span></td>
  <td>${formatTime(r.createdAt)}</td>
  <td>${formatTime(r.lastActiveAt)}</td>
  <td>${formatTime(r.expiresAt)}</td>
  <td>${
    r.current
      ? html`<span class="muted">use Log out</span>`
      : html`<form class="inline" method="post" action="/sessions/end">${csrfField(csrf)}
      <input type="hidden" name="key" value="${r.key}"><button class="danger" type="submit">End this session</button></form>`
  }</td>
</tr>`

export const sessionsPage = (v: SessionsView): string =>
  layout(
    { title: 'Your sessions', admin: v.admin, current: 'sessions', notice: v.notice },
    html`<h1>Your sessions</h1>
<p class="muted">Every browser signed in as ${v.admin.email}. "Last saved" moves when the session renews (a new id) or changes; "expires" is when the store drops the record unless it renews first.</p>
<table>
  <thead><tr><th>Device</th><th>Signed in</th><th>Last saved</th><th>Expires</th><th></th></tr></thead>
  <tbody>${v.rows.map((r) => row(r, v.csrf))}</tbody>
</table>
<p>${
      v.rows.some((r) => !r.current)
        ? html`<form method="post" action="/sessions/end-others">${csrfField(v.csrf)}
  <button class="danger" type="submit">End all other sessions</button></form>`
        : html`<span class="muted">No other sessions.</span>`
    }</p>`,
  )
