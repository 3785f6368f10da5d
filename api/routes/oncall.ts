import { z } from 'zod';
import { type EscalationConfig, holdsPagesSince, type PageLogEntry } from '../../domain/escalation';
import { onCallAt } from '../../domain/oncall';
import { NotFoundError } from '../errors';
import type { Incidents } from '../incidents';
import { type Route, route } from '../route';
import { LoadQuery } from '../schemas';

const AtQuery = z.strictObject({ at: z.iso.datetime({ offset: true }).optional() });
const WEEK = 7 * 86_400_000;

/** Monday 00:00 UTC of the week holding `t`. */
const weekStart = (t: number) => {
  const d = new Date(t);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000;
};

/** Who is on call (now or at a given time), and how many pages each responder took (the burnout metric). */
export function oncallRoutes({
  escalation,
  incidents,
}: {
  escalation: EscalationConfig;
  incidents: Incidents;
}): Route[] {
  const schedules = new Map(Object.entries(escalation.schedules));
  const describe = (name: string, at: number) => {
    const s = schedules.get(name)!;
    const when = new Date(at).toISOString();
    return {
      schedule: name,
      timezone: s.timezone,
      rotation: s.rotation,
      handoff: s.handoff,
      at: when,
      ...onCallAt(s, at),
    };
  };
  const timeOf = (at?: string) => (at ? Date.parse(at) : Date.now());
  return [
    route({
      method: 'get',
      path: '/api/v1/oncall',
      auth: 'viewer',
      operationId: 'listOnCall',
      summary: 'Who is on call, per schedule',
      query: AtQuery,
      handle: ({ query }) => {
        const t = timeOf(query.at);
        return { at: new Date(t).toISOString(), schedules: [...schedules.keys()].map((n) => describe(n, t)) };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/oncall/load',
      auth: 'viewer',
      operationId: 'getOnCallLoad',
      summary: 'Pages per responder per week, off-hours apart',
      query: LoadQuery,
      handle: ({ query }) =>
        pageLoad(incidents, escalation.page_budget, query.since ? Date.parse(query.since) : undefined),
    }),
    route({
      method: 'get',
      path: '/api/v1/oncall/{schedule}',
      auth: 'viewer',
      operationId: 'getOnCall',
      summary: 'Who is on call on one schedule (at=ISO)',
      query: AtQuery,
      handle: ({ params, query }) => {
        if (!schedules.has(params.schedule)) {
          throw new NotFoundError(`no schedule named ${params.schedule}; GET /api/v1/oncall lists them`);
        }
        return describe(params.schedule, timeOf(query.at));
      },
    }),
  ];
}

type Load = { pages: number; off: number };
type Budget = EscalationConfig['page_budget'];

/**
 * Pages per person in the window (default: the last four weeks), per week, off-hours apart;
 * with a page budget, who is over it now and how many pages went past them to the next level.
 */
async function pageLoad(incidents: Incidents, budget: Budget, sinceMs?: number) {
  const until = Date.now();
  const since = sinceMs ?? until - 4 * WEEK;
  const recent = budget ? until - budget.window_seconds * 1000 : until;
  // Incidents still open, or closed since `since`, hold every page sent in the window.
  const rows = await incidents.scan([holdsPagesSince(Math.min(since, recent))]);
  const log = rows.flatMap((r) => r.pages);
  const pages = log.filter(([, at]) => at >= since && at <= until);
  const people = new Map<string, Load & { weeks: Map<number, Load> }>();
  for (const [person, at, off] of pages) {
    const p = people.get(person) ?? { pages: 0, off: 0, weeks: new Map<number, Load>() };
    const w = p.weeks.get(weekStart(at)) ?? { pages: 0, off: 0 };
    p.pages++;
    w.pages++;
    p.off += off;
    w.off += off;
    p.weeks.set(weekStart(at), w);
    people.set(person, p);
  }
  const weeks = Math.max(1, (until - since) / WEEK);
  const responders = [...people.entries()].map(([person, p]) => ({
    person,
    pages: p.pages,
    off_hours_pages: p.off,
    pages_per_week: Math.round((p.pages / weeks) * 10) / 10,
    weeks: [...p.weeks.entries()]
      .sort(([a], [b]) => a - b)
      .map(([start, w]) => ({
        week_start: new Date(start).toISOString().slice(0, 10),
        pages: w.pages,
        off_hours_pages: w.off,
      })),
    ...(budget ? budgetOf(person, log, budget, recent, since) : {}),
  }));
  responders.sort((a, b) => b.pages - a.pages || a.person.localeCompare(b.person));
  const shown = budget ? { page_budget: budget } : {};
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    ...shown,
    responders,
  };
}

/** Off-hours pages in the budget's window now, whether that is over it, pages diverted past them since `since`. */
function budgetOf(
  person: string,
  log: PageLogEntry[],
  budget: NonNullable<Budget>,
  recent: number,
  since: number,
) {
  const offHours = log.filter(([p, at, off]) => p === person && off && at >= recent).length;
  return {
    off_hours_in_budget_window: offHours,
    over_budget: offHours >= budget.off_hours_pages,
    diverted_pages: log.filter(([, at, , from]) => from === person && at >= since).length,
  };
}
