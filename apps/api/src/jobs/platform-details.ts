import { eachOf } from '../auth/platform-only.interceptor';
import type { JobLogPageModel, JobWorkerModel } from './job.model';

/** Workers without their host and pid (see PlatformOnly). */
export const withoutWorkerHosts = eachOf<JobWorkerModel>((worker) => ({
  ...worker,
  host: null,
  pid: null,
}));

/** Log lines without the worker process that wrote them. */
export const withoutLogWorkers = eachOf<JobLogPageModel>((page) => ({
  ...page,
  items: page.items.map((line) => ({ ...line, worker: null })),
}));
