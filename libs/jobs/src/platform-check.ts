import { defineJobType, fanOut, TaskContext } from './job-type';
import { params, ParamsOf } from './params';

// platform-check: exercises the job platform itself (fan-out over workers, waits, progress,
// logs, failures and retries, a merge), to see that workers are alive and share the queue.

const schema = params({
  tasks: {
    type: 'integer',
    title: 'Tasks',
    description: 'Tasks to fan out (they spread over the workers).',
    default: 4,
    minimum: 0,
    maximum: 10_000,
  },
  seconds: {
    type: 'number',
    title: 'Seconds per task',
    description: 'How long each task waits, reporting progress.',
    default: 2,
    minimum: 0,
    maximum: 3600,
  },
  failTimes: {
    type: 'integer',
    title: 'Failures per task',
    description: 'Each task fails its first attempts this many times (to see retries).',
    default: 0,
    minimum: 0,
    maximum: 20,
  },
});

type Params = ParamsOf<typeof schema>;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const platformCheckJob = defineJobType({
  name: 'platform-check',
  title: 'Platform check',
  description:
    'Fans out tasks that wait and report progress (optionally failing their first attempts), then merges which workers ran them: a check that the job platform and its workers work.',
  params: schema,
  options: { timeoutSeconds: 3700, maxAttempts: 3, backoffSeconds: 1 },
  steps: [
    fanOut<Params, number>({
      name: 'wait',
      async inputs(ctx) {
        return Array.from({ length: ctx.params.tasks }, (_, i) => i);
      },
      async each(ctx, input) {
        if (ctx.attempt <= ctx.params.failTimes) {
          throw new Error(
            `failing attempt ${ctx.attempt} on purpose (failTimes ${ctx.params.failTimes})`,
          );
        }
        const steps = 10;
        for (let i = 1; i <= steps; i++) {
          await sleep((ctx.params.seconds * 1000) / steps, ctx.signal);
          ctx.progress(
            (i * 100) / steps,
            `waited ${((ctx.params.seconds * i) / steps).toFixed(1)} s`,
          );
        }
        ctx.log.info(`task ${input} done on attempt ${ctx.attempt}`);
        return { task: input, attempt: ctx.attempt, pid: process.pid };
      },
    }),
    {
      name: 'report',
      dependsOn: ['wait'],
      async run(ctx: TaskContext<Params>) {
        const results = await ctx.results<{ task: number; attempt: number; pid: number }>('wait');
        const processes = [...new Set(results.map((r) => r.pid))];
        return {
          tasks: results.length,
          attempts: results.reduce((n, r) => n + r.attempt, 0),
          processes: processes.length,
        };
      },
    },
  ],
});
