import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { providedVariable } from '../provided';

/**
 * Node's test environment with what jest sets only for a whole run, set here per tier
 * (jest.config.mjs's `testEnvironmentOptions`): the timeouts of tests and of hooks that name
 * none of their own (`testTimeout`, `hookTimeout`), and the values the tier's global setup
 * provided (`inject()`).
 */
export default class TierEnvironment extends TestEnvironment {
  private readonly testTimeout: number | undefined;
  private readonly hookTimeout: number | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const options = config.projectConfig.testEnvironmentOptions;
    const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
    this.testTimeout = number(options.testTimeout);
    this.hookTimeout = number(options.hookTimeout) ?? this.testTimeout;
    const tier = config.projectConfig.displayName?.name;
    if (tier) {
      const { from, to } = providedVariable(tier);
      if (process.env[from] !== undefined) this.global.process.env[to] = process.env[from];
    }
  }

  handleTestEvent(event: Circus.Event, state: Circus.State): void {
    if (event.name === 'add_hook' && event.timeout === undefined && this.hookTimeout) {
      const hook = state.currentDescribeBlock.hooks.at(-1);
      if (hook?.fn === event.fn) hook.timeout = this.hookTimeout;
    }
    if (event.name === 'add_test' && event.timeout === undefined && this.testTimeout) {
      const test = state.currentDescribeBlock.tests.at(-1);
      if (test?.fn === event.fn) test.timeout = this.testTimeout;
    }
  }
}
