/**
 * `npm run runbook:lint [-- DIR …]`: lints the built-in runbooks, the configured directories
 * (TOURNIQUET_RUNBOOKS, runbooks.dirs) and any given here. Exits 1 naming each problem.
 */
import path from 'node:path';
import { loadConfig } from '../config';
import { lintRunbooks } from '../common/runbook-lint';

const dirs = [...loadConfig().runbookDirs, ...process.argv.slice(2).map((d) => path.resolve(d))];
const problems = lintRunbooks(dirs);
for (const p of problems)
  console.error(
    `${path.relative(process.cwd(), p.file) || p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`,
  );
if (problems.length) {
  console.error(`runbook lint: ${problems.length} problem(s)`);
  process.exit(1);
}
console.error(`runbook lint: ${dirs.length ? `built-ins and ${dirs.join(', ')}` : 'built-ins'}: fine`);
