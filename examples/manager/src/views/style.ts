/** The console's whole stylesheet, inline: no build step, no asset route. */
import { raw } from '../html.js'

export const STYLE = raw(`
  :root { --ink: #1d2330; --muted: #5b6475; --line: #d9dee8; --accent: #1155cc; --bad: #b3261e; --ok: #1e7a3c;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
  body { margin: 0; background: #f4f6fa; line-height: 1.45; }
  header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .75rem 1.5rem; background: #1d2330; color: #fff; }
  header .brand { font-weight: 700; letter-spacing: .02em; }
  header .account { display: flex; align-items: center; gap: .75rem; margin-left: auto; order: 2; min-width: 0; }
  header nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; order: 1; flex: 1; }
  header a { color: #cfe0ff; text-decoration: none; }
  header a[aria-current="page"] { color: #fff; border-bottom: 2px solid #fff; }
  header .who { color: #cfd5e2; font-size: .9rem; }
  main { max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
  h1 { font-size: 1.5rem; margin: 0 0 1rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
  .card > h2:first-child { margin-top: 0; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem 1.5rem; margin-bottom: 1rem; }
  .narrow { max-width: 24rem; margin: 4rem auto; }
  dl.times { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1.5rem; margin: 0; }
  dl.times dt { color: var(--muted); }
  dl.times dd { margin: 0; }
  table { width: 100%; border-collapse: collapse; background: #fff; }
  th, td { text-align: left; padding: .6rem .75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  tr.current { background: #eef4ff; }
  .tag { display: inline-block; font-size: .75rem; padding: .05rem .45rem; border-radius: 999px; background: var(--accent); color: #fff; }
  .muted { color: var(--muted); font-size: .9rem; }
  label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
  label.check { font-weight: normal; display: flex; gap: .5rem; align-items: center; }
  input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
  button { font: inherit; padding: .45rem .9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: var(--accent); }
  button.danger { border-color: var(--bad); background: #fff; color: var(--bad); }
  td button { white-space: nowrap; }
  header button { background: transparent; border-color: #cfe0ff; color: #fff; padding: .25rem .7rem; }
  form.inline { display: inline; margin: 0; }
  .notice { padding: .6rem .9rem; border-radius: 6px; margin-bottom: 1rem; background: #e7f5ec; color: var(--ok); }
  .error { padding: .6rem .9rem; border-radius: 6px; margin-bottom: 1rem; background: #fdecea; color: var(--bad); }
  code { background: #eef1f6; padding: .05rem .3rem; border-radius: 4px; font-size: .9em; }
  time { white-space: nowrap; }
  .bad { color: var(--bad); font-weight: 600; }
  a { color: var(--accent); }
  /* Phones: the header stacks (brand and account on one line, the nav below), tables become cards. */
  @media (max-width: 40rem) {
    header { padding: .6rem 1rem; }
    header .account { order: 1; }
    header nav { order: 2; flex-basis: 100%; }
    header .who { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    header .who .email { display: none; }
    main { margin: 1rem auto; padding: 0 1rem; }
    .card { padding: 1rem; }
    .narrow { margin: 1.5rem auto; }
    dl.times { grid-template-columns: 1fr; gap: .1rem; }
    dl.times dd { margin-bottom: .5rem; }
    table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: auto; }
    table.stack thead { display: none; }
    table.stack tr { border: 1px solid var(--line); border-radius: 8px; margin-bottom: .75rem; padding: .25rem 0; }
    table.stack td { border: 0; padding: .3rem .9rem; }
    table.stack td[data-label]::before { content: attr(data-label); display: block; font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  }
`)
