/**
 * Import rules for this layout (`npm run deps`, part of `npm test`). Runtime imports only:
 * `import type` is erased at compile time and may point anywhere.
 *   domain/     pure decisions: imports only domain/
 *   workflows/  Temporal's deterministic sandbox: @temporalio/workflow and /common, domain/, runbooks/
 *   runbooks/   workflow code too: domain/ and the runbook SDK
 *   api/        never worker/ or activities/ (shared pieces live in common/)
 *   no runtime cycle between folders (or files)
 */
const runtime = { dependencyTypesNot: ['type-only'] };

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A runtime import cycle: move the shared piece to a module both can import.',
      from: {},
      to: { circular: true, ...runtime, viaOnly: runtime },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ holds pure decisions: it imports only domain/.',
      from: { path: '^domain/' },
      to: { pathNot: '^domain/', ...runtime },
    },
    {
      name: 'workflows-are-deterministic',
      severity: 'error',
      comment:
        'Workflow code runs in the Temporal sandbox: only the workflow SDK, zod (runbook parameters), domain/ and runbooks/ at runtime; the runbook list is generated at bundling (worker/bundle.ts).',
      from: { path: '^(workflows|runbooks)/' },
      to: {
        pathNot: [
          '^(domain|workflows|runbooks)/',
          '^node_modules/@temporalio/(workflow|common)/',
          '^node_modules/zod/',
          '^@tourniquet/runbook-set$',
        ],
        ...runtime,
      },
    },
    {
      name: 'api-not-worker',
      severity: 'error',
      comment: 'The API runs without the worker: share through common/ instead.',
      from: { path: '^api/' },
      to: { path: '^(worker|activities)/', ...runtime },
    },
    {
      name: 'common-is-neutral',
      severity: 'error',
      comment: 'common/ is shared by api/, worker/ and activities/: it imports none of them.',
      from: { path: '^common/' },
      to: { path: '^(api|worker|activities)/', ...runtime },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist|console/dist)/' },
  },
};
