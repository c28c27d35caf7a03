import { createBillingRunJob, type BillingEngine } from '@sextant/billing';
import { platformCheckJob, type JobType } from '@sextant/jobs';
import { rulPredictJob, rulTrainJob } from './remaining-life';
import { seriesHealthJob } from './series-health';
import { solarPerformanceJob } from './solar-performance';
import { createTransitSearchJob, TransitSearchJobOptions } from './transit-search';
import { windPerformanceJob } from './wind-performance';

// The analyses built on the job platform (@sextant/jobs), and its own platform-check.

/** What the built-in job types need from the worker's configuration. */
export type BuiltinJobOptions = TransitSearchJobOptions & {
  /** The worker's billing engine, for billing runs. */
  billing?: () => BillingEngine;
};

/**
 * The job types of the platform, configured. Adding one: write it in a file of its own with
 * defineJobType (see series-health.ts) and list it here; the API and the worker pick it up.
 */
export function builtinJobTypesWith(options: BuiltinJobOptions): JobType[] {
  return [
    seriesHealthJob,
    platformCheckJob,
    createTransitSearchJob(options),
    rulTrainJob,
    rulPredictJob,
    windPerformanceJob,
    solarPerformanceJob,
    createBillingRunJob(options.billing),
  ];
}

/** The built-in job types with no configuration (what the API lists and validates). */
export const builtinJobTypes: JobType[] = builtinJobTypesWith({});

export { seriesHealthJob, solarPerformanceJob, windPerformanceJob };
export { rulModelType, rulPredictJob, rulTrainJob } from './remaining-life';
export { createTransitSearchJob, parseDurations, transitSearchJob } from './transit-search';
export type { TransitSearchJobOptions } from './transit-search';
