/** The demo admins. Passwords come from the environment or are made up at start-up and printed. */
import { randomBytes } from 'node:crypto'
import type { Seed } from './users.js'

const made = () => randomBytes(9).toString('base64url')

/** `ADMIN_PASSWORD` / `OPERATOR_PASSWORD` override the generated passwords. */
export const seedAdmins = (env: Readonly<Record<string, string | undefined>>): Seed[] => [
  { email: 'admin@example.com', name: 'Ada Admin', password: env.ADMIN_PASSWORD ?? made() },
  { email: 'ops@example.com', name: 'Otto Operator', password: env.OPERATOR_PASSWORD ?? made() },
]
