/** The change-password form. */
import { CSRF_FIELD } from '../csrf.js'
import { html } from '../html.js'
import type { Admin } from '../users.js'
import { layout } from './layout.js'

export interface PasswordView {
  readonly admin: Admin
  readonly csrf: string
  readonly error?: string | undefined
}

export const passwordPage = (v: PasswordView): string =>
  layout(
    { title: 'Change password', admin: v.admin, current: 'password', error: v.error },
    html`<div class="card narrow">
  <h1>Change password</h1>
  <p class="muted">Every other session of ${v.admin.email} ends; this one continues under a new id.</p>
  <form method="post" action="/password">
    <input type="hidden" name="${CSRF_FIELD}" value="${v.csrf}">
    <label for="current">Current password</label>
    <input id="current" name="current" type="password" autocomplete="current-password" required>
    <label for="next">New password</label>
    <input id="next" name="next" type="password" autocomplete="new-password" minlength="12" required>
    <label for="confirm">New password again</label>
    <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="12" required>
    <p><button type="submit">Change password</button></p>
  </form>
</div>`,
  )
