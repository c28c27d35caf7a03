import type { Config } from '@jest/types';
import { runTeardown } from '../provided';

/** Stops what the tier's global setup started (its `onTeardown`). */
export default async function teardown(
  _globalConfig: Config.GlobalConfig,
  project: Config.ProjectConfig,
): Promise<void> {
  await runTeardown(project.displayName?.name ?? '');
}
