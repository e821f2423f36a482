/**
 * Redis Cluster key slots (CRC16/XMODEM of the key or of its hash tag, mod
 * 16384), computed locally so the store knows before sending whether a
 * write's keys can go into one script.
 */

const TABLE = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1
    table[i] = crc & 0xffff
  }
  return table
})()

const crc16 = (bytes: Uint8Array): number => {
  let crc = 0
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!
  return crc
}

/**
 * The hash tag Redis Cluster hashes instead of the whole key: the text between
 * the first `{` and the first `}` after it, when that text is not empty.
 */
export const hashTagOf = (key: string): string | undefined => {
  const open = key.indexOf('{')
  if (open < 0) return undefined
  const close = key.indexOf('}', open + 1)
  return close > open + 1 ? key.slice(open + 1, close) : undefined
}

/** The Cluster slot of a key, as `CLUSTER KEYSLOT` computes it. */
export const keySlot = (key: string): number => crc16(Buffer.from(hashTagOf(key) ?? key, 'utf8')) % 16384

/** True when every key lives in the same Cluster slot. */
export const sameSlot = (keys: readonly string[]): boolean => {
  const first = keys[0]
  if (first === undefined) return true
  const slot = keySlot(first)
  return keys.every((key) => keySlot(key) === slot)
}
