/** The activity page: the engine's events and failed sign-ins, newest first. */
import type { ActivityEntry, ActivityKind } from '../activity.js'
import { html } from '../html.js'
import { formatTime } from '../times.js'
import type { Admin } from '../users.js'
import { layout } from './layout.js'

export interface ActivityView {
  readonly admin: Admin
  readonly entries: readonly ActivityEntry[]
}

const LABELS: Readonly<Record<ActivityKind, string>> = {
  'signed-in': 'Signed in',
  'failed-sign-in': 'Failed sign-in',
  throttled: 'Sign-in refused (too many failures)',
  renewed: 'Session renewed',
  ended: 'Logged out',
  'ended-others': 'Sessions ended',
  'timed-out': 'Session timed out',
  rejected: 'Cookie rejected',
}
const BAD: ReadonlySet<ActivityKind> = new Set(['failed-sign-in', 'throttled', 'rejected'])

const row = (e: ActivityEntry) => html`<tr data-activity="${e.kind}">
  <td data-label="When"><time datetime="${new Date(e.at * 1000).toISOString()}">${formatTime(e.at)}</time></td>
  <td data-label="What"><span class="${BAD.has(e.kind) ? 'bad' : ''}">${LABELS[e.kind]}</span></td>
  <td data-label="Who">${e.subject ?? html`<span class="muted">—</span>`}</td>
  <td data-label="Details" class="muted">${e.detail}</td>
</tr>`

export const activityPage = (v: ActivityView): string =>
  layout(
    { title: 'Activity', admin: v.admin, current: 'activity' },
    html`<h1>Activity</h1>
<p class="muted">What the session engine did (sign-ins, renewals, logouts, ended sessions, timeouts, rejected cookies) and the failed sign-ins, newest first; kept in memory since the console started.</p>
${
  v.entries.length === 0
    ? html`<p class="muted">Nothing yet.</p>`
    : html`<table class="stack">
  <thead><tr><th>When</th><th>What</th><th>Who</th><th>Details</th></tr></thead>
  <tbody>${v.entries.map(row)}</tbody>
</table>`
}`,
  )
