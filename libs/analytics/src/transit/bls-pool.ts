// Worker threads that share a BLS periodogram: the period grid is cut into chunks handed out
// to whichever thread is free; the light curve and the output live in SharedArrayBuffers, so
// nothing is copied per chunk.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { check } from '../common/errors';
import {
  blsSetup,
  prepareBls,
  unpackPeriodogram,
  type BlsInput,
  type BlsOptions,
  type BlsPeriodogram,
} from './bls';
import { BLS_STRIDE, blsKernel } from './bls-kernel';

// The worker's whole program: the kernel as source text and a message loop. Jobs are cached
// by id so that chunks of one periodogram do not resend the light curve.
const workerSource = `
'use strict';
const { parentPort } = require('node:worker_threads');
const blsKernel = (${blsKernel.toString()});
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'job') { jobs.set(m.id, m); return; }
  if (m.type === 'forget') { jobs.delete(m.id); return; }
  const j = jobs.get(m.id);
  try {
    blsKernel(j.t, j.wy, j.w, j.sumWy, j.sumW, j.periods, m.from, m.to, j.durations,
      j.binDuration, j.useSnr, j.out);
    parentPort.postMessage({ type: 'done', id: m.id, from: m.from, to: m.to });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', id: m.id, message: String(error && error.stack || error) });
  }
});
`;

interface Job {
  id: number;
  chunks: Array<[number, number]>;
  pending: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  jobs: Set<number>;
  /** Settles when the thread is running (or failed to start). */
  online: Promise<void>;
}

/** Number of worker threads a pool starts by default: the CPUs this process may use. */
export function defaultPoolSize(): number {
  return Math.max(1, os.availableParallelism());
}

/**
 * A pool of worker threads computing BLS periodograms in parallel. Start it once and reuse
 * it (a thread takes tens of milliseconds to start); `close()` ends the threads.
 */
export class BlsPool {
  private readonly slots: Slot[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private closed = false;

  /**
   * `size` threads; each periodogram is cut into about `chunksPerThread` chunks per thread
   * (more chunks balance better when the CPUs are shared with other work).
   */
  constructor(
    readonly size = defaultPoolSize(),
    private readonly chunksPerThread = 8,
  ) {
    check(Number.isInteger(size) && size >= 1, 'threads', 'must be an integer ≥ 1');
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Resolves when every thread has started (optional: jobs wait for them anyway). */
  async ready(): Promise<void> {
    // Waiting keeps the process alive, as a running job does.
    for (const slot of this.slots) slot.worker.ref();
    try {
      await Promise.all(this.slots.map((slot) => slot.online));
    } finally {
      if (this.jobs.size === 0) for (const slot of this.slots) slot.worker.unref();
    }
  }

  private spawn(): Slot {
    const worker = new Worker(workerSource, { eval: true });
    const online = new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    // Only ready() awaits it; a start failure also reaches the jobs through 'error'.
    online.catch(() => undefined);
    const slot: Slot = { worker, busy: false, jobs: new Set(), online };
    worker.on('message', (m: { type: string; id: number; message?: string }) => {
      const job = this.jobs.get(m.id);
      slot.busy = false;
      if (!job) return this.dispatch();
      if (m.type === 'failed') {
        this.finish(job, new Error(`BLS worker failed: ${m.message}`));
      } else if (--job.pending === 0 && job.chunks.length === 0) {
        this.finish(job);
      }
      this.dispatch();
    });
    worker.on('error', (error) => {
      // A thread that died takes its jobs with it; a fresh one takes its place.
      for (const id of slot.jobs) {
        const job = this.jobs.get(id);
        if (job) this.finish(job, error);
      }
      const index = this.slots.indexOf(slot);
      if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
      this.dispatch();
    });
    // After the listeners: adding a 'message' listener refs the thread again. An idle pool
    // does not keep the process alive; a running job does (see periodogramPrepared).
    worker.unref();
    return slot;
  }

  private finish(job: Job, error?: Error): void {
    this.jobs.delete(job.id);
    for (const slot of this.slots) {
      if (slot.jobs.delete(job.id)) slot.worker.postMessage({ type: 'forget', id: job.id });
    }
    if (this.jobs.size === 0) for (const slot of this.slots) slot.worker.unref();
    if (error) job.reject(error);
    else job.resolve();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const job = [...this.jobs.values()].find((j) => j.chunks.length > 0);
      if (!job) return;
      const [from, to] = job.chunks.shift() as [number, number];
      slot.busy = true;
      job.pending++;
      slot.worker.postMessage({ type: 'run', id: job.id, from, to });
    }
  }

  /** The periodogram of a light curve, computed by the pool's threads. */
  async periodogram(
    lc: { time: Float64Array; flux: Float64Array; fluxErr?: Float64Array },
    options: BlsOptions,
  ): Promise<BlsPeriodogram> {
    return this.periodogramPrepared(prepareBls(lc.time, lc.flux, lc.fluxErr, true), options);
  }

  /** As `periodogram`, on a light curve already prepared by `prepareBls` (shared or not). */
  async periodogramPrepared(input: BlsInput, options: BlsOptions): Promise<BlsPeriodogram> {
    if (this.closed) throw new Error('the BLS pool is closed');
    const { binDuration, durations } = blsSetup(options);
    const objective = options.objective ?? 'likelihood';
    const n = options.periods.length;
    const shared = (a: Float64Array) => {
      if (a.buffer instanceof SharedArrayBuffer) return a;
      const copy = new Float64Array(new SharedArrayBuffer(a.length * 8));
      copy.set(a);
      return copy;
    };
    const out = new Float64Array(new SharedArrayBuffer(n * BLS_STRIDE * 8));
    const periods = shared(options.periods);
    const id = this.nextId++;
    const message = {
      type: 'job',
      id,
      t: shared(input.t),
      wy: shared(input.wy),
      w: shared(input.w),
      sumWy: input.sumWy,
      sumW: input.sumW,
      periods,
      durations,
      binDuration,
      useSnr: objective === 'snr',
      out,
    };
    // Several chunks per thread: small enough to balance long and short periods.
    const chunkSize = Math.max(16, Math.ceil(n / (this.size * this.chunksPerThread)));
    const chunks: Array<[number, number]> = [];
    for (let from = 0; from < n; from += chunkSize)
      chunks.push([from, Math.min(n, from + chunkSize)]);
    await new Promise<void>((resolve, reject) => {
      this.jobs.set(id, { id, chunks, pending: 0, resolve, reject });
      for (const slot of this.slots) {
        slot.worker.ref();
        slot.jobs.add(id);
        slot.worker.postMessage(message);
      }
      this.dispatch();
    });
    return unpackPeriodogram(options.periods, out, input.tRef, objective);
  }

  /** Ends the threads; running jobs fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
    for (const job of [...this.jobs.values()])
      this.finish(job, new Error('the BLS pool was closed'));
  }
}
