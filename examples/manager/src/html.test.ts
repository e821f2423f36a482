import { describe, expect, it } from 'vitest'
import { html, raw } from './html.js'

describe('html', () => {
  it('escapes interpolated text for element bodies and quoted attributes', () => {
    const evil = `"><script>alert('x')</script>&`
    expect(html`<input value="${evil}">`.text).toBe(
      '<input value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">',
    )
  })

  it('embeds nested templates and raw markup as they are, joins arrays, drops false and undefined', () => {
    const items = ['a<b', 'c']
    expect(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>${false}${undefined}${raw('<hr>')}`.text).toBe(
      '<ul><li>a&lt;b</li><li>c</li></ul><hr>',
    )
  })
})
