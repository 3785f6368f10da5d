/**
 * `npm run runbook:new -- NAME [--dir DIR]`: writes DIR/NAME.ts (a runbook to edit) and
 * DIR/NAME.test.ts (its test with the kit) from scripts/templates; DIR defaults to runbooks/.
 * Outside this repository it also writes DIR/tsconfig.json (if there is none) so an editor
 * and `npx tsc -p DIR` type-check against this checkout's SDK.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function main() {
  const args = process.argv.slice(2);
  const name = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--dir');
  const dirArg = args.includes('--dir') ? args[args.indexOf('--dir') + 1] : undefined;
  if (!name || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name))
    fail('usage: npm run runbook:new -- NAME [--dir DIR]   (NAME in kebab-case, like restart-cache)');
  const dir = path.resolve(dirArg ?? path.join(ROOT, 'runbooks'));
  mkdirSync(dir, { recursive: true });
  const files = { [`${name}.ts`]: 'runbook.ts.txt', [`${name}.test.ts`]: 'runbook.test.ts.txt' };
  for (const file of Object.keys(files))
    if (existsSync(path.join(dir, file))) fail(`${path.join(dir, file)} exists: pick another name`);
  const title = name.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
  for (const [file, template] of Object.entries(files)) {
    const text = readFileSync(path.join(__dirname, 'templates', template), 'utf8');
    writeFileSync(path.join(dir, file), text.replaceAll('__NAME__', name).replaceAll('__TITLE__', title));
    console.log(`wrote ${path.join(dir, file)}`);
  }
  if (!dir.startsWith(ROOT + path.sep) && !existsSync(path.join(dir, 'tsconfig.json'))) {
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(authorTsconfig(dir), null, 2) + '\n');
    console.log(`wrote ${path.join(dir, 'tsconfig.json')} (type-checks against ${ROOT})`);
  }
  console.log(`next: edit it, then
  npm run runbook:lint -- ${dir}
  npm run runbook:test -- ${dir}
  npm run drill -- ${name} --runbooks ${dir} --dry-run --param namespace=… --param deployment=…
  TOURNIQUET_RUNBOOKS=${dir} npm start`);
}

/** The SDK and the test kit by their import names, resolved in this checkout. */
function authorTsconfig(dir: string) {
  const rel = (p: string) => path.relative(dir, path.join(ROOT, p));
  return {
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node', 'jest'],
      typeRoots: [rel('node_modules/@types')],
      baseUrl: '.',
      paths: {
        'tourniquet/runbook': [rel('workflows/runbook-sdk.ts')],
        'tourniquet/testkit': [rel('test/support/runbook-kit.ts')],
      },
    },
    include: ['*.ts'],
  };
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

main();
