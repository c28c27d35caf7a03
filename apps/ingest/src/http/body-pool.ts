import type { Readable } from 'node:stream';

// Request bodies of a busy gateway are large (hundreds of KB) and short-lived: allocating each
// afresh makes V8 collect its whole heap every few dozen requests (it counts such memory
// against its limits). Bodies are read into buffers that go back to a pool once answered.

const smallest = 64 * 1024;

/** Error with the HTTP status the gateway answers for it. */
export class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Buffers for request bodies, in sizes of powers of two, reused once a request is answered. */
export class BodyPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private pooledBytes = 0;
  /** The views handed out (a body released twice, or one not from here, is ignored). */
  private readonly lent = new WeakSet<Buffer>();

  constructor(private readonly maxPooledBytes = 16 * 1024 * 1024) {}

  /** A buffer of `size` bytes (contents undefined). */
  acquire(size: number): Buffer {
    let capacity = smallest;
    while (capacity < size) capacity *= 2;
    const memory = this.free.get(capacity)?.pop();
    if (memory) this.pooledBytes -= capacity;
    const buffer = Buffer.from(memory ?? new ArrayBuffer(capacity), 0, size);
    this.lent.add(buffer);
    return buffer;
  }

  /** Gives a buffer from acquire() back; it must not be used afterwards. */
  release(buffer: unknown): void {
    if (!Buffer.isBuffer(buffer) || !this.lent.has(buffer)) return;
    this.lent.delete(buffer);
    const memory = buffer.buffer as ArrayBuffer;
    if (this.pooledBytes + memory.byteLength > this.maxPooledBytes) return;
    const list = this.free.get(memory.byteLength) ?? [];
    list.push(memory);
    this.free.set(memory.byteLength, list);
    this.pooledBytes += memory.byteLength;
  }

  /**
   * Reads a request body into a pooled buffer: at most `maxBytes` (else a 413 BodyError), and
   * exactly the declared Content-Length when there is one (else a 400 BodyError).
   */
  read(stream: Readable, declared: number | null, maxBytes: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (declared !== null && declared > maxBytes) {
        stream.resume();
        reject(new BodyError(413, `request body exceeds ${maxBytes} bytes`));
        return;
      }
      let body = this.acquire(declared ?? smallest);
      let length = 0;
      let failed = false;
      const fail = (error: BodyError) => {
        if (failed) return;
        failed = true;
        this.release(body);
        stream.resume();
        reject(error);
      };
      stream.on('data', (chunk: Buffer) => {
        if (failed) return;
        const needed = length + chunk.length;
        if (needed > maxBytes)
          return fail(new BodyError(413, `request body exceeds ${maxBytes} bytes`));
        if (declared !== null && needed > declared)
          return fail(
            new BodyError(400, `request body is longer than its Content-Length ${declared}`),
          );
        if (needed > body.length) {
          const larger = this.acquire(Math.min(maxBytes, Math.max(needed, body.length * 2)));
          body.copy(larger, 0, 0, length);
          this.release(body);
          body = larger;
        }
        chunk.copy(body, length);
        length = needed;
      });
      stream.on('error', (error: Error) =>
        fail(new BodyError(400, `request body: ${error.message}`)),
      );
      stream.on('aborted', () => fail(new BodyError(400, 'the client aborted the request')));
      stream.on('end', () => {
        if (failed) return;
        if (declared !== null && length !== declared)
          return fail(
            new BodyError(
              400,
              `request body has ${length} bytes, its Content-Length says ${declared}`,
            ),
          );
        const view = body.subarray(0, length);
        this.lent.delete(body);
        this.lent.add(view);
        resolve(view);
      });
    });
  }
}
