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
  /** Unknown for a session another deployment (e.g. Kong) wrote. */
  readonly createdAt: number | undefined
  readonly lastActiveAt: number | undefined
  /** When it idles out unless used (the overview's "Idles out"), capped by the record's life. */
  readonly idlesAt: number
  readonly remember: boolean
  readonly current: boolean
}

export interface SessionsView {
  readonly admin: Admin
  readonly csrf: string
  readonly rows: readonly SessionRow[]
  readonly notice?: string | undefined
}

const csrfField = (token: string) => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`

const time = (epoch: number | undefined) =>
  epoch === undefined
    ? html`<span class="muted">unknown</span>`
    : html`<time datetime="${new Date(epoch * 1000).toISOString()}">${formatTime(epoch)}</time>`

const row = (r: SessionRow, csrf: string) => html`<tr class="${r.current ? 'current' : ''}" data-session>
  <td data-label="Device">${r.device} ${r.current && html`<span class="tag">this browser</span>`}<br><span class="muted">${r.ip ?? 'unknown address'}</span></td>
  <td data-label="Signed in">${time(r.createdAt)}</td>
  <td data-label="Last active">${time(r.lastActiveAt)}</td>
  <td data-label="Idles out">${time(r.idlesAt)}</td>
  <td data-label="Remember me">${r.remember ? 'yes' : 'no'}</td>
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
<p class="muted">Every browser signed in as ${v.admin.email}. "Last active" is the session's last request that the store saw (a save, a renewal or a touch); it idles out that long after unless used again; "remember me" keeps it across browser restarts.</p>
<table class="stack">
  <thead><tr><th>Device</th><th>Signed in</th><th>Last active</th><th>Idles out</th><th>Remember me</th><th></th></tr></thead>
  <tbody>${v.rows.map((r) => row(r, v.csrf))}</tbody>
</table>
<p>${
      v.rows.some((r) => !r.current)
        ? html`<form method="post" action="/sessions/end-others">${csrfField(v.csrf)}
  <button class="danger" type="submit">End all other sessions</button></form>`
        : html`<span class="muted">No other sessions.</span>`
    }</p>`,
  )
