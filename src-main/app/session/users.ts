import type { Role } from '../../contract/domain';
import type { Db } from '../../db/connect';
import { insertUser } from '../../db/repos/users';
import { inWriteTx } from '../../db/tx';
import { hashPassword } from './passwords';

export { hashPassword, verifyPassword } from './passwords';
export { signIn, type SignedIn, type SignInFrom } from './sign-in';

/**
 * A user with a known password, without the policy check: the demo population (public demo
 * passwords) and tests. People are added through users.add, first-run setup or `cli users add`.
 */
export async function createUser(db: Db, u: { id: string; name: string; role: Role; password: string }, now: number): Promise<void> {
  const password_hash = await hashPassword(u.password);
  await inWriteTx(db, (tx) =>
    insertUser(tx, {
      id: u.id,
      name: u.name,
      role: u.role,
      password_hash,
      failed_attempts: 0,
      locked_until: null,
      created_at: now,
      password_set_at: now,
    }),
  );
}
