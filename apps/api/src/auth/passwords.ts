import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { FieldError } from '@sextant/domain';

// argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const options = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const passwordRule = 'must be 10 to 200 characters';

/** Hashes a password with argon2id (salt and parameters are kept in the hash). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

/** Checks a password against its hash; false for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verified when no account has the email, so that a sign-in takes as long either way.
let decoy: Promise<string> | null = null;
export async function verifyDecoy(password: string): Promise<false> {
  decoy ??= hashPassword('decoy password, never valid');
  await verifyPassword(await decoy, password);
  return false;
}

/** Why a password is refused, as a field error; null when it is acceptable. */
export function passwordProblem(password: string, field = 'password'): FieldError | null {
  if (password.length < 10 || password.length > 200) return { field, reason: passwordRule };
  return null;
}
