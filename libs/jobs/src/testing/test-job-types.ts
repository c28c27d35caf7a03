import { EventEmitter } from 'node:events';
import { defineJobType, fanOut, JobType, TaskContext } from '../job-type';
import { params } from '../params';
import { JobTypeRegistry } from '../registry';

// Job types for the platform's own tests (never registered by the apps): each isolates one
// behaviour of the scheduler. `testEvents` lets a test in the same process see what task code
// observed (e.g. that an attempt was aborted).

export const testEvents = new EventEmitter();

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      testEvents.emit('aborted', { reason: (signal.reason as Error).message });
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const stamp = () => new Date().toISOString();

/** first -> second; first -> fan (one task per input) -> merge (also after second). */
export const testStepsJob = defineJobType({
  name: 'test-steps',
  title: 'Test: steps',
  description: 'Dependencies, fan-out and merge.',
  params: params({
    n: { type: 'integer', title: 'Inputs', default: 3, minimum: 0, maximum: 100 },
    ms: { type: 'integer', title: 'Milliseconds per task', default: 50, minimum: 0 },
  }),
  options: { timeoutSeconds: 60, maxAttempts: 1, backoffSeconds: 0 },
  steps: [
    {
      name: 'first',
      async run(ctx: TaskContext<{ n: number; ms: number }>) {
        await sleep(ctx.params.ms, ctx.signal);
        return { step: 'first', at: stamp() };
      },
    },
    {
      name: 'second',
      dependsOn: ['first'],
      async run(ctx: TaskContext<{ n: number; ms: number }>) {
        const [first] = await ctx.results('first');
        await sleep(ctx.params.ms, ctx.signal);
        return { step: 'second', after: first, at: stamp() };
      },
    },
    fanOut<{ n: number; ms: number }, number>({
      name: 'fan',
      dependsOn: ['first'],
      async inputs(ctx) {
        return Array.from({ length: ctx.params.n }, (_, i) => i * 10);
      },
      async each(ctx, input) {
        await sleep(ctx.params.ms, ctx.signal);
        ctx.progress(100);
        return { input, square: input * input };
      },
    }),
    {
      name: 'merge',
      dependsOn: ['fan', 'second'],
      async run(ctx: TaskContext<{ n: number; ms: number }>) {
        const fan = await ctx.results<{ input: number; square: number }>('fan');
        return { sum: fan.reduce((n, r) => n + r.square, 0), inputs: fan.map((r) => r.input) };
      },
    },
  ],
});

/** One task that waits, reporting progress, until done or aborted. */
export const testSleepJob = defineJobType({
  name: 'test-sleep',
  title: 'Test: sleep',
  description: 'Waits.',
  params: params({
    seconds: { type: 'number', title: 'Seconds', default: 60, minimum: 0 },
    label: { type: 'string', title: 'Label', default: '' },
  }),
  options: { timeoutSeconds: 600, maxAttempts: 1, backoffSeconds: 0 },
  steps: [
    {
      name: 'sleep',
      async run(ctx: TaskContext<{ seconds: number; label: string }>) {
        testEvents.emit('started', { runId: ctx.runId, label: ctx.params.label, at: Date.now() });
        const slices = Math.max(1, Math.round(ctx.params.seconds * 10));
        for (let i = 1; i <= slices; i++) {
          await sleep((ctx.params.seconds * 1000) / slices, ctx.signal);
          ctx.progress((100 * i) / slices);
        }
        return { label: ctx.params.label, at: stamp() };
      },
    },
  ],
});

/** One task that fails its first `failTimes` attempts. */
export const testFlakyJob = defineJobType({
  name: 'test-flaky',
  title: 'Test: flaky',
  description: 'Fails, then succeeds.',
  params: params({
    failTimes: { type: 'integer', title: 'Failures', default: 2, minimum: 0 },
  }),
  options: { timeoutSeconds: 60, maxAttempts: 3, backoffSeconds: 1 },
  steps: [
    {
      name: 'flaky',
      async run(ctx: TaskContext<{ failTimes: number }>) {
        testEvents.emit('attempt', { runId: ctx.runId, attempt: ctx.attempt, at: Date.now() });
        if (ctx.attempt <= ctx.params.failTimes) throw new Error(`flaky attempt ${ctx.attempt}`);
        return { attempt: ctx.attempt };
      },
    },
  ],
});

