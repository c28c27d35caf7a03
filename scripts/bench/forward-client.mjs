// A fluentd forward client for the benchmark, sending PackedForward messages as fluent-bit
// does (entries [EventTime, record] packed into one bin, `chunk` asking for an ack), encoded
// before the clock starts, over several connections with a few messages in flight on each.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { decodeMultiStream, encode, ExtensionCodec } from '@msgpack/msgpack';

const extensionCodec = new ExtensionCodec();
class EventTime {
  constructor(seconds, nanos) {
    this.seconds = seconds;
    this.nanos = nanos;
  }
}
extensionCodec.register({
  type: 0,
  encode: (value) => {
    if (!(value instanceof EventTime)) return null;
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, value.seconds);
    view.setUint32(4, value.nanos);
    return bytes;
  },
  decode: (data) => data,
});

/** PackedForward messages of `perMessage` events each (records made by `record(i)`). */
export function packedMessages({ tag, events, perMessage, start, record }) {
  const messages = [];
  for (let first = 0, n = 0; first < events; first += perMessage, n++) {
    const entries = [];
    for (let i = first; i < Math.min(events, first + perMessage); i++)
      entries.push(
        Buffer.from(
          encode([new EventTime(start + Math.floor(i / 1000), (i % 1000) * 1_000_000), record(i)], {
            extensionCodec,
          }),
        ),
      );
    const chunk = `bench-${n}`;
    messages.push({
      chunk,
      bytes: Buffer.from(encode([tag, Buffer.concat(entries), { chunk, size: entries.length }])),
    });
  }
  return messages;
}

/**
 * Sends the messages over `connections` connections (the shared-key handshake first when a key
 * is given), at most `window` unacknowledged on each; resolves when every one is acknowledged.
 */
export async function sendForward({ port, sharedKey, messages, connections, window }) {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      const replies = decodeMultiStream(socket)[Symbol.asyncIterator]();
      const reply = async () => {
        const { value, done } = await replies.next();
        if (done) throw new Error('the server closed the connection');
        return value;
      };
      if (sharedKey) {
        const helo = await reply();
        if (!Array.isArray(helo) || helo[0] !== 'HELO') throw new Error('expected HELO');
        const salt = randomBytes(16);
        const digest = createHash('sha512')
          .update(salt)
          .update('bench')
          .update(helo[1].nonce)
          .update(sharedKey)
          .digest('hex');
        socket.write(encode(['PING', 'bench', salt, digest, '', '']));
        const pong = await reply();
        if (!Array.isArray(pong) || pong[1] !== true) throw new Error(`handshake: ${pong?.[2]}`);
      }
      const waiting = new Set();
      const sendMore = () => {
        while (waiting.size < window && next < messages.length) {
          const message = messages[next++];
          waiting.add(message.chunk);
          socket.write(message.bytes);
        }
      };
      sendMore();
      while (waiting.size > 0) {
        const ack = await reply();
        if (!waiting.delete(ack?.ack)) throw new Error(`unexpected answer ${JSON.stringify(ack)}`);
        sendMore();
      }
      socket.end();
    }),
  );
}

/**
 * The transport's ceiling: a server (run it in a process of its own) that reads messages and
 * acknowledges each at once, storing nothing.
 */
export function sinkSource(port) {
  return `
    const net = require('node:net');
    const { decodeMultiStream, encode } = require('@msgpack/msgpack');
    net.createServer(async (socket) => {
      try {
        for await (const message of decodeMultiStream(socket, { extensionCodec: undefined }))
          socket.write(encode({ ack: message[2].chunk }));
      } catch { socket.destroy(); }
    }).listen(${port}, '127.0.0.1', () => console.log('forward sink ready'));`;
}
