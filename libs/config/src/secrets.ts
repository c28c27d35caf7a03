import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { decodeSecretKey } from './config';

// Secrets kept at rest (CDC sources' connection strings, path tokens' forward shared keys)
// are sealed with the platform secret, SEXTANT_SECRET_KEY, which is never in the database.

/** A secret could not be sealed or opened: no key, a malformed key, or another key's secret. */
export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

// Sealed layout: version (1), iv (12), GCM tag (16), ciphertext.
const version = 1;

function keyBytes(key: string | null): Buffer {
  if (!key) {
    throw new SecretError(
      'SEXTANT_SECRET_KEY is not set: it encrypts secrets at rest (32 bytes, e.g. `openssl rand -base64 32`)',
    );
  }
  const bytes = decodeSecretKey(key);
  if (!bytes) throw new SecretError('SEXTANT_SECRET_KEY is not 32 bytes of hex or base64');
  return bytes;
}

/** Encrypts `text` with AES-256-GCM under the key (SEXTANT_SECRET_KEY). */
export function sealSecret(key: string | null, text: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(key), iv);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([version]), iv, cipher.getAuthTag(), body]);
}

/** Decrypts what sealSecret made; a wrong key or altered bytes is a SecretError. */
export function openSecret(key: string | null, sealed: Uint8Array): string {
  const bytes = Buffer.from(sealed);
  if (bytes.length < 29 || bytes[0] !== version) {
    throw new SecretError('the stored secret is not in a known format');
  }
  const decipher = createDecipheriv('aes-256-gcm', keyBytes(key), bytes.subarray(1, 13));
  decipher.setAuthTag(bytes.subarray(13, 29));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(29)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretError(
      'the stored secret does not open with SEXTANT_SECRET_KEY (was the key changed?)',
    );
  }
}
