import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Workspace aliases from tsconfig.base.json, so tests import libraries as the apps do.
const root = path.dirname(fileURLToPath(import.meta.url));
const tsconfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
// Whole names only: @sextant/jobs must not catch @sextant/jobs/testing.
const alias = Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => ({
  find: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`),
  replacement: path.join(root, target),
}));

// SWC, not esbuild: Nest's dependency injection needs decorator metadata.
const plugins = [
  swc.vite({
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      target: 'es2022',
    },
  }),
];

const shared = { resolve: { alias }, plugins };
const env = { TZ: 'UTC' };

export default defineConfig({
  test: {
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['{apps,libs,cdc,prisma}/**/*.spec.ts'],
          // The portal's pages need Next.js; its plain helpers (lib/) are tested here.
          exclude: ['**/node_modules/**', 'apps/portal/{app,components,.next}/**'],
          env,
        },
      },
      {
        ...shared,
        test: {
          name: 'int',
          include: ['{apps,libs,cdc,prisma}/**/*.int-spec.ts'],
          globalSetup: ['libs/testing/src/postgres.global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['e2e/api/**/*.e2e-spec.ts'],
          globalSetup: ['e2e/support/stack.global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          env: { ...env, SEXTANT_E2E_APPS: 'api,ingest,worker' },
        },
      },
      {
        ...shared,
        test: {
          name: 'browser',
          include: ['e2e/portal/**/*.browser-spec.ts'],
          globalSetup: ['e2e/support/stack.global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          env: { ...env, SEXTANT_E2E_APPS: 'api,portal' },
        },
      },
    ],
  },
});
