import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { connectionHint, openSecret, sealSecret, SecretError } from './connection-secret';

const key = randomBytes(32).toString('base64');
const url = 'postgresql://replicator:s3cret@db.example:5432/erp';

describe('connection secrets', () => {
  it('seal and open to the same text, never storing it in the clear', () => {
    const sealed = sealSecret(key, url);
    expect(sealed.includes(Buffer.from('s3cret'))).toBe(false);
    expect(openSecret(key, sealed)).toBe(url);
    // A fresh iv each time.
    expect(sealSecret(key, url).equals(sealed)).toBe(false);
  });

  it('refuse another key, altered bytes and a missing key with a clear reason', () => {
    const sealed = sealSecret(key, url);
    expect(() => openSecret(randomBytes(32).toString('hex'), sealed)).toThrow(/does not open/);
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] ^= 1;
    expect(() => openSecret(key, altered)).toThrow(SecretError);
    expect(() => openSecret(key, Buffer.from([9, 9]))).toThrow(/not in a known format/);
    expect(() => sealSecret(null, url)).toThrow(/SEXTANT_SECRET_KEY is not set/);
  });

  it('hides the password in the hint', () => {
    expect(connectionHint(url)).toBe('postgresql://replicator:***@db.example:5432/erp');
    expect(connectionHint('postgres://u@h/db?password=x&sslmode=require')).toBe(
      'postgres://u@h/db?sslmode=require',
    );
  });
});
