import * as Plot from '@observablehq/plot';
import { Chart } from '../../Chart';
import { Section, formatDuration } from '../../ui';
import type { Part } from './part';

const LANES = { status: 'Status', pages: 'Pages' };
const at = (iso: string) => new Date(iso);
const hm = (d: Date) => d.toISOString().slice(11, 16);

/**
 * The course of the incident at a glance: status changes, each milestone planned against
 * when it was met or missed, runbook steps as bars (waiting for approval apart), and pages.
 */
export function Course(p: Part) {
  const i = p.i;
  const now = new Date();
  // To the later of now (or the close) and the last milestone target: planned against met.
  const end = new Date(
    Math.max(
      (i.closed_at ? at(i.closed_at) : now).getTime(),
      ...(i.milestones ?? []).filter((m) => m.status !== 'cancelled').map((m) => Date.parse(m.due_at)),
    ),
  );
  const status = i.timeline
    .filter((e) => e.kind === 'created' || e.kind === 'status' || e.kind === 'acknowledged')
    .map((e) => ({
      at: at(e.at),
      label:
        e.kind === 'created'
          ? 'opened'
          : e.kind === 'acknowledged'
            ? 'acknowledged'
            : e.message.replace(/^Status \S+ → /, '').split(/[ :(]/)[0],
      row: 0,
    }));
  // Close together, labels take turns above and below the line instead of overprinting.
  const span = Math.max(1, end.getTime() - Date.parse(i.created_at));
  status.sort((a, b) => a.at.getTime() - b.at.getTime());
  status.forEach((x, n) => {
    const before = status[n - 1];
    x.row = before && x.at.getTime() - before.at.getTime() < span * 0.08 ? (before.row + 1) % 3 : 0;
  });
  const milestones = (i.milestones ?? []).filter((m) => m.status !== 'cancelled');
  const planned = milestones.map((m) => ({ lane: label(m.name), at: at(m.due_at), status: m.status }));
  const reached = milestones.flatMap((m) =>
    m.at ? [{ lane: label(m.name), due: at(m.due_at), at: at(m.at), status: m.status }] : [],
  );
  const steps = i.runbooks.flatMap((r) =>
    r.steps.map((s) => ({
      lane: `Runbook ${r.name}`,
      from: at(s.started_at),
      to: s.finished_at ? at(s.finished_at) : now,
      status: s.status,
      title: `${s.title}: ${s.status}${s.duration_ms !== undefined ? ` in ${formatDuration(s.duration_ms)}` : ''}`,
    })),
  );
  const waits = i.runbooks.flatMap((r) =>
    r.approvals.map((a) => ({
      lane: `Runbook ${r.name}`,
      from: at(a.requested_at),
      to: a.decided_at ? at(a.decided_at) : now,
      title: `waiting for approval: ${a.title} (${a.status})`,
    })),
  );
  const pages = (i.pages ?? []).map((pg) => ({
    lane: LANES.pages,
    at: at(pg.sent_at),
    title: `${pg.kind} ${pg.to}`,
  }));
  const lanes = [
    LANES.status,
    ...new Set([...planned.map((x) => x.lane), ...steps.map((x) => x.lane)]),
    LANES.pages,
  ];
  const rows = [
    ...status.map((s) => [hm(s.at), LANES.status, s.label]),
    ...milestones.map((m) => [
      hm(at(m.due_at)),
      label(m.name),
      `due; ${m.status}${m.at ? ` at ${hm(at(m.at))}` : ''}`,
    ]),
    ...steps.map((s) => [hm(s.from), s.lane, s.title]),
    ...waits.map((w) => [hm(w.from), w.lane, w.title]),
    ...pages.map((x) => [hm(x.at), LANES.pages, x.title]),
  ].sort((a, b) => a[0].localeCompare(b[0]));
  return (
    <Section title="Course of the incident" id="course">
      <Chart
        title={`Course of ${i.id}`}
        note="(hollow: a milestone's target; filled: met ✓ or missed ✗; bars: runbook steps, hatched while waiting for approval)"
        deps={[
          JSON.stringify([status, milestones, steps, waits, pages, end.getTime() - (end.getTime() % 60_000)]),
        ]}
        plot={(width) => ({
          height: 34 * lanes.length + 50,
          marginLeft: Math.min(170, width / 3),
          x: { type: 'utc', domain: [at(i.created_at), end], label: null },
          y: { domain: lanes, label: null },
          color: {
            domain: ['succeeded', 'running', 'waiting', 'failed', 'skipped', 'met', 'missed', 'pending'],
            range: ['#2e7d32', '#1565c0', '#c79100', '#b00020', '#9e9e9e', '#2e7d32', '#b00020', '#757575'],
          },
          marks: [
            Plot.ruleX(status, { x: 'at', stroke: '#bbb', strokeDasharray: '2,3' }),
            Plot.dot(status, { x: 'at', y: () => LANES.status, fill: 'currentColor', r: 3 }),
            ...[-10, 13, -21].map((dy, row) =>
              Plot.text(
                status.filter((x) => x.row === row),
                { x: 'at', y: () => LANES.status, text: 'label', dy, fontSize: 10 },
              ),
            ),
            Plot.link(reached, { x1: 'due', x2: 'at', y1: 'lane', y2: 'lane', stroke: 'status' }),
            Plot.dot(planned, {
              x: 'at',
              y: 'lane',
              stroke: 'status',
              r: 5,
              title: (d: { at: Date }) => `target ${hm(d.at)}`,
            }),
            Plot.text(reached, {
              x: 'at',
              y: 'lane',
              text: (d: { status: string }) => (d.status === 'met' ? '✓' : '✗'),
              fill: 'status',
              fontSize: 14,
              fontWeight: 'bold',
            }),
            Plot.barX(waits, {
              x1: 'from',
              x2: 'to',
              y: 'lane',
              fill: '#c79100',
              fillOpacity: 0.35,
              stroke: '#c79100',
              strokeDasharray: '3,2',
              insetTop: 4,
              insetBottom: 4,
              title: 'title',
            }),
            Plot.barX(steps, {
              x1: 'from',
              x2: 'to',
              y: 'lane',
              fill: 'status',
              insetTop: 9,
              insetBottom: 9,
              title: 'title',
            }),
            Plot.tickX(pages, { x: 'at', y: 'lane', stroke: '#3d2c8d', strokeWidth: 2, title: 'title' }),
          ],
        })}
        table={{ head: ['Time (UTC)', 'Lane', 'What'], rows }}
      />
    </Section>
  );
}

/** A milestone's name as people say it. */
function label(name: string): string {
  if (name.startsWith('step:')) return `Step ${name.split('/').pop()}`;
  if (name.startsWith('runbook:')) return 'Runbook ETA';
  return name.charAt(0).toUpperCase() + name.slice(1);
}