/**
 * Reads the series of a node, produces an item, raises an alert and records a remaining-life
 * estimate on a machine. With hangOnAttempt, that attempt prints `hanging <task> <attempt>`
 * and waits until it is killed or aborted (the worker-crash test).
 */
export const testOutputsJob = defineJobType({
  name: 'test-outputs',
  title: 'Test: outputs',
  description: 'Lineage and exactly-once results.',
  params: params({
    nodeId: { type: 'node', title: 'Node with series', required: true },
    machineId: { type: 'node', title: 'Machine', required: true },
    from: { type: 'datetime', title: 'From', required: true },
    to: { type: 'datetime', title: 'To', required: true },
    hangOnAttempt: { type: 'integer', title: 'Hang on attempt', default: 0, minimum: 0 },
  }),
  options: { timeoutSeconds: 120, maxAttempts: 3, backoffSeconds: 0 },
  steps: [
    {
      name: 'analyse',
      async run(
        ctx: TaskContext<{
          nodeId: string;
          machineId: string;
          from: string;
          to: string;
          hangOnAttempt: number;
        }>,
      ) {
        const from = new Date(ctx.params.from);
        const to = new Date(ctx.params.to);
        let points = 0;
        for (const series of await ctx.series.find(ctx.params.nodeId)) {
          points += (await ctx.series.read(series, from, to)).times.length;
        }
        const model = ctx.produce({
          kind: 'model',
          name: 'test model',
          metadata: { version: 1, points },
        });
        ctx.raiseAlert({
          nodeId: ctx.params.machineId,
          title: 'Bearing wear',
          priority: 'high',
          failureFrom: new Date('2027-01-10T00:00:00Z'),
          failureTo: new Date('2027-01-20T00:00:00Z'),
          dedupeKey: 'test:bearing',
        });
        ctx.recordRemainingLife({
          nodeId: ctx.params.machineId,
          at: to,
          remaining: 42,
          lower: 30,
          upper: 55,
          unit: 'cycles',
          health: 0.4,
          modelReference: model,
        });
        if (ctx.params.hangOnAttempt === ctx.attempt) {
          console.log(`hanging ${ctx.taskId} ${ctx.attempt}`);
          await sleep(3_600_000, ctx.signal);
        }
        return { points, model, attempt: ctx.attempt, pid: process.pid };
      },
    },
  ],
});

const day = 86_400_000;

/** A window of `days` that ends when the run is made, settled for each run (the schedules test). */
export const testWindowJob = defineJobType({
  name: 'test-window',
  title: 'Test: window',
  description: 'A window of days, settled when the run is made.',
  params: params({
    nodeId: { type: 'node', title: 'Node', required: true },
    from: { type: 'datetime', title: 'From' },
    to: { type: 'datetime', title: 'To' },
    days: { type: 'integer', title: 'Days', default: 7, minimum: 1, maximum: 366 },
  }),
  prepare(p, now) {
    const to = p.to ?? now.toISOString();
    const from = p.from ?? new Date(new Date(to).getTime() - p.days * day).toISOString();
    return { ...p, from, to };
  },
  options: { timeoutSeconds: 60, maxAttempts: 1, backoffSeconds: 0 },
  steps: [
    {
      name: 'window',
      async run(ctx: TaskContext<{ nodeId: string; from?: string; to?: string; days: number }>) {
        return { from: ctx.params.from ?? null, to: ctx.params.to ?? null };
      },
    },
  ],
});

export const testJobTypes: JobType[] = [
  testStepsJob,
  testSleepJob,
  testFlakyJob,
  testOutputsJob,
  testWindowJob,
];

/** The test job types, after `jobTypes` (e.g. the built-in analyses). */
export function testRegistry(jobTypes: JobType[] = []): JobTypeRegistry {
  return new JobTypeRegistry([...jobTypes, ...testJobTypes]);
}
