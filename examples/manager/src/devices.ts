/**
 * A device label from a User-Agent string, for the sessions page. Only the
 * browser family and the OS: enough for a person to recognise their laptop,
 * and nothing here decides access.
 */

/** What `describeDevice` makes of a User-Agent. */
export interface Device {
  readonly browser: string
  readonly os: string
  /** "Firefox on macOS", or "Unknown device". */
  readonly label: string
}

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bEdgA?\/|\bEdgiOS\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\bChrom(?:e|ium)\/|\bCriOS\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/^curl\//, 'curl'],
]

// iOS before macOS (iPad and iPhone agents say "like Mac OS X"), Android before Linux.
const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
]

const first = (table: ReadonlyArray<readonly [RegExp, string]>, ua: string): string | undefined =>
  table.find(([re]) => re.test(ua))?.[1]

/** Browser and OS of a User-Agent header value (undefined or unknown parts say so). */
export const describeDevice = (userAgent: string | undefined): Device => {
  const ua = userAgent ?? ''
  const browser = first(BROWSERS, ua)
  const os = first(SYSTEMS, ua)
  const label =
    browser !== undefined && os !== undefined
      ? `${browser} on ${os}`
      : (browser ?? (os === undefined ? 'Unknown device' : `Browser on ${os}`))
  return { browser: browser ?? 'Unknown browser', os: os ?? 'Unknown OS', label }
}
