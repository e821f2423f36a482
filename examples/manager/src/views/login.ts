/** The login page. */
import { html } from '../html.js'
import { layout } from './layout.js'

export interface LoginView {
  readonly email?: string | undefined
  readonly notice?: string | undefined
  readonly error?: string | undefined
}

export const loginPage = (v: LoginView): string =>
  layout(
    { title: 'Sign in' },
    html`<div class="card narrow">
  <h1>Sign in to Tessera Manager</h1>
  ${v.notice && html`<p class="notice" role="status">${v.notice}</p>`}
  ${v.error && html`<p class="error" role="alert">${v.error}</p>`}
  <form method="post" action="/login">
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" required value="${v.email ?? ''}">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <label class="check"><input type="checkbox" name="remember" value="1"> Remember me on this device</label>
    <p><button type="submit">Sign in</button></p>
  </form>
</div>`,
  )
