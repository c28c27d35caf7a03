import { describe, expect, it } from '@jest/globals';
import { defineJobType, fanOut, JobType } from './job-type';
import { params } from './params';
import { JobTypeRegistry } from './registry';
import {
  checkJobType,
  initialTasks,
  resultStepOf,
  retryDelaySeconds,
  runProgress,
  taskOptions,
} from './workflow';

const run = async () => null;

function type(steps: JobType['steps'], extra: Partial<JobType> = {}): JobType {
  return defineJobType({
    name: 'demo',
    title: 'Demo',
    description: '',
    params: params({}),
    steps,
    ...extra,
  } as never);
}

describe(checkJobType.name, () => {
  it.each([
    [
      'an unknown dependency',
      type([{ name: 'a', dependsOn: ['b'], run }]),
      'step a depends on b, which is not a step',
    ],
    [
      'a cycle',
      type([
        { name: 'a', dependsOn: ['c'], run },
        { name: 'b', dependsOn: ['a'], run },
        { name: 'c', dependsOn: ['b'], run },
      ]),
      'steps depend on each other in a cycle: a -> c -> b -> a',
    ],
    [
      'two steps of one name',
      type([
        { name: 'a', run },
        { name: 'a', run },
      ]),
      'two steps are named a',
    ],
    ['no steps', type([]), 'has no steps'],
    ['a bad step name', type([{ name: 'A b', run }]), 'step name A b must match'],
    [
      'an unknown result step',
      type([{ name: 'a', run }], { resultStep: 'z' }),
      'resultStep z is not a step',
    ],
    [
      'a zero timeout',
      type([{ name: 'a', run, options: { timeoutSeconds: 0 } }]),
      'timeoutSeconds must be 1-82800',
    ],
  ])('refuses %s', (_what, jobType, message) => {
    expect(() => checkJobType(jobType)).toThrow(message);
  });

  it('refuses a name registered twice', () => {
    const registry = new JobTypeRegistry([type([{ name: 'a', run }])]);
    expect(() => registry.register(type([{ name: 'a', run }]))).toThrow('registered twice');
    expect(() => registry.get('other')).toThrow('no job type other (known: demo)');
  });
});

describe(initialTasks.name, () => {
  it('makes one task per step in dependency order with the options of each', () => {
    const jobType = type(
      [
        { name: 'merge', dependsOn: ['scan', 'load'], run },
        fanOut({ name: 'scan', dependsOn: ['load'], inputs: async () => [], each: run }),
        { name: 'load', run, options: { timeoutSeconds: 30 } },
      ],
      { options: { maxAttempts: 5 } },
    );
    expect(initialTasks(jobType, { backoffSeconds: 2 })).toEqual([
      {
        step: 'load',
        key: 'load',
        dependsOn: [],
        options: { timeoutSeconds: 30, maxAttempts: 5, backoffSeconds: 2 },
      },
      {
        step: 'scan',
        key: 'scan',
        dependsOn: ['load'],
        options: { timeoutSeconds: 600, maxAttempts: 5, backoffSeconds: 2 },
      },
      {
        step: 'merge',
        key: 'merge',
        dependsOn: ['scan', 'load'],
        options: { timeoutSeconds: 600, maxAttempts: 5, backoffSeconds: 2 },
      },
    ]);
    expect(resultStepOf(jobType)).toBe('merge');
    // An override given as undefined keeps the type's value.
    expect(taskOptions(jobType, 'load', { timeoutSeconds: undefined }).timeoutSeconds).toBe(30);
  });
});

describe(retryDelaySeconds.name, () => {
  it.each([
    [5, 1, 5],
    [5, 2, 10],
    [5, 3, 20],
    [0, 4, 0],
    // Capped at an hour.
    [60, 10, 3600],
  ])('backoff %i s after attempt %i waits %i s', (backoff, attempt, expected) => {
    expect(retryDelaySeconds(backoff, attempt)).toBe(expected);
  });
});

describe(runProgress.name, () => {
  it('averages the steps, a fan-out by its per-input tasks once listed', () => {
    expect(runProgress([])).toBe(0);
    expect(
      runProgress([
        { step: 'load', fanned: false, tasks: 1, progressSum: 100 },
        { step: 'scan', fanned: false, tasks: 1, progressSum: 100 },
        // 4 tasks: two done, one half way, one not started: 62.5 %.
        { step: 'scan', fanned: true, tasks: 4, progressSum: 250 },
        { step: 'merge', fanned: false, tasks: 1, progressSum: 0 },
      ]),
      // (100 + 62.5 + 0) / 3
    ).toBe(54.2);
    // A fan-out not listed yet counts its listing task's progress.
    expect(
      runProgress([
        { step: 'scan', fanned: false, tasks: 1, progressSum: 0 },
        { step: 'merge', fanned: false, tasks: 1, progressSum: 0 },
      ]),
    ).toBe(0);
  });
});
