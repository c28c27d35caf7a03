import type { JobLogLevelName } from '@sextant/domain';
import type { Pool } from 'pg';
import { encodeContent, itemReader, nodeReader } from './items.repository';
import type {
  ItemReader,
  JsonValue,
  NodeReader,
  ProducedItem,
  RaisedAlert,
  RemainingLife,
  SeriesReader,
  TaskContext,
  TaskLogger,
} from './job-type';
import type { TaskOutputs } from './lineage.repository';
import { insertLogs, LogLine, RunRow, setProgress, stepResults, TaskRow } from './runs.repository';
import type { SeriesRepository } from './series.repository';

/** Why an attempt was aborted from outside its code. */
export class TaskAborted extends Error {
  constructor(
    readonly why: 'cancelled' | 'superseded' | 'timeout' | 'shutdown',
    message: string,
  ) {
    super(message);
    this.name = 'TaskAborted';
  }
}

const flushIntervalMs = 500;

/**
 * The context of one attempt. Logs and progress are written as it goes (every half second);
 * reads, items, alerts and estimates are kept until the attempt succeeds and are written
 * with its result.
 */
export class AttemptContext implements TaskContext<Record<string, unknown>> {
  readonly outputs: TaskOutputs = { reads: [], items: [], alerts: [], estimates: [] };
  readonly log: TaskLogger;
  readonly series: SeriesReader;
  readonly items: ItemReader;
  readonly nodes: NodeReader;
  private logs: LogLine[] = [];
  private pendingProgress: { percent: number; message: string | null } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private produced = 0;

  constructor(
    private readonly pool: Pool,
    private readonly run: RunRow,
    private readonly task: TaskRow,
    readonly signal: AbortSignal,
    seriesRepository: SeriesRepository,
    private readonly workerName: string,
    private readonly isFanOutStep: (step: string) => boolean,
  ) {
    const line = (level: JobLogLevelName) => (message: string, data?: Record<string, JsonValue>) =>
      this.addLog(level, message, data);
    this.log = {
      debug: line('debug'),
      info: line('info'),
      warn: line('warn'),
      error: line('error'),
    };
    this.series = {
      find: (nodeId, options) => seriesRepository.find(nodeId, options),
      get: (seriesId) => seriesRepository.get(seriesId),
      read: async (series, from, to) => {
        this.throwIfAborted();
        const points = await seriesRepository.read(series, from, to);
        this.recordRead({ seriesId: series.id, from, to, points: points.times.length });
        return points;
      },
    };
    const items = itemReader(pool, run.ownerId);
    this.items = {
      find: (query) => items.find(query),
      get: (idOrReference) => items.get(idOrReference),
      content: async (itemId) => {
        this.throwIfAborted();
        const body = await items.content(itemId);
        this.addLog('debug', `read the body of item ${itemId}`, {
          itemId,
          bytes: body?.bytes.length ?? 0,
        });
        return body;
      },
    };
    this.nodes = nodeReader(pool);
    this.timer = setInterval(() => void this.flush(), flushIntervalMs);
    this.timer.unref();
  }

  get runId(): string {
    return this.run.id;
  }
  get taskId(): string {
    return this.task.id;
  }
  get step(): string {
    return this.task.step;
  }
  get key(): string {
    return this.task.key;
  }
  get attempt(): number {
    return this.task.attempt;
  }
  get params(): Record<string, unknown> {
    return this.run.params;
  }
  get ownerId(): string {
    return this.run.ownerId;
  }
  get createdAt(): Date {
    return this.run.createdAt;
  }

  progress(percent: number, message?: string): void {
    const clamped = Math.max(0, Math.min(100, Number.isFinite(percent) ? percent : 0));
    this.pendingProgress = { percent: Math.round(clamped * 10) / 10, message: message ?? null };
  }

  results<T extends JsonValue = JsonValue>(step: string): Promise<T[]> {
    return stepResults(this.pool, this.run.id, step, this.isFanOutStep(step)) as Promise<T[]>;
  }

  recordRead(read: { seriesId: string; from: Date; to: Date; points: number }): void {
    this.outputs.reads.push({ ...read });
  }

  produce(item: ProducedItem): string {
    const reference = this.nextReference();
    this.outputs.items.push({
      reference,
      kind: item.kind,
      name: item.name,
      ownerId: item.ownerId ?? this.run.ownerId,
      metadata: item.metadata ?? {},
      ...(item.content ? { content: encodeContent(item.content) } : {}),
    });
    return reference;
  }

  raiseAlert(alert: RaisedAlert): string {
    const reference = this.nextReference();
    this.outputs.alerts.push({ ...alert, reference });
    return reference;
  }

  recordRemainingLife(estimate: RemainingLife): void {
    this.outputs.estimates.push({ ...estimate });
  }

  throwIfAborted(): void {
    if (this.signal.aborted) {
      throw this.signal.reason instanceof Error
        ? this.signal.reason
        : new TaskAborted('cancelled', 'aborted');
    }
  }

  /** References of produced items: unique per task, the same on every attempt. */
  private nextReference(): string {
    return `job:${this.task.id}:${this.produced++}`;
  }

  private addLog(level: JobLogLevelName, message: string, data?: Record<string, JsonValue>) {
    this.logs.push({
      runId: this.run.id,
      taskId: this.task.id,
      attempt: this.task.attempt,
      level,
      message,
      data: data ?? null,
      worker: this.workerName,
      at: new Date(),
    });
  }

  /** Writes the logs and progress gathered since the last flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const logs = this.logs;
      this.logs = [];
      const progress = this.pendingProgress;
      this.pendingProgress = null;
      try {
        if (logs.length) await insertLogs(this.pool, logs);
        if (progress) {
          await setProgress(
            this.pool,
            this.task.id,
            this.task.attempt,
            progress.percent,
            progress.message,
          );
        }
      } catch {
        // Logs and progress are best effort; the outcome is recorded separately.
      }
    });
    return this.flushing;
  }

  /**
   * Stops the periodic flush and hands back the log lines not written yet, for the outcome's
   * transaction to write (the outcome sets the progress).
   */
  async drain(): Promise<LogLine[]> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pendingProgress = null;
    await this.flushing;
    const logs = this.logs;
    this.logs = [];
    return logs;
  }

  /** Stops the periodic flush and writes the logs left (the outcome sets the progress). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pendingProgress = null;
    await this.flush();
  }
}
