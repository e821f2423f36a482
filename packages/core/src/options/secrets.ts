/**
 * How strong a secret looks. The key is SHA-256 of the secret and one cookie
 * is enough to test guesses offline, so a secret must be hard to guess: long,
 * made of many distinct characters, and not a placeholder copied from a page.
 */

export const MIN_SECRET_BYTES = 32
/** 32 random bytes, or 32 random hex or base64 characters, show far more distinct values than this. */
const MIN_DISTINCT = 8

/** What to do instead: said in every refusal. */
export const MAKE_ONE =
  'make a random one with `openssl rand -base64 32` (or node -e "console.log(crypto.randomBytes(32).toString(\'base64\'))")'

/**
 * Fragments that only placeholders contain, compared without case, spaces or
 * punctuation: the ones in documentation and examples (ours included) and
 * the classic ones copied from framework guides.
 */
const PLACEHOLDER_FRAGMENTS = [
  'changeme',
  'changethis',
  'replaceme',
  'replacewith',
  'replacethis',
  'yoursecret',
  'yourownsecret',
  'secretgoeshere',
  'keyboardcat',
  'placeholder',
  'notasecret',
  'insertsecret',
  'atleast32',
  'atleastthirtytwo',
  'thirtytwobytes',
  'thirtytwocharacters',
  '32byteslong',
  '32characterslong',
]

const normalised = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '')

/** Why a secret (text or bytes) is weak, or undefined when it looks random enough. */
export const weakness = (bytes: Buffer, minBytes = MIN_SECRET_BYTES): string | undefined => {
  if (bytes.length < minBytes) return `${bytes.length} bytes is too short (at least ${minBytes})`
  const distinct = new Set(bytes).size
  if (distinct < MIN_DISTINCT) return `only ${distinct} distinct byte values: too easy to guess`
  const text = normalised(bytes.toString('latin1'))
  const fragment = PLACEHOLDER_FRAGMENTS.find((f) => text.includes(f))
  if (fragment !== undefined) return 'looks like a placeholder from documentation or an example'
  return undefined
}
