/**
 * Reading a small form or JSON body for logout detection (`logout.readBody`).
 * Only logout-method requests without the query argument get here.
 */

/** Bodies larger than this are not read for logout detection (Kong reads into a bounded buffer too). */
export const MAX_LOGOUT_BODY = 64 * 1024

const mediaType = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''

/** Parses form-urlencoded or JSON text into an object; anything else is undefined. */
export const parseBody = (contentType: string | undefined, text: string): unknown => {
  const type = mediaType(contentType)
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text))
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text) as unknown
    } catch {
      return undefined
    }
  }
  return undefined
}

/** Whether a body of this type is worth reading at all. */
export const isParsableBody = (contentType: string | undefined): boolean => {
  const type = mediaType(contentType)
  return type === 'application/x-www-form-urlencoded' || type === 'application/json' || type.endsWith('+json')
}

/**
 * Reads a request stream up to `limit` bytes and parses it. A larger body is
 * not a logout (undefined); the stream is consumed either way, so bindings
 * hand the parsed body on to the app.
 */
export const readBody = async (
  stream: AsyncIterable<Uint8Array | string>,
  contentType: string | undefined,
  limit = MAX_LOGOUT_BODY,
): Promise<unknown> => {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk)
    size += b.length
    if (size <= limit) chunks.push(b)
  }
  if (size > limit) return undefined
  return parseBody(contentType, Buffer.concat(chunks).toString('utf8'))
}
