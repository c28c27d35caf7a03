import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
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
      { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
      { sourceTag: 'type:app', notDependOnLibsWithTags: ['type:app', 'type:e2e', ...testing] },
      { sourceTag: 'type:lib', notDependOnLibsWithTags: ['type:app', 'type:e2e', ...testing] },
    ],
  };
}
