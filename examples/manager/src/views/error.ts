/** The page a failed request gets: the console's frame, a short message, no stack. */
import { html } from '../html.js'
import { layout } from './layout.js'

const ADVICE: Readonly<Record<number, string>> = {
  503: 'The session store cannot be reached right now, so nobody can sign in or stay signed in. Try again in a moment.',
  500: 'Something went wrong on our side. Try again; if it keeps happening, the console log says more.',
}

export const errorPage = (status: number, message: string): string =>
  layout(
    { title: message },
    html`<div class="card narrow" role="alert">
  <h1>${message}</h1>
  <p>${ADVICE[status] ?? 'The request could not be completed.'}</p>
  <p class="muted">HTTP ${status}</p>
  <p><a href="/">Try again</a></p>
</div>`,
  )
