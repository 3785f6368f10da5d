/**
 * `npm run test:cluster`: the engine as separate worker and API processes on Temporal's own
 * server with PostgreSQL (test/cluster/). Each file starts what it needs; no shared dev server.
 */
const base = require('./jest.config');
module.exports = {
  ...base,
  roots: ['<rootDir>/test/cluster'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 300_000,
  maxWorkers: 1,
};
