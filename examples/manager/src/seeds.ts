/** The demo admins. Passwords come from the environment or are made up at start-up and printed. */
import { randomInt } from 'node:crypto'
import type { Seed } from './users.js'

// No 0/o, 1/l/i: the password is read off a terminal and typed.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
const group = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
/** Three groups of four (~59 bits): `kq7m-4xtp-9bzd`. */
const made = () => [group(), group(), group()].join('-')

/** `ADMIN_PASSWORD` / `OPERATOR_PASSWORD` override the generated passwords. */
export const seedAdmins = (env: Readonly<Record<string, string | undefined>>): Seed[] => [
  { email: 'admin@example.com', name: 'Ada Admin', password: env.ADMIN_PASSWORD ?? made() },
  { email: 'ops@example.com', name: 'Otto Operator', password: env.OPERATOR_PASSWORD ?? made() },
]
