import * as Plot from '@observablehq/plot';
import { useState } from 'preact/hooks';
import { call } from '../api';
import { Chart, SEVERITY_COLORS, shortDuration } from '../Chart';
import { ErrorNote, usePoll } from '../ui';
import { SEVERITIES } from '../../../domain/severity';
import { HISTOGRAM_EDGES } from '../../../domain/histogram';

type Bucket = { le: number | null; count: number };
type Dist = {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  histogram: Bucket[];
};
interface Metrics {
  total: number;
  by_severity: Record<
    string,
    {
      count: number;
      mtta_seconds: Dist;
      mttr_seconds: Dist;
      per_week: { week_start: string; count: number }[];
      sla: Record<'acknowledge' | 'mitigate', { within_target: number; counted: number; pct: number | null }>;
    }
  >;
  recurrence: {
    by_dedup_key: { key: string; count: number }[];
    by_service: { key: string; count: number }[];
  };
  postmortems: { count: number; all_action_items_closed: number; pct_all_action_items_closed: number | null };
}
interface Load {
  responders: {
    person: string;
    pages: number;
    off_hours_pages: number;
    weeks: { week_start: string; pages: number; off_hours_pages: number }[];
  }[];
}

const PERIODS = [7, 30, 90, 180] as const;
const DAY = 86_400_000;

