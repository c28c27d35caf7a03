// Helpers of the job platform's integration tests, for its own and those of the job types
// built on it (@sextant/analyses). Tests only: production code never imports them.
export * from './fixtures';
export * from './harness';
export * from './test-job-types';
