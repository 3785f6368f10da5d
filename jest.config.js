/**
 * Tests run against real services started once per run in test/support/global-setup.ts.
 * SWC compiles TypeScript (type-checking is `tsc --noEmit` in `npm test`) and the ESM-only
 * packages @kubernetes/client-node 1.x pulls in, which Jest cannot require on Node 20.
 */
const esm = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose', 'jsonpath-plus', 'rfc4648'];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The cluster tests run on their own (npm run test:cluster, jest.cluster.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
  // Runbook files import the SDK by this name (also tsconfig.json paths and worker/bundle.ts).
  moduleNameMapper: {
    '^tourniquet/runbook$': '<rootDir>/workflows/runbook-sdk.ts',
    '^tourniquet/testkit$': '<rootDir>/test/support/runbook-kit.ts',
  },
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
