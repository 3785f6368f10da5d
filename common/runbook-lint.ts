/**
 * Runbook lint (`npm run runbook:lint`, part of `npm test`): what the catalogue's schema
 * cannot see. Metadata a responder relies on at 3 a.m. (owner, description, triggers,
 * escalation target, eta, every parameter described) and, read from the source, every step
 * with a literal impact and a `what` a human can approve, unique step ids, and no imports but
 * the SDK (a runbook is workflow code: anything else may do I/O or break determinism).
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { IMPACTS } from '../domain/runbook';
import { loadRunbooks, RunbookCatalogError } from './runbook-catalog';

export const SDK_IMPORT = 'tourniquet/runbook';

export interface LintProblem {
  file: string;
  line?: number;
  message: string;
}

/** Lints every runbook in the built-ins and `dirs`; [] when all is well. */
export function lintRunbooks(dirs: readonly string[] = []): LintProblem[] {
  let entries;
  try {
    entries = loadRunbooks(dirs);
  } catch (err) {
    if (err instanceof RunbookCatalogError) return [{ file: '(catalogue)', message: err.message }];
    throw err;
  }
  return entries.flatMap(({ file, def }) => [
    ...metaProblems(def.meta).map((message) => ({ file, message })),
    ...sourceProblems(file),
  ]);
}

function metaProblems(meta: {
  triggers: unknown[];
  params: Record<string, string>;
  description: string;
}): string[] {
  const problems: string[] = [];
  if (meta.triggers.length === 0)
    problems.push('no triggers: say which alerts (labels, services, severities) it answers');
  if (meta.description.length < 20) problems.push('description: say what it does in a sentence');
  for (const [name, text] of Object.entries(meta.params))
    if (!text.trim()) problems.push(`parameter "${name}" has no description (.describe('…'))`);
  return problems;
}

function sourceProblems(file: string): LintProblem[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const problems: LintProblem[] = [];
  const at = (node: ts.Node, message: string) =>
    problems.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, message });
  const stepIds = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (node.moduleSpecifier.text !== SDK_IMPORT)
        at(node, `imports "${node.moduleSpecifier.text}": a runbook imports only '${SDK_IMPORT}'`);
    }
    if (isStepCall(node)) checkStep(node, at, stepIds);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
}

/** `ctx.step(spec, action)` (any receiver named ctx or a destructured `step`). */
function isStepCall(node: ts.Node): node is ts.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'step';
}

function checkStep(call: ts.CallExpression, at: (n: ts.Node, m: string) => void, ids: Set<string>) {
  const spec = call.arguments[0];
  if (!spec || !ts.isObjectLiteralExpression(spec)) {
    at(call, 'step spec: write it inline ({ id, title, impact, what }) so it can be checked');
    return;
  }
  const prop = (name: string) =>
    spec.properties.find(
      (p): p is ts.PropertyAssignment =>
        ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name,
    )?.initializer;
  const id = prop('id');
  if (id && ts.isStringLiteral(id)) {
    if (ids.has(id.text)) at(spec, `step id "${id.text}" is used twice: ids key idempotent actions`);
    ids.add(id.text);
  }
  const impact = prop('impact');
  if (!impact || !ts.isStringLiteral(impact) || !(IMPACTS as readonly string[]).includes(impact.text)) {
    at(spec, `step impact: a literal, one of ${IMPACTS.join(', ')}`);
    return;
  }
  const what = prop('what');
  const empty = !what || (ts.isStringLiteral(what) && what.text.trim().length < 5);
  if (impact.text !== 'read' && empty)
    at(spec, `a ${impact.text} step needs a "what": the approver reads it before anything changes`);
}
