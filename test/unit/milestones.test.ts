import { parseDuration } from '../../domain/duration';
import { DEFAULT_ESCALATION } from '../../domain/escalation';
import { newIncident } from '../../domain/incident';
import {
  describePlan,
  milestoneLabel,
  parseMilestoneName,
  planSeverityMilestones,
  runbookMilestone,
  stepMilestone,
} from '../../domain/milestones';

describe('milestone names', () => {
  it('round-trip through the parser for runbooks and their steps', () => {
    expect(parseMilestoneName(runbookMilestone('INC-7-rb-1'))).toEqual({
      kind: 'runbook',
      runId: 'INC-7-rb-1',
    });
    expect(parseMilestoneName(stepMilestone('INC-7-rb-1', 'wait-rollout'))).toEqual({
      kind: 'step',
      runId: 'INC-7-rb-1',
      stepId: 'wait-rollout',
    });
    expect(parseMilestoneName('handoff#2')).toEqual({ kind: 'past-handoff', n: 2 });
    expect(() => parseMilestoneName('constructor')).toThrow(/not a milestone name/);
  });

  it('read as people say them on the timeline', () => {
    expect(milestoneLabel('mitigate')).toBe('Mitigate');
    expect(milestoneLabel(stepMilestone('INC-7-rb-1', 'wait'))).toBe('Runbook step INC-7-rb-1/wait');
  });
});

describe('a SEV1 opened at 03:00 UTC', () => {
  it('plans acknowledge in 3 min, mitigate in 30 min, updates every 15 min, a commander in 10 min (no resolve target), and keeps met ones met', () => {
    const i = newIncident(
      'INC-1',
      { title: 't', description: 'd', severity: 'SEV1', affected_services: [] },
      'pat',
      '2026-11-29T03:00:00.000Z',
    );
    i.milestones = [];
    planSeverityMilestones(i, DEFAULT_ESCALATION, DEFAULT_ESCALATION.severities.SEV1);
    expect(describePlan(i.milestones)).toBe(
      'acknowledge by 03:03 UTC, mitigate by 03:30 UTC, update by 03:15 UTC, commander by 03:10 UTC',
    );
    i.acknowledged_at = '2026-11-29T03:02:00.000Z';
    i.milestones[0].status = 'met';
    planSeverityMilestones(i, DEFAULT_ESCALATION, DEFAULT_ESCALATION.severities.SEV1);
    expect(i.milestones.find((m) => m.name === 'acknowledge')?.status).toBe('met');
  });
});

describe('one duration syntax for config, ETAs and the catalogue', () => {
  it.each([
    ['90s', 90],
    ['10m', 600],
    ['1h', 3600],
    ['2d', 172_800],
  ])('%s is %d seconds', (text, seconds) => expect(parseDuration(text)).toBe(seconds));
  it.each(['', '10', 'm', '1.5h', '10 m', '-1s'])('%j is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});
