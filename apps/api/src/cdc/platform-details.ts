import { eachOf } from '../auth/platform-only.interceptor';
import type { CdcSourceModel } from './cdc-source.model';

/** Sources without the worker process running them (see PlatformOnly); other answers as is. */
export const withoutRunners = eachOf<CdcSourceModel>((source) => {
  const runner = source?.status?.runner;
  if (!runner) return source;
  return {
    ...source,
    status: {
      ...source.status,
      runner: null,
      problems: source.status.problems.map((p) => p.split(runner).join('its process')),
    },
  };
});
