import type { JobType } from '../job-type';
import { platformCheckJob } from './platform-check';
import { seriesHealthJob } from './series-health';

/**
 * The job types of the platform. Adding one: write it in a file of its own with
 * defineJobType (see series-health.ts) and list it here; the API and the worker pick it up.
 */
export const builtinJobTypes: JobType[] = [seriesHealthJob, platformCheckJob];

export { platformCheckJob, seriesHealthJob };
