/** The admins: an in-memory directory with scrypt password hashes. */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

// OWASP's scrypt floor (N=2^17, r=8, p=1) needs 128 MiB per hash; this console is a demo
// run on laptops and in CI, so it uses 2^15 and records the parameters in every hash.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const
const KEY_LENGTH = 32
const MAX_MEMORY = 64 * 1024 * 1024

const derive = (password: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...o, maxmem: MAX_MEMORY }, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })

/** `scrypt$N$r$p$salt$hash` (base64url), so parameters can change without breaking old hashes. */
export const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(16)
  const key = await derive(password, salt, PARAMS)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** Whether `password` matches `stored`; a malformed hash never matches. */
export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const [tag, n, r, p, salt, hash] = stored.split('$')
  if (tag !== 'scrypt' || salt === undefined || hash === undefined) return false
  const expected = Buffer.from(hash, 'base64url')
  if (expected.length !== KEY_LENGTH) return false
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) })
  return timingSafeEqual(key, expected)
}

/** One admin as the console sees it. */
export interface Admin {
  readonly email: string
  readonly name: string
}

/** The seeded admins and their passwords, as `main.ts` prints them. */
export interface Seed {
  readonly email: string
  readonly name: string
  readonly password: string
}

export interface UserDirectory {
  find(email: string): Admin | undefined
  /** The admin whose password this is, or undefined; takes as long for an unknown email. */
  authenticate(email: string, password: string): Promise<Admin | undefined>
  /** Sets a new password (ending the other sessions is the caller's job: the engine's invalidateSubject). */
  changePassword(email: string, password: string): Promise<void>
}

interface Row {
  admin: Admin
  hash: string
}

/**
 * Creates the directory from seeds (passwords are hashed here).
 * @example
 * const users = await createUserDirectory([{ email: 'admin@example.com', name: 'Ada', password: 'correct horse' }])
 */
export const createUserDirectory = async (seeds: readonly Seed[]): Promise<UserDirectory> => {
  const rows = new Map<string, Row>()
  for (const s of seeds) {
    const email = s.email.toLowerCase()
    rows.set(email, { admin: { email, name: s.name }, hash: await hashPassword(s.password) })
  }
  // Unknown emails are checked against this, so a wrong email costs as long as a wrong password.
  const decoy = await hashPassword(randomBytes(16).toString('base64url'))
  return {
    find: (email) => rows.get(email.toLowerCase())?.admin,
    authenticate: async (email, password) => {
      const r = rows.get(email.trim().toLowerCase())
      const ok = await verifyPassword(password, r?.hash ?? decoy)
      return ok ? r?.admin : undefined
    },
    changePassword: async (email, password) => {
      const r = rows.get(email.toLowerCase())
      if (r === undefined) throw new Error(`no admin ${email}`)
      r.hash = await hashPassword(password)
    },
  }
}
