import * as protocol from '@fluent-org/logger/build/src/protocol';
import { createHash } from 'node:crypto';
import { sharedKeyOf } from '@sextant/ingest';
import { describe, expect, it } from '@jest/globals';
import { ForwardDecoder } from './forward-decoder';
import { matchSharedKey, newHelo, pong, sharedKeyDigest } from './forward-handshake';

// The other side of every exchange is @fluent-org/logger's own protocol code, so the
// handshake is checked against a real client's implementation.
describe('forward handshake', () => {
  const token = 'sxt_example-token';
  const key = sharedKeyOf(token);
  const candidate = (k: string) => ({ key: k });

  function clientPing(sharedKey: string) {
    const { nonce, helo } = newHelo(true);
    const message = protocol.decodeServerMessage(helo);
    expect(protocol.isHelo(message)).toBe(true);
    const options = protocol.parseHelo(message as protocol.HeloMessage);
    expect(options.auth).toBe(''); // no username/password step
    const sharedKeyInfo = { salt: 'client-salt', nonce: options.nonce, key: sharedKey };
    const ping = protocol.generatePing('client.example', sharedKeyInfo);
    const [frame] = new ForwardDecoder({ maxMessageBytes: 1 << 16 }).push(
      protocol.encodeMessage(ping),
    );
    if (frame.kind !== 'ping') throw new Error('expected PING');
    return { nonce, frame, sharedKeyInfo };
  }

  it('uses the sha256 of the token as the shared key, as agents were told', () => {
    expect(key).toBe(createHash('sha256').update(token).digest('hex'));
  });

  it('accepts a client that knows the key, and the client accepts the PONG', () => {
    const { nonce, frame, sharedKeyInfo } = clientPing(key);
    const matched = matchSharedKey(frame, nonce, [candidate('0'.repeat(64)), candidate(key)]);
    expect(matched?.key).toBe(key);
    const answer = pong(true, '', 'gateway', sharedKeyDigest(frame.salt, 'gateway', nonce, key));
    const message = protocol.decodeServerMessage(answer);
    expect(protocol.isPong(message)).toBe(true);
    expect(() =>
      protocol.checkPong(message as protocol.PongMessage, 'client.example', sharedKeyInfo),
    ).not.toThrow();
  });

  it('refuses a client with another key, and the client sees why', () => {
    const { nonce, frame, sharedKeyInfo } = clientPing(sharedKeyOf('sxt_other'));
    expect(matchSharedKey(frame, nonce, [candidate(key)])).toBeNull();
    const message = protocol.decodeServerMessage(pong(false, 'shared key mismatch', 'gateway', ''));
    expect(() =>
      protocol.checkPong(message as protocol.PongMessage, 'client.example', sharedKeyInfo),
    ).toThrow(/shared key mismatch/);
  });

  it('refuses a digest made for another nonce', () => {
    const { frame } = clientPing(key);
    expect(matchSharedKey(frame, newHelo(true).nonce, [candidate(key)])).toBeNull();
  });
});
