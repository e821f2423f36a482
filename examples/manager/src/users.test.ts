import { describe, expect, it } from 'vitest'
import { createUserDirectory, hashPassword, verifyPassword } from './users.js'

describe('scrypt passwords', () => {
  it('verifies the password it hashed, and no other', async () => {
    const stored = await hashPassword('correct horse battery')
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true)
    await expect(verifyPassword('correct horse batterY', stored)).resolves.toBe(false)
  })

  it('salts: the same password hashes differently twice', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'))
  })

  it('treats a malformed or truncated hash as a mismatch, not an error', async () => {
    await expect(verifyPassword('x', 'bcrypt$whatever')).resolves.toBe(false)
    const stored = await hashPassword('x')
    await expect(verifyPassword('x', stored.slice(0, -4))).resolves.toBe(false)
  })
})

describe('user directory', () => {
  it('authenticates case-insensitively by email and refuses unknown emails', async () => {
    const users = await createUserDirectory([{ email: 'Admin@Example.com', name: 'A', password: 'pw-123456789' }])
    await expect(users.authenticate(' admin@example.com ', 'pw-123456789')).resolves.toMatchObject({
      email: 'admin@example.com',
    })
    await expect(users.authenticate('nobody@example.com', 'pw-123456789')).resolves.toBeUndefined()
    await expect(users.authenticate('admin@example.com', 'wrong')).resolves.toBeUndefined()
  })

  it('after a password change the old password stops working', async () => {
    const users = await createUserDirectory([{ email: 'a@example.com', name: 'A', password: 'old-password-1' }])
    await users.changePassword('a@example.com', 'new-password-2')
    await expect(users.authenticate('a@example.com', 'old-password-1')).resolves.toBeUndefined()
    await expect(users.authenticate('a@example.com', 'new-password-2')).resolves.toBeDefined()
  })
})