/** For a team lead: how fast, how often, how well, and who carries the pager. */
export function Insights({ token }: { token: string }) {
  const [days, setDays] = useState<number>(30);
  const [service, setService] = useState('');
  const services = usePoll(
    () => call<{ services: { name: string }[] }>(token, 'GET', '/api/v1/services'),
    [],
    60_000,
  );
  const from = new Date(Math.floor((Date.now() - days * DAY) / 60_000) * 60_000).toISOString();
  const q = `from=${encodeURIComponent(from)}${service ? `&service=${encodeURIComponent(service)}` : ''}`;
  const m = usePoll(() => call<Metrics>(token, 'GET', `/api/v1/metrics/incidents?${q}`), [q], 60_000);
  const load = usePoll(
    () => call<Load>(token, 'GET', `/api/v1/oncall/load?since=${encodeURIComponent(from)}`),
    [from],
    60_000,
  );
  return (
    <main class="container insights">
      <h2>Insights</h2>
      <form class="inline-form" aria-label="Period and service" onSubmit={(e) => e.preventDefault()}>
        <label>
          Period{' '}
          <select aria-label="Period" value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {PERIODS.map((d) => (
              <option value={d}>last {d} days</option>
            ))}
          </select>
        </label>
        <label>
          Service{' '}
          <select aria-label="Service" value={service} onChange={(e) => setService(e.currentTarget.value)}>
            <option value="">all services</option>
            {services.value?.services.map((s) => (
              <option value={s.name}>{s.name}</option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNote error={m.error ?? load.error} />
      {m.value ? (
        <Charts m={m.value} load={load.value} deps={[m.value, load.value]} />
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
    </main>
  );
}

function Charts({ m, load, deps }: { m: Metrics; load?: Load; deps: unknown[] }) {
  const seen = SEVERITIES.filter((s) => m.by_severity[s]?.count);
  const pm = m.postmortems;
  return (
    <>
      <p>
        <strong>{m.total}</strong> incidents in the period.{' '}
        {pm.count ? (
          <>
            Postmortems with every action item closed: <strong>{pm.all_action_items_closed}</strong> of{' '}
            {pm.count} ({pm.pct_all_action_items_closed}%){' '}
            <progress
              aria-label="Postmortems with every action item closed"
              max={pm.count}
              value={pm.all_action_items_closed}
            />
          </>
        ) : (
          'No postmortems yet.'
        )}
      </p>
      <div class="charts">
        <TimeTo m={m} seen={seen} field="mtta_seconds" title="Time to acknowledge" deps={deps} />
        <TimeTo m={m} seen={seen} field="mttr_seconds" title="Time to resolve" deps={deps} />
        <PerWeek m={m} deps={deps} />
        <Sla m={m} seen={seen} deps={deps} />
        <Recurrence m={m} deps={deps} />
        {load ? <Pagers load={load} deps={deps} /> : null}
      </div>
    </>
  );
}

const binLabel = (le: number | null) =>
  le === null ? `> ${shortDuration(604_800)}` : `≤ ${shortDuration(le)}`;

/** MTTA or MTTR as a histogram per severity on a log axis, p50/p90/p99 marked: averages hide the tail. */
function TimeTo(p: {
  m: Metrics;
  seen: readonly string[];
  field: 'mtta_seconds' | 'mttr_seconds';
  title: string;
  deps: unknown[];
}) {
  const bars = p.seen.flatMap((sev) =>
    p.m.by_severity[sev][p.field].histogram.map((b, n) => ({
      severity: sev,
      x1: Math.log10(n === 0 ? 30 : HISTOGRAM_EDGES[n - 1]),
      x2: Math.log10(b.le ?? 14 * 86_400),
      count: b.count,
    })),
  );
  // One line per value: "p90 p99" when they coincide.
  const marks = p.seen.flatMap((sev) => {
    const d = p.m.by_severity[sev][p.field];
    const at = new Map<number, string[]>();
    for (const q of ['p50', 'p90', 'p99'] as const) {
      const v = d[q];
      if (v !== null) at.set(v, [...(at.get(v) ?? []), q]);
    }
    return [...at].map(([v, qs]) => ({ severity: sev, q: qs.join(' '), at: Math.log10(Math.max(30, v)) }));
  });
  return (
    <Chart
      title={p.title}
      note="(log scale; lines at p50, p90, p99)"
      deps={p.deps}
      plot={() => ({
        height: 90 * Math.max(1, p.seen.length) + 40,
        marginLeft: 50,
        // Log scale by hand (log10 seconds): Plot's log axis labels only 1-2-5 ticks, not minutes and hours.
        x: {
          domain: [Math.log10(30), Math.log10(14 * 86_400)],
          ticks: HISTOGRAM_EDGES.map((e) => Math.log10(e)),
          tickFormat: (v: number) => shortDuration(10 ** v),
          label: null,
        },
        y: { label: 'incidents', ticks: 3 },
        fy: { label: null },
        color: SEVERITY_COLORS,
        marks: [
          Plot.rectY(bars, { x1: 'x1', x2: 'x2', y: 'count', fy: 'severity', fill: 'severity', inset: 1 }),
          Plot.ruleX(marks, { x: 'at', fy: 'severity', stroke: 'currentColor', strokeDasharray: '3,2' }),
          Plot.text(marks, { x: 'at', fy: 'severity', text: 'q', frameAnchor: 'top', dy: 4, dx: 12 }),
          Plot.ruleY([0]),
        ],
      })}
      table={{
        head: ['Severity', 'Count', 'p50', 'p90', 'p99', ...[...HISTOGRAM_EDGES, null].map(binLabel)],
        rows: p.seen.map((sev) => {
          const d = p.m.by_severity[sev][p.field];
          const f = (v: number | null) => (v === null ? null : shortDuration(v));
          return [sev, d.count, f(d.p50), f(d.p90), f(d.p99), ...d.histogram.map((b) => b.count)];
        }),
      }}
    />
  );
}

function PerWeek({ m, deps }: { m: Metrics; deps: unknown[] }) {
  const data = SEVERITIES.flatMap((sev) =>
    (m.by_severity[sev]?.per_week ?? []).map((w) => ({ week: w.week_start, severity: sev, count: w.count })),
  );
  const weeks = [...new Set(data.map((d) => d.week))].sort();
  return (
    <Chart
      title="Incidents per week"
      note="(stacked by severity)"
      deps={deps}
      plot={() => ({
        height: 240,
        x: { domain: weeks, label: 'week of', tickRotate: weeks.length > 6 ? -30 : 0 },
        y: { label: 'incidents', grid: true },
        color: { ...SEVERITY_COLORS, legend: true },
        marks: [Plot.barY(data, { x: 'week', y: 'count', fill: 'severity', tip: true }), Plot.ruleY([0])],
      })}
      table={{
        head: ['Week of', ...SEVERITIES],
        rows: weeks.map((w) => [
          w,
          ...SEVERITIES.map((s) => data.find((d) => d.week === w && d.severity === s)?.count ?? 0),
        ]),
      }}
    />
  );
}

function Sla({ m, seen, deps }: { m: Metrics; seen: readonly string[]; deps: unknown[] }) {
  const data = seen.flatMap((sev) =>
    (['acknowledge', 'mitigate'] as const).flatMap((target) => {
      const s = m.by_severity[sev].sla[target];
      return s.pct === null
        ? []
        : [{ severity: sev, target, pct: s.pct, label: `${s.within_target}/${s.counted}` }];
    }),
  );
  return (
    <Chart
      title="Within the severity's targets"
      note="(% of incidents acknowledged and mitigated in time)"
      deps={deps}
      plot={() => ({
        height: 60 * Math.max(1, seen.length) + 40,
        marginLeft: 90,
        marginRight: 60,
        x: { domain: [0, 100], label: '%', grid: true },
        y: { label: null },
        fy: { label: null },
        color: SEVERITY_COLORS,
        marks: [
          Plot.barX(data, { x: 'pct', y: 'target', fy: 'severity', fill: 'severity' }),
          Plot.text(data, {
            x: 'pct',
            y: 'target',
            fy: 'severity',
            text: (d: { pct: number }) => `${d.pct}%`,
            dx: 16,
          }),
        ],
      })}
      table={{
        head: ['Severity', 'Target', 'In time', 'Counted', '%'],
        rows: data.map((d) => [d.severity, d.target, d.label.split('/')[0], d.label.split('/')[1], d.pct]),
      }}
    />
  );
}

function Recurrence({ m, deps }: { m: Metrics; deps: unknown[] }) {
  const data = [
    ...m.recurrence.by_dedup_key.slice(0, 8).map((x) => ({ ...x, what: 'alert (dedup key)' })),
    ...m.recurrence.by_service.slice(0, 8).map((x) => ({ ...x, what: 'service' })),
  ].map((d) => ({ ...d, row: `${d.what}: ${d.key}` }));
  const short = (k: string) => (k.length > 28 ? `${k.slice(0, 27)}…` : k);
  return (
    <Chart
      title="What keeps coming back"
      note="(alerts that opened more than one incident, and the services with most incidents)"
      deps={deps}
      plot={(width) => ({
        height: 26 * Math.max(2, data.length) + 70,
        marginLeft: Math.min(200, width / 2.5),
        x: { label: 'incidents', grid: true },
        y: {
          label: null,
          domain: data.map((d) => d.row),
          tickFormat: (k: string) => short(k.split(': ').slice(1).join(': ')),
        },
        color: { domain: ['alert (dedup key)', 'service'], range: ['#3b6ea8', '#7a8a99'], legend: true },
        marks: [Plot.barX(data, { x: 'count', y: 'row', fill: 'what' }), Plot.ruleX([0])],
      })}
      table={{ head: ['Kind', 'Key', 'Incidents'], rows: data.map((d) => [d.what, d.key, d.count]) }}
    />
  );
}

/** The burnout view: pages per person, off hours apart. */
function Pagers({ load, deps }: { load: Load; deps: unknown[] }) {
  // A cell per responder and week: its shade the off-hours pages, its text "pages (off hours)".
  const data = load.responders.flatMap((r) =>
    r.weeks.map((w) => ({ person: r.person, week: w.week_start, pages: w.pages, off: w.off_hours_pages })),
  );
  const weeks = [...new Set(data.map((d) => d.week))].sort();
  const most = Math.max(1, ...data.map((d) => d.off));
  return (
    <Chart
      title="Pages per responder per week"
      note="(pages, off-hours pages in brackets; darker: more off hours)"
      deps={deps}
      plot={(width) => ({
        height: 30 * Math.max(2, load.responders.length) + 60,
        marginLeft: Math.min(
          width / 2.5,
          12 + 7 * Math.max(6, ...load.responders.map((r) => r.person.length)),
        ),
        x: { domain: weeks, label: 'week of', tickRotate: weeks.length > 4 ? -30 : 0 },
        y: { domain: load.responders.map((r) => r.person), label: null },
        color: {
          type: 'linear',
          domain: [0, most],
          range: ['#e8eef7', '#3d2c8d'],
          legend: true,
          label: 'off-hours pages',
        },
        marks: [
          Plot.cell(data, { x: 'week', y: 'person', fill: 'off', inset: 1 }),
          // Light text on the darker cells (constant fills: a fill channel would join the color scale).
          ...[false, true].map((dark) =>
            Plot.text(
              data.filter((d) => d.off > most / 2 === dark),
              {
                x: 'week',
                y: 'person',
                text: (d: { pages: number; off: number }) => `${d.pages} (${d.off})`,
                fill: dark ? 'white' : 'black',
              },
            ),
          ),
        ],
      })}
      table={{
        head: ['Responder', 'Week of', 'Pages', 'Off hours'],
        rows: data.map((d) => [d.person, d.week, d.pages, d.off]),
      }}
    />
  );
}
