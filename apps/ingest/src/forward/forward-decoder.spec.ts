import { encode } from '@msgpack/msgpack';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { sharedDataFile } from '@sextant/testing';
import {
  EventTime,
  ForwardDecodeError,
  ForwardDecoder,
  ForwardFrame,
  forwardCodec,
} from './forward-decoder';

// Found above the checkout (also from a git worktree a level deeper), else skipped with a reason.
const capture = sharedDataFile('fluent-forward', 'fluent-bit-forward-mode.msgpack');

const pack = (value: unknown) => Buffer.from(encode(value, { extensionCodec: forwardCodec }));
const s = 1_000_000_000n;
const limit = 64 * 1024;

function decodeAll(bytes: Uint8Array, maxMessageBytes = limit): ForwardFrame[] {
  return new ForwardDecoder({ maxMessageBytes }).push(bytes);
}

function events(frame: ForwardFrame) {
  if (frame.kind !== 'events') throw new Error(`expected events, got ${frame.kind}`);
  return frame;
}

/** A msgpack str header and bytes, as fluentd v0.12 sent packed entries. */
function rawStr(bytes: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = 0xdb;
  header.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([header, bytes]);
}

const entryBytes = Buffer.concat([
  pack([new EventTime(1_700_000_000n * s + 5n), { v: 1.5 }]),
  pack([1_700_000_001, { v: 2 }]),
  pack([1_700_000_002.25, { msg: 'hello' }]),
]);

