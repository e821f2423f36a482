/** Option checks at construction: a bad timeout is a programmer error, reported before any I/O. */

/** `value` if it is a positive finite number (an integer when `integer`), `fallback` if unset; throws otherwise. */
export const positive = (label: string, value: number | undefined, fallback: number, integer = false): number => {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new TypeError(`@tessera/store-postgres: ${label} must be a positive ${integer ? 'integer' : 'number'}`)
  }
  return value
}
