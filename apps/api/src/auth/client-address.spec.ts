import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from '@jest/globals';
import { clientAddress, portalProof, portalProofHeader } from './client-address';

const request = (ip: string, headers: Record<string, string>) =>
  ({ ip, headers }) as unknown as FastifyRequest;
const proof = portalProof('k'.repeat(43));

describe(clientAddress.name, () => {
  it.each([
    ['no proof', { 'x-forwarded-for': '6.6.6.6' }, '127.0.0.1'],
    ['a wrong proof', { 'x-forwarded-for': '6.6.6.6', [portalProofHeader]: 'x' }, '127.0.0.1'],
    [
      'the proof',
      { 'x-forwarded-for': '198.51.100.1', [portalProofHeader]: proof },
      '198.51.100.1',
    ],
    // The portal writes one entry; a list is read from its end, as proxies append.
    [
      'the proof, a list',
      { 'x-forwarded-for': '6.6.6.6, 198.51.100.2', [portalProofHeader]: proof },
      '198.51.100.2',
    ],
    [
      'the proof, not an address',
      { 'x-forwarded-for': 'evil', [portalProofHeader]: proof },
      '127.0.0.1',
    ],
    [
      'the proof, IPv4 mapped',
      { 'x-forwarded-for': '::ffff:198.51.100.3', [portalProofHeader]: proof },
      '198.51.100.3',
    ],
  ])('with %s', (_, headers, expected) => {
    expect(clientAddress(request('127.0.0.1', headers), proof)).toBe(expected);
  });

  it('believes no proof when the API has no secret key', () => {
    const headers = { 'x-forwarded-for': '198.51.100.1', [portalProofHeader]: proof };
    expect(clientAddress(request('::ffff:10.0.0.1', headers), null)).toBe('10.0.0.1');
  });
});