describe(ForwardDecoder.name, () => {
  (!capture ? it.skip : it)(
    'decodes the fluent-bit capture (Forward mode, EventTime, no option)',
    () => {
      const [frame] = decodeAll(readFileSync(capture!));
      const decoded = events(frame);
      expect(decoded.mode).toBe('forward');
      expect(decoded.tag).toBe('oi');
      expect(decoded.entries).toHaveLength(2);
      // EventTime 1620667108 s + 89187600 ns
      expect(decoded.entries[0].time).toBe(1_620_667_108n * s + 89_187_600n);
      expect(decoded.entries[0].record.cpu_p).toBe(0.25);
      expect(Object.keys(decoded.entries[0].record)).toHaveLength(15); // cpu, user, system × (all + 4 cores)
      expect(decoded.option).toEqual({});
    },
  );
  if (!capture) console.log('skipped the fluent-bit capture: shared/data/fluent-forward is absent');

  it.each([
    {
      name: 'Message mode, integer seconds',
      bytes: pack(['app', 1_700_000_000, { v: 1 }]),
      mode: 'message',
      times: [1_700_000_000n * s],
      option: {},
    },
    {
      name: 'Message mode, float seconds and a chunk',
      bytes: pack(['app', 1_700_000_000.5, { v: 1 }, { chunk: 'c1' }]),
      mode: 'message',
      times: [1_700_000_000n * s + 500_000_000n],
      option: { chunk: 'c1' },
    },
    {
      name: 'Message mode, EventTime',
      bytes: pack(['app', new EventTime(1_700_000_000n * s + 123n), { v: 1 }]),
      mode: 'message',
      times: [1_700_000_000n * s + 123n],
      option: {},
    },
    {
      name: 'Forward mode with size and chunk',
      bytes: pack([
        'app',
        [
          [1, { v: 1 }],
          [2, { v: 2 }],
        ],
        { size: 2, chunk: 'abc' },
      ]),
      mode: 'forward',
      times: [1n * s, 2n * s],
      option: { size: 2, chunk: 'abc' },
    },
    {
      name: 'PackedForward mode (bin)',
      bytes: pack(['app', entryBytes, { size: 3 }]),
      mode: 'packed-forward',
      times: [1_700_000_000n * s + 5n, 1_700_000_001n * s, 1_700_000_002n * s + 250_000_000n],
      option: { size: 3 },
    },
    {
      name: 'PackedForward mode (str, as fluentd v0.12 sent it)',
      bytes: Buffer.concat([Buffer.from([0x92]), pack('app'), rawStr(entryBytes)]),
      mode: 'packed-forward',
      times: [1_700_000_000n * s + 5n, 1_700_000_001n * s, 1_700_000_002n * s + 250_000_000n],
      option: {},
    },
    {
      name: 'CompressedPackedForward mode, two gzip members',
      bytes: pack([
        'app',
        Buffer.concat([gzipSync(entryBytes.subarray(0, 20)), gzipSync(entryBytes.subarray(20))]),
        { compressed: 'gzip', size: 3, chunk: 'z' },
      ]),
      mode: 'compressed-packed-forward',
      times: [1_700_000_000n * s + 5n, 1_700_000_001n * s, 1_700_000_002n * s + 250_000_000n],
      option: { compressed: 'gzip', size: 3, chunk: 'z' },
    },
  ])('decodes $name', ({ bytes, mode, times, option }) => {
    const frames = decodeAll(bytes);
    expect(frames).toHaveLength(1);
    const frame = events(frames[0]);
    expect(frame.mode).toBe(mode);
    expect(frame.tag).toBe('app');
    expect(frame.entries.map((e) => e.time)).toEqual(times);
    expect(frame.option).toEqual(option);
  });

  it('decodes the same messages whether they arrive whole or a byte at a time', () => {
    const stream = Buffer.concat([
      pack(['a', 1, { v: 1 }]),
      pack(null),
      pack(['b', entryBytes]),
      pack(['c', [[3, { v: 3 }]]]),
    ]);
    const whole = decodeAll(stream);
    const decoder = new ForwardDecoder({ maxMessageBytes: limit });
    const pieces: ForwardFrame[] = [];
    for (const byte of stream) pieces.push(...decoder.push(Buffer.from([byte])));
    expect(pieces).toEqual(whole);
    expect(whole.map((f) => f.kind)).toEqual(['events', 'heartbeat', 'events', 'events']);
    // ['a', 1, {v: 1}] is 8 bytes, nil 1
    expect(whole.map((f) => f.offset)).toEqual([0, 8, 9, 9 + pack(['b', entryBytes]).length]);
    expect(decoder.buffered).toBe(0);
  });

  it('reads PING of the handshake', () => {
    const [frame] = decodeAll(pack(['PING', 'client', 'salt', 'f'.repeat(128), '', '']));
    expect(frame).toMatchObject({
      kind: 'ping',
      clientHostname: 'client',
      salt: 'salt',
      sharedKeyDigest: 'f'.repeat(128),
    });
  });

  it('waits for the rest of a truncated message without an error', () => {
    const bytes = pack(['app', [[1, { v: 1 }]], { chunk: 'x' }]);
    const decoder = new ForwardDecoder({ maxMessageBytes: limit });
    expect(decoder.push(bytes.subarray(0, bytes.length - 1))).toEqual([]);
    expect(decoder.buffered).toBe(bytes.length - 1);
    expect(decoder.push(bytes.subarray(bytes.length - 1))).toHaveLength(1);
  });

  const good = pack(['ok', 1, { v: 1 }]);
  it.each([
    {
      name: 'a byte that is no msgpack type',
      bytes: Buffer.from([0xc1]),
      error: /message at byte 0: byte 0xc1 is not a msgpack type/,
    },
    {
      name: 'a bad message after a good one',
      bytes: Buffer.concat([good, Buffer.from([0xc1])]),
      error: new RegExp(`message at byte ${good.length}:`),
    },
    {
      name: 'a number instead of an array',
      bytes: pack(42),
      error: /expected an array \[tag, \.\.\.\], got number/,
    },
    {
      name: 'a tag that is not a string',
      bytes: pack([7, 1, { v: 1 }]),
      error: /the tag \(first element\) must be a string, got number/,
    },
    { name: 'an empty tag', bytes: pack(['', 1, { v: 1 }]), error: /the tag is empty/ },
    {
      name: 'a record that is not a map',
      bytes: pack(['a', 1, [1, 2]]),
      error: /the record must be a map, got array/,
    },
    {
      name: 'a negative time',
      bytes: pack(['a', -1, { v: 1 }]),
      error: /the time must be non-negative seconds or an EventTime, got -1/,
    },
    {
      name: 'a map instead of the events',
      bytes: pack(['a', { v: 1 }]),
      error: /the second element must be entries .* got map/,
    },
    {
      name: 'a bad entry in Forward mode',
      bytes: pack([
        'a',
        [
          [1, { v: 1 }],
          [2, 'text'],
        ],
      ]),
      error: /entry 2 of the message at byte 0: the record must be a map, got string/,
    },
    {
      name: 'an entry that is not [time, record]',
      bytes: pack(['a', [[1]]]),
      error:
        /entry 1 of the message at byte 0: an entry must be \[time, record\], got an array of 1/,
    },
    {
      name: 'a truncated packed entry',
      bytes: pack(['a', entryBytes.subarray(0, entryBytes.length - 3)]),
      error:
        /entry 3 \(byte \d+ of the packed entries\) of the message at byte 0: the entry is cut short/,
    },
    {
      name: 'entries that are not gzip',
      bytes: pack(['a', Buffer.from('not gzip'), { compressed: 'gzip' }]),
      error: /compressed entries are not valid gzip/,
    },
    {
      name: 'an unknown compression',
      bytes: pack(['a', entryBytes, { compressed: 'zstd' }]),
      error: /option compressed "zstd" is not supported: use gzip/,
    },
    {
      name: 'a wrong size option',
      bytes: pack(['a', [[1, { v: 1 }]], { size: 2 }]),
      error: /option size says 2 entries, the message holds 1/,
    },
    {
      name: 'a chunk that is not a string',
      bytes: pack(['a', 1, { v: 1 }, { chunk: 5 }]),
      error: /option chunk must be a string/,
    },
    {
      name: 'an EventTime of 4 bytes',
      bytes: Buffer.concat([
        Buffer.from([0x93]),
        pack('a'),
        Buffer.from([0xd6, 0x00, 0, 0, 0, 1]),
        pack({ v: 1 }),
      ]),
      error: /EventTime must be 8 bytes, got 4/,
    },
    {
      name: 'nesting too deep',
      bytes: Buffer.alloc(100, 0x91),
      error: /nesting deeper than 32 levels/,
    },
    {
      name: 'a map key that is a map',
      bytes: Buffer.from([0x81, 0x80, 0x01]),
      error: /invalid msgpack/,
    },
  ])('rejects $name, naming where', ({ bytes, error }) => {
    expect(() => decodeAll(bytes)).toThrow(error);
    expect(() => decodeAll(bytes)).toThrow(ForwardDecodeError);
  });

  it('refuses an oversized message from its header, before buffering its bytes', () => {
    // str 32 declaring 100 MB: refused after 5 bytes.
    const header = Buffer.from([0x92, 0xa1, 0x61, 0xdb, 0x05, 0xf5, 0xe1, 0x00]);
    expect(() => decodeAll(header, 1024)).toThrow(
      /message is larger than the limit of 1024 bytes \(INGEST_FORWARD_MAX_MESSAGE_BYTES\)/,
    );
    // An array header claiming 2^32-1 items.
    expect(() => decodeAll(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), 1024)).toThrow(
      /larger than the limit/,
    );
  });

  it('refuses entries that decompress beyond the limit', () => {
    const bomb = gzipSync(Buffer.concat(Array.from({ length: 200 }, () => entryBytes)));
    expect(() => decodeAll(pack(['a', bomb, { compressed: 'gzip' }]), 2048)).toThrow(
      /decompressed entries are larger than the limit of 2048 bytes/,
    );
  });

  it('never throws anything but ForwardDecodeError on random bytes', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(
        Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)),
      );
      try {
        decodeAll(bytes, 4096);
      } catch (error) {
        expect(error).toBeInstanceOf(ForwardDecodeError);
      }
    }
  });
});
