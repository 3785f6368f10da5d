/** The runbook lint names each problem a responder would trip on, with file and line. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lintRunbooks } from '../../common/runbook-lint';

const SLOPPY = `import { defineRunbook, z } from 'tourniquet/runbook';
import { readFileSync } from 'node:fs';

export default defineRunbook({
  meta: {
    name: 'sloppy',
    owner: 'someone',
    description: 'restarts',
    version: '1.0.0',
    triggers: [],
    escalation: 'oncall',
    eta: '5m',
    params: z.object({ namespace: z.string(), deployment: z.string().describe('Deployment') }),
  },
  async run(ctx) {
    const impact = 'high' as const;
    await ctx.step({ id: 'a', title: 'A', impact: 'low', what: '' }, async () => readFileSync('/etc/hostname'));
    await ctx.step({ id: 'a', title: 'B', impact, what: 'do b' }, async () => 1);
    return 'done';
  },
});
`;

it('finds triggers, description, undescribed parameters, steps without a what, duplicate ids, foreign imports', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-lint-'));
  writeFileSync(path.join(dir, 'sloppy.ts'), SLOPPY);
  const problems = lintRunbooks([dir]).map(
    (p) => `${path.basename(p.file)}${p.line ? `:${p.line}` : ''} ${p.message}`,
  );
  expect(problems).toEqual([
    expect.stringMatching(/^sloppy.ts no triggers/),
    expect.stringMatching(/^sloppy.ts description/),
    'sloppy.ts parameter "namespace" has no description (.describe(\'…\'))',
    expect.stringMatching(/^sloppy.ts:2 imports "node:fs"/),
    expect.stringMatching(/^sloppy.ts:17 a low step needs a "what"/),
    expect.stringMatching(/^sloppy.ts:18 step id "a" is used twice/),
    expect.stringMatching(/^sloppy.ts:18 step impact: a literal/),
  ]);
  expect(lintRunbooks()).toEqual([]); // the built-ins are clean
});
