// Lint for the whole tree (`npm run lint`, part of `npm test`): typescript-eslint's
// type-checked rules catch promises nobody awaits, which in workflow code means work that
// continue-as-new can cut off; workflow files may not import Node or I/O modules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/** Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O clients. */
const NODE_BUILTINS = ['fs', 'path', 'http', 'https', 'net', 'crypto', 'child_process', 'os', 'timers'];
const WORKFLOW_IMPORTS = {
  paths: NODE_BUILTINS.map((name) => ({
    name,
    message: 'workflow code runs in the Temporal sandbox: no Node built-ins',
  })),
  patterns: [
    { group: ['node:*'], message: 'workflow code runs in the Temporal sandbox: no Node built-ins' },
    {
      group: [
        '@temporalio/client',
        '@temporalio/worker',
        '@temporalio/activity',
        '@kubernetes/*',
        'pg',
        'pino',
        'express',
      ],
      message: 'workflow code does no I/O: call an activity',
    },
    {
      group: ['**/activities', '**/activities/*', '**/api/*', '**/worker/*', '**/config/*', '**/config'],
      allowTypeImports: true,
      message: 'workflow code imports only domain/ and workflow definitions at runtime (types are fine)',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'console/dist/',
      'coverage/',
      '.temporal/',
      '.k8s/',
      'tools/',
      'data/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // An async function without await is how a sync body meets a promise-returning contract
      // (activities, eventually() predicates); a missing await is caught by no-floating-promises.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'runbooks/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', WORKFLOW_IMPORTS] },
  },
  {
    files: ['console/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    // Event handlers may be async: Preact ignores their result, and each one catches its own errors.
    rules: {
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    // Tests and benchmarks read the API's JSON as it comes: typing every body would restate the
    // zod schemas, and an assertion on the wrong field fails the test anyway.
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  prettier,
);
