/**
 * A SEV4 opens a team ticket (seed 004's severity table) through GitHub's Issues API — a
 * loopback receiver built from its documented shapes — exactly once, even when the reply to
 * the create is lost and the activity retries.
 */
import { eventually, startEngine, TestEngine } from './support/engine';
import { FakeGitHub, startGitHub } from './support/github';

let engine: TestEngine;
let github: FakeGitHub;

beforeAll(async () => {
  github = await startGitHub('acme/backlog', 'gh-test-token');
  engine = await startEngine({
    escalation: {
      notifiers: [
        { name: 'tickets', type: 'github', url: github.url, repo: 'acme/backlog', token: 'gh-test-token' },
      ],
    },
  });
});
afterAll(async () => {
  await engine?.close();
  await github?.close();
});

const declare = async (severity: string, title: string) =>
  (
    await engine.call('POST', '/api/v1/incidents', {
      body: { title, description: 'typo on the pricing page', severity, affected_services: ['web'] },
    })
  ).body.id as string;

it('a SEV4 opens exactly one team ticket, labelled with the incident, though the first reply was lost', async () => {
  github.loseReplies = 1;
  const id = await declare('SEV4', 'Pricing page typo');
  const issue = await eventually(async () => github.issues.find((i) => i.labels.includes(`incident:${id}`)));
  expect(issue.title).toBe(`[${id}] Pricing page typo`);
  expect(issue.body).toContain(`**SEV4 ${id}**`);
  expect(issue.labels).toEqual(['tourniquet', `incident:${id}`]);
  // The retry after the lost reply found the issue by its label instead of opening another.
  await eventually(async () => {
    const pages = (await engine.call('GET', `/api/v1/incidents/${id}`)).body.pages;
    return pages.find((p: any) => p.kind === 'ticket')?.delivered_at;
  });
  expect(github.issues.filter((i) => i.labels.includes(`incident:${id}`))).toHaveLength(1);
  expect(github.loseReplies).toBe(0);
}, 60_000);

it('a SEV3 opens no ticket', async () => {
  const before = github.issues.length;
  const id = await declare('SEV3', 'Slow admin page');
  await eventually(
    async () => (await engine.call('GET', `/api/v1/incidents/${id}`)).body.milestones?.length > 0,
  );
  await new Promise((r) => setTimeout(r, 1000));
  expect(github.issues).toHaveLength(before);
});
