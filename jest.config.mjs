// The four test tiers of STYLE.md as jest projects: `npx jest --selectProjects unit`.
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

// Dates in tests are read and printed in UTC; test workers inherit this process's environment.
process.env.TZ = 'UTC';

// Workspace aliases from tsconfig.base.json, so tests import libraries as the apps do.
const { paths } = JSON.parse(
  readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'),
).compilerOptions;
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([name, [target]]) => [
    `^${name.replace(/[/.]/g, '\\$&')}$`,
    `<rootDir>/${target}`,
  ]),
);

// jest loads global setups and teardowns with Node's require in this process, where no
// moduleNameMapper applies: resolve the same aliases there.
const aliases = new Map(
  Object.entries(paths).map(([name, [target]]) => [name, path.join(root, target)]),
);
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
};

// SWC: Nest's dependency injection needs decorator metadata.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const esmOnly = [
  'mercurius',
  'quick-lru',
  // openapi-typescript's (npm run contracts, run by the contracts test)
  'parse-json',
  'index-to-position',
  'supports-color',
  'change-case',
];

const tier = (name, options) => ({
  displayName: name,
  rootDir: root,
  moduleNameMapper,
  transform: { '^.+\\.(t|j|mj)sx?$': ['@swc/jest', swc] },
  // ESM-only packages that tests load (mercurius's cache, quick-lru; openapi-typescript's
  // dependencies): jest's module system cannot import() without --experimental-vm-modules, so
  // they are compiled to CommonJS like our own code.
  // The last node_modules of a path decides (a package's own nested copies count too).
  transformIgnorePatterns: [`/node_modules/(?!(?:${esmOnly.join('|')})/)(?!.*/node_modules/)`],
  testEnvironment: '<rootDir>/libs/testing/src/jest/environment.ts',
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/', '<rootDir>/apps/portal/\\.next/'],
  // What a tier's global setup starts, it registers with onTeardown(): one teardown stops it.
  ...(options.globalSetup
    ? { globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts' }
    : {}),
  ...options,
});

/** @type {import('jest').Config} */
export default {
  // A worker per core, as vitest had (jest's default leaves one core to itself).
  maxWorkers: '100%',
  projects: [
    tier('unit', {
      testMatch: ['<rootDir>/{apps,libs,cdc,prisma}/**/*.spec.ts'],
      // The portal's pages need Next.js; its plain helpers (lib/) are tested here.
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/dist/',
        '<rootDir>/apps/portal/(app|components|\\.next)/',
      ],
      testEnvironmentOptions: { testTimeout: 5_000, hookTimeout: 10_000 },
    }),
    tier('int', {
      testMatch: ['<rootDir>/{apps,libs,cdc,prisma}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/postgres.global-setup.ts',
      testEnvironmentOptions: { testTimeout: 60_000, hookTimeout: 120_000 },
    }),
    tier('e2e', {
      testMatch: ['<rootDir>/e2e/api/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/e2e/support/stack.global-setup.ts',
      testEnvironmentOptions: { testTimeout: 60_000, hookTimeout: 180_000 },
    }),
    // One file at a time (one Chromium): run it with --runInBand, as scripts/test.mjs does.
    tier('browser', {
      testMatch: ['<rootDir>/e2e/portal/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/e2e/support/stack.global-setup.ts',
      testEnvironmentOptions: { testTimeout: 120_000, hookTimeout: 180_000 },
    }),
  ],
};
