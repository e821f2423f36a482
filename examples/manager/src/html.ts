/**
 * Server-rendered HTML without a template engine: a tagged template that
 * escapes every interpolated value unless it is already markup.
 */

/** Markup that is safe to embed as is (made by `html` or `raw`). */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for an element body or a quoted attribute value. */
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[]

const render = (value: Value): string => {
  if (value instanceof SafeHtml) return value.text
  if (Array.isArray(value)) return value.map(render).join('')
  // false / null / undefined render as nothing, so `${cond && html`…`}` reads naturally.
  if (value === null || value === undefined || value === false) return ''
  return escapeHtml(String(value))
}

/** A template whose interpolations are escaped; arrays are joined. */
export const html = (strings: TemplateStringsArray, ...values: readonly Value[]): SafeHtml =>
  new SafeHtml(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i] as Value) : ''), ''))

/** Trusted markup (our own constants only, never user input). */
export const raw = (text: string): SafeHtml => new SafeHtml(text)
