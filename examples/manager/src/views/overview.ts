/** The signed-in landing page: who you are and what your session will do next. */
import { html } from '../html.js'
import type { SessionTimes } from '../session-times.js'
import { formatDuration, formatTime } from '../times.js'
import type { Admin } from '../users.js'
import { layout } from './layout.js'

export interface OverviewView {
  readonly admin: Admin
  readonly now: number
  readonly sessionId: string | undefined
  readonly createdAt: number | undefined
  readonly remember: boolean
  readonly times: SessionTimes
  readonly headers: Readonly<Record<string, string>>
  readonly store: string
  readonly notice?: string | undefined
}

const when = (now: number, left: number | undefined, off: string) =>
  left === undefined
    ? html`<span class="muted">${off}</span>`
    : html`in ${formatDuration(left)} <span class="muted">(${formatTime(now + left)})</span>`

export const overviewPage = (v: OverviewView): string =>
  layout(
    { title: 'Overview', admin: v.admin, current: 'overview', notice: v.notice },
    html`<h1>Welcome, ${v.admin.name}</h1>
<section class="card">
  <h2>This session</h2>
  <dl class="times">
    <dt>Signed in as</dt><dd>${v.admin.email}</dd>
    <dt>Session id</dt><dd><code>${(v.sessionId ?? '').slice(0, 10)}…</code> <span class="muted">(changes at every renewal)</span></dd>
    <dt>Signed in at</dt><dd>${v.createdAt === undefined ? '—' : formatTime(v.createdAt)}</dd>
    <dt>Remember me</dt><dd>${v.remember ? 'yes: a remember cookie reopens the session after the browser closes' : 'no: the cookie ends with the browser session'}</dd>
    <dt>Idles out</dt><dd>${when(v.now, v.times.idle, 'never (idling timeout off)')} <span class="muted">unless you make a request</span></dd>
    <dt>Renews</dt><dd>${when(v.now, v.times.renew, 'never (rolling timeout off)')} <span class="muted">on the next request after that: new id, same session</span></dd>
    <dt>Rolling timeout</dt><dd>${when(v.now, v.times.rolling, 'off')}</dd>
    <dt>Ends for good</dt><dd>${when(v.now, v.times.absolute, 'never (absolute timeout off)')} <span class="muted">${v.remember ? 'then the remember cookie opens a new session' : 'then you sign in again'}</span></dd>
  </dl>
</section>
<section class="card">
  <h2>What the engine sent with this page</h2>
  <p class="muted">Response headers configured with <code>responseHeaders</code> (Kong: <code>response_headers</code>), in seconds. Session store: <code>${v.store}</code>.</p>
  <dl class="times">${Object.entries(v.headers).map(([k, val]) => html`<dt><code>${k}</code></dt><dd>${val}</dd>`)}</dl>
</section>`,
  )
