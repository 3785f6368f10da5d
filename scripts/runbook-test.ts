/**
 * `npm run runbook:test -- DIR [jest args]`: runs the runbook tests in DIR (an author's
 * runbooks/) with this engine's test set-up: Temporal, the Kubernetes plane, the test kit.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const [dir, ...rest] = process.argv.slice(2);
if (!dir) {
  console.error('usage: npm run runbook:test -- DIR [jest args]');
  process.exit(1);
}
const jest = spawnSync('npx', ['jest', '--roots', path.resolve(dir), ...rest], {
  cwd: path.resolve(__dirname, '..'),
  stdio: 'inherit',
});
process.exit(jest.status ?? 1);
