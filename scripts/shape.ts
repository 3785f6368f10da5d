/**
 * `npm run shape`: the ten longest functions and files, so anyone can see where the code is
 * growing a hub. A function's length is its own lines: functions nested in it (a factory's
 * methods, a handler's callbacks) are measured on their own. Goals (issue #14): no function
 * in workflows/, api/ or activities/ over about 80 lines, no file in workflows/ over about
 * 250. `--check` (part of `npm test`) fails past those goals.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..');
const FOLDERS = [
  'domain',
  'common',
  'workflows',
  'runbooks',
  'activities',
  'worker',
  'api',
  'config',
  'console/src',
];
const FUNCTION_GOAL = 80;
const WORKFLOW_FILE_GOAL = 250;
const GOVERNED = /^(workflows|api|activities)\//;

const files = FOLDERS.flatMap((f) => walk(path.join(root, f)));
const lineCount = (text: string) => text.split('\n').length;

interface Fn {
  where: string;
  name: string;
  lines: number;
}
const functions: Fn[] = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const rel = path.relative(root, file);
  const visit = (node: ts.Node) => {
    if (isFunction(node)) {
      const start = lineOf(source, node.getStart());
      const lines = lineOf(source, node.getEnd()) - start + 1 - nestedLines(source, node.body);
      functions.push({ where: `${rel}:${start + 1}`, name: nameOf(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

const sizes = files.map((f) => ({ file: path.relative(root, f), lines: lineCount(readFileSync(f, 'utf8')) }));
console.log('Longest functions:');
for (const f of [...functions].sort((a, b) => b.lines - a.lines).slice(0, 10)) {
  console.log(`  ${String(f.lines).padStart(4)}  ${f.name}  ${f.where}`);
}
console.log('Longest files:');
for (const f of [...sizes].sort((a, b) => b.lines - a.lines).slice(0, 10)) {
  console.log(`  ${String(f.lines).padStart(4)}  ${f.file}`);
}

if (process.argv.includes('--check')) {
  const long = functions.filter((f) => GOVERNED.test(f.where) && f.lines > FUNCTION_GOAL);
  const big = sizes.filter((f) => f.file.startsWith('workflows/') && f.lines > WORKFLOW_FILE_GOAL);
  for (const f of long)
    console.error(`function over ${FUNCTION_GOAL} lines: ${f.name} ${f.where} (${f.lines})`);
  for (const f of big)
    console.error(`workflow file over ${WORKFLOW_FILE_GOAL} lines: ${f.file} (${f.lines})`);
  if (long.length || big.length) process.exit(1);
}

type FunctionNode = ts.SignatureDeclaration & { body: ts.Node };
function isFunction(node: ts.Node): node is FunctionNode {
  return ts.isFunctionLike(node) && 'body' in node && !!node.body;
}
function lineOf(source: ts.SourceFile, pos: number): number {
  return source.getLineAndCharacterOfPosition(pos).line;
}

/** Lines taken by the outermost functions nested in `node` (counted as their own functions). */
function nestedLines(source: ts.SourceFile, node: ts.Node): number {
  let lines = 0;
  ts.forEachChild(node, (child) => {
    if (isFunction(child)) lines += lineOf(source, child.getEnd()) - lineOf(source, child.getStart()) + 1;
    else lines += nestedLines(source, child);
  });
  return lines;
}

function nameOf(node: ts.SignatureDeclaration): string {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return walk(p);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}
