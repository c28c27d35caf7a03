import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '.nx/**',
      '.sextant/**',
      'artefacts/**',
      'libs/db/src/generated/**',
      'apps/portal/next-env.d.ts',
      'apps/portal/lib/api-types.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@sextant/*/testing'], message: 'Test helpers: tests only.' }] },
      ],
    },
  },
  {
    // Tests may use the test helpers of @sextant/testing; production code may not.
    files: [
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.e2e-spec.ts',
      '**/*.browser-spec.ts',
      'e2e/**/*.ts',
    ],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(true)],
      'no-restricted-imports': 'off',
    },
  },
  {
    // No import cycles, within a project or across them: the resolver follows the workspace
    // aliases of tsconfig.base.json (and the portal's own), so a cycle through a library counts.
    // Type-only imports are not followed: they are gone at run time.
    files: ['apps/**/*.{ts,tsx}', 'libs/**/*.ts', 'cdc/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['apps/portal/tsconfig.json', 'tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // One configuration and one database pool per process: only an entry point reads the
    // environment and opens the pool, and hands both to the code that needs them.
    files: ['apps/{api,ingest,worker}/src/**/*.ts'],
    ignores: [
      'apps/*/src/main.ts',
      'apps/ingest/src/settle-thread.ts',
      'apps/*/src/testing/**',
      '**/*.spec.ts',
      '**/*.int-spec.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Pool'], NewExpression[callee.property.name='Pool']",
          message: 'Use the pool made in main.ts (injected), not a pool of your own.',
        },
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message:
            'Read the configuration given by main.ts (loadConfig, injected), not process.env.',
        },
        {
          selector: "CallExpression[callee.name='loadConfig'][arguments.length=0]",
          message: 'Use the configuration main.ts loaded (injected) instead of loading it again.',
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
  },
  prettier,
);

function boundaries(tests) {
  const testing = tests ? [] : ['type:testing'];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      // The portal runs in browsers: it may use only code that is safe to ship there.
      { sourceTag: 'scope:portal', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
      { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
      { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
      { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
      { sourceTag: 'scope:cdc', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
      { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
      { sourceTag: 'type:app', notDependOnLibsWithTags: ['type:app', 'type:e2e', ...testing] },
      { sourceTag: 'type:lib', notDependOnLibsWithTags: ['type:app', 'type:e2e', ...testing] },
      // The job platform knows none of the job types, importers and billing built on it; the
      // importers know no analysis.
      {
        sourceTag: 'layer:jobs',
        notDependOnLibsWithTags: ['layer:analyses', 'layer:imports', 'layer:billing'],
      },
      { sourceTag: 'layer:imports', notDependOnLibsWithTags: ['layer:analyses', 'layer:billing'] },
      // Billing rates movements; it knows no analysis or importer.
      { sourceTag: 'layer:billing', notDependOnLibsWithTags: ['layer:analyses', 'layer:imports'] },
    ],
  };
}
