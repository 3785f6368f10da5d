import { Router } from 'express';
import { z } from 'zod';
import type { EscalationConfig } from '../../domain/escalation';
import { onCallAt } from '../../domain/oncall';
import { requireRole, TokenStore } from '../auth';
import { NotFoundError, parse } from '../errors';
import type { Incidents } from '../incidents';
import { NameSchema } from '../schemas';

const AtQuery = z.strictObject({ at: z.iso.datetime({ offset: true }).optional() });
const LoadQuery = z.strictObject({ since: z.iso.datetime({ offset: true }).optional() });
const WEEK = 7 * 86_400_000;

/** Monday 00:00 UTC of the week holding `t`. */
const weekStart = (t: number) => {
  const d = new Date(t);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000;
};

/** Who is on call (now or at a given time), and how many pages each responder took (the burnout metric). */
export function oncallRouter({
  escalation,
  incidents,
  tokens,
}: {
  escalation: EscalationConfig;
  incidents: Incidents;
  tokens: TokenStore;
}): Router {
  const router = Router();
  const viewer = requireRole(tokens, 'viewer');
  const describe = (name: string, at: number) => {
    const s = escalation.schedules[name];
    return {
      schedule: name,
      timezone: s.timezone,
      rotation: s.rotation,
      handoff: s.handoff,
      at: new Date(at).toISOString(),
      ...onCallAt(s, at),
    };
  };

  router.get('/api/v1/oncall', viewer, (req, res) => {
    const { at } = parse(AtQuery, req.query, 'query');
    const t = at ? Date.parse(at) : Date.now();
    res.json({
      at: new Date(t).toISOString(),
      schedules: Object.keys(escalation.schedules).map((n) => describe(n, t)),
    });
  });

  router.get('/api/v1/oncall/load', viewer, async (req, res) => {
    const q = parse(LoadQuery, req.query, 'query');
    const until = Date.now();
    const since = q.since ? Date.parse(q.since) : until - 4 * WEEK;
    // Incidents still open, or closed since `since`, hold every page sent in the window.
    const rows = await incidents.scan([
      `(ExecutionStatus = 'Running' OR CloseTime >= '${new Date(since).toISOString()}')`,
    ]);
    const pages = rows.flatMap((r) => r.pages).filter(([, at]) => at >= since && at <= until);
    const people = new Map<
      string,
      { pages: number; off: number; weeks: Map<number, { pages: number; off: number }> }
    >();
    for (const [person, at, off] of pages) {
      const p = people.get(person) ?? { pages: 0, off: 0, weeks: new Map() };
      const w = p.weeks.get(weekStart(at)) ?? { pages: 0, off: 0 };
      p.pages++;
      w.pages++;
      p.off += off;
      w.off += off;
      p.weeks.set(weekStart(at), w);
      people.set(person, p);
    }
    const weeks = Math.max(1, (until - since) / WEEK);
    res.json({
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      responders: [...people.entries()]
        .map(([person, p]) => ({
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
        }))
        .sort((a, b) => b.pages - a.pages || a.person.localeCompare(b.person)),
    });
  });

  router.get('/api/v1/oncall/:schedule', viewer, (req, res) => {
    const name = parse(NameSchema, req.params.schedule, 'schedule');
    if (!escalation.schedules[name])
      throw new NotFoundError(`no schedule named ${name}; GET /api/v1/oncall lists them`);
    const { at } = parse(AtQuery, req.query, 'query');
    res.json(describe(name, at ? Date.parse(at) : Date.now()));
  });
  return router;
}
