/** Times as the pages show them: absolute in UTC, relative in minutes and seconds. */

/** `2026-11-28 18:45:01 UTC` for epoch seconds. */
export const formatTime = (epochSeconds: number): string =>
  `${new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`

/** `1 h 5 min`, `14 min 32 s`, `9 s`; "now" for zero or less. */
export const formatDuration = (seconds: number): string => {
  if (seconds <= 0) return 'now'
  const d = Math.floor(seconds / 86_400)
  const h = Math.floor((seconds % 86_400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = Math.floor(seconds % 60)
  const parts =
    d > 0
      ? [
          [d, 'd'],
          [h, 'h'],
        ]
      : h > 0
        ? [
            [h, 'h'],
            [m, 'min'],
          ]
        : [
            [m, 'min'],
            [s, 's'],
          ]
  const shown = parts.filter(([n]) => n !== 0)
  return shown.length === 0 ? `${s} s` : shown.map(([n, unit]) => `${n} ${unit}`).join(' ')
}
