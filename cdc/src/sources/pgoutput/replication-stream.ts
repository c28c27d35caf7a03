import type { Connection } from 'pg';

/**
 * START_REPLICATION as a pg query (a Submittable): pg routes the CopyBothResponse's CopyData
 * messages to `handleCopyData`, and CopyData we send goes straight to the connection's socket.
 */
export class ReplicationStream {
  readonly text: string;
  private connection: Connection | null = null;
  private settle!: { resolve: () => void; reject: (error: Error) => void };
  /** Settles when the server ends the stream (after `end()`) or fails it. */
  readonly done: Promise<void>;
  /** Resolves when the server starts streaming (CopyBothResponse), rejects if it refuses. */
  readonly started: Promise<void>;
  private start!: { resolve: () => void; reject: (error: Error) => void };

  constructor(
    text: string,
    private readonly onData: (payload: Buffer) => void,
  ) {
    this.text = text;
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // A failure before anyone awaits `done` is reported through it, not as unhandled.
    this.done.catch(() => undefined);
    this.started = new Promise((resolve, reject) => (this.start = { resolve, reject }));
    this.started.catch(() => undefined);
  }

  submit(connection: Connection): void {
    this.connection = connection;
    connection.once('replicationStart', () => this.start.resolve());
    connection.query(this.text);
  }

  /** Sends one CopyData message. */
  send(payload: Buffer): void {
    if (!this.connection) return;
    const header = Buffer.alloc(5);
    header.write('d', 0, 'latin1');
    header.writeUInt32BE(payload.length + 4, 1);
    this.connection.stream.write(Buffer.concat([header, payload]));
  }

  /** Stops reading from the socket (backpressure); the server's keepalives wait too. */
  pause(): void {
    this.connection?.stream.pause();
  }

  resume(): void {
    this.connection?.stream.resume();
  }

  /** Sends CopyDone: the server ends the stream, then the query completes. */
  end(): void {
    this.connection?.stream.write(Buffer.from([0x63, 0, 0, 0, 4]));
  }

  handleCopyData(message: { chunk: Buffer }): void {
    this.onData(message.chunk);
  }

  handleError(error: Error): void {
    this.start.reject(error);
    this.settle.reject(error);
  }

  handleReadyForQuery(): void {
    this.connection = null;
    this.start.resolve();
    this.settle.resolve();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
}
