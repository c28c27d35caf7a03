import { defaultTaskOptions, isFanOut, JobType, StepDefinition, TaskOptions } from './job-type';

// The pure part of the platform: checking job types, the tasks a run starts with, retry
// delays and progress. No I/O, unit tested in workflow.spec.ts.

const namePattern = /^[a-z][a-z0-9-]{0,99}$/;

export class JobTypeDefinitionError extends Error {
  constructor(type: string, reason: string) {
    super(`job type ${type}: ${reason}`);
    this.name = 'JobTypeDefinitionError';
  }
}

/** Steps in an order where each comes after those it depends on; throws on a cycle. */
export function stepOrder<P>(type: string, steps: StepDefinition<P>[]): StepDefinition<P>[] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: StepDefinition<P>[] = [];
  const visit = (step: StepDefinition<P>, path: string[]) => {
    if (done.has(step.name)) return;
    if (visiting.has(step.name)) {
      throw new JobTypeDefinitionError(
        type,
        `steps depend on each other in a cycle: ${[...path, step.name].join(' -> ')}`,
      );
    }
    visiting.add(step.name);
    for (const dependency of step.dependsOn ?? []) {
      const target = byName.get(dependency);
      if (!target) {
        throw new JobTypeDefinitionError(
          type,
          `step ${step.name} depends on ${dependency}, which is not a step`,
        );
      }
      visit(target, [...path, step.name]);
    }
    visiting.delete(step.name);
    done.add(step.name);
    order.push(step);
  };
  for (const step of steps) visit(step, []);
  return order;
}

/** Refuses a job type the platform could not run: bad names, unknown or cyclic dependencies. */
export function checkJobType(type: JobType): void {
  if (!namePattern.test(type.name)) {
    throw new JobTypeDefinitionError(type.name, `name must match ${namePattern.source}`);
  }
  if (type.steps.length === 0) throw new JobTypeDefinitionError(type.name, 'has no steps');
  const names = new Set<string>();
  for (const step of type.steps) {
    if (!namePattern.test(step.name)) {
      throw new JobTypeDefinitionError(
        type.name,
        `step name ${step.name} must match ${namePattern.source}`,
      );
    }
    if (names.has(step.name)) {
      throw new JobTypeDefinitionError(type.name, `two steps are named ${step.name}`);
    }
    names.add(step.name);
  }
  if (type.resultStep && !names.has(type.resultStep)) {
    throw new JobTypeDefinitionError(type.name, `resultStep ${type.resultStep} is not a step`);
  }
  stepOrder(type.name, type.steps);
  for (const step of type.steps) taskOptions(type, step.name);
}

/** The options of a step's tasks: the step's, else the type's, else the platform's. */
export function taskOptions(
  type: JobType,
  stepName: string,
  overrides: Partial<TaskOptions> = {},
): TaskOptions {
  const step = type.steps.find((s) => s.name === stepName);
  const options = {
    ...defaultTaskOptions,
    ...type.options,
    ...step?.options,
    ...stripUndefined(overrides),
  };
  if (!(options.timeoutSeconds >= 1 && options.timeoutSeconds <= 82_800)) {
    throw new JobTypeDefinitionError(type.name, 'timeoutSeconds must be 1-82800 (23 hours)');
  }
  if (!(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)) {
    throw new JobTypeDefinitionError(type.name, 'maxAttempts must be a whole number >= 1');
  }
  if (!(options.backoffSeconds >= 0)) {
    throw new JobTypeDefinitionError(type.name, 'backoffSeconds must be >= 0');
  }
  return options;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A task a run starts with: one per step. */
export interface PlannedTask {
  step: string;
  key: string;
  dependsOn: string[];
  options: TaskOptions;
}

/** The tasks of a new run, in dependency order (fan-outs add theirs when they list inputs). */
export function initialTasks(type: JobType, overrides: Partial<TaskOptions> = {}): PlannedTask[] {
  return stepOrder(type.name, type.steps).map((step) => ({
    step: step.name,
    key: step.name,
    dependsOn: step.dependsOn ?? [],
    options: taskOptions(type, step.name, overrides),
  }));
}

/** The key of the task of a fan-out step for its input at `position`. */
export function fanOutKey(step: string, position: number): string {
  return `${step}[${position}]`;
}

/** The step whose result is the run's. */
export function resultStepOf(type: JobType): string {
  return type.resultStep ?? stepOrder(type.name, type.steps).at(-1)!.name;
}

export function isFanOutStep(type: JobType, stepName: string): boolean {
  const step = type.steps.find((s) => s.name === stepName);
  return step ? isFanOut(step) : false;
}

const maxBackoffSeconds = 3600;

/**
 * Seconds to wait before the attempt after `failedAttempt` (1-based): backoff, then twice as
 * long for each further failure, at most an hour.
 */
export function retryDelaySeconds(backoffSeconds: number, failedAttempt: number): number {
  return Math.min(maxBackoffSeconds, backoffSeconds * 2 ** Math.max(0, failedAttempt - 1));
}

/** Tasks of a run summed per step, as the repository reads them. */
export interface StepTally {
  step: string;
  /** Whether these are the per-input tasks of a fan-out (not the task that listed them). */
  fanned: boolean;
  tasks: number;
  /** Sum over the tasks of their progress, a succeeded task counting 100. */
  progressSum: number;
}

/**
 * A run's progress in percent: the mean of its steps' progress, a fan-out step's being the
 * mean of its per-input tasks once it has listed them (0 before).
 */
export function runProgress(tallies: StepTally[]): number {
  const steps = new Map<string, { own?: StepTally; fanned?: StepTally }>();
  for (const tally of tallies) {
    const entry = steps.get(tally.step) ?? {};
    if (tally.fanned) entry.fanned = tally;
    else entry.own = tally;
    steps.set(tally.step, entry);
  }
  if (steps.size === 0) return 0;
  let sum = 0;
  for (const { own, fanned } of steps.values()) {
    if (fanned && fanned.tasks > 0) sum += fanned.progressSum / fanned.tasks;
    else if (own && own.tasks > 0) sum += own.progressSum / own.tasks;
  }
  return Math.round((sum / steps.size) * 10) / 10;
}
