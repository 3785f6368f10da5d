/**
 * How many pages a person took out of hours lately, across incidents: read from each
 * incident's memo in Temporal visibility (the same page log the on-call load report reads),
 * so every worker counts the same. For the page budget: recorded once in history per check.
 */
import type { Client } from '@temporalio/client';
import { holdsPagesSince } from '../domain/escalation';
import { INCIDENT_RUNS } from '../domain/incident';
import type { IncidentMemo } from '../workflows/definitions';

export function createPageLoadActivities({ client }: { client: Client }) {
  return {
    /** Off-hours pages to each of `people` sent since `since` (ms), leaving out incident `except` (it counts its own). */
    async offHoursPages({
      people,
      since,
      except,
    }: {
      people: string[];
      since: number;
      except: string;
    }): Promise<{ person: string; pages: number }[]> {
      const counts = new Map(people.map((p) => [p, 0]));
      const query = `${INCIDENT_RUNS} AND ${holdsPagesSince(since)}`;
      for await (const wf of client.workflow.list({ query, pageSize: 1000 })) {
        if (wf.workflowId === except) continue;
        const pages = ((wf.memo ?? {}) as Partial<IncidentMemo>).pages ?? [];
        for (const [person, at, off] of pages) {
          const n = counts.get(person);
          if (n !== undefined && off && at >= since) counts.set(person, n + 1);
        }
      }
      return [...counts].map(([person, pages]) => ({ person, pages }));
    },
  };
}
export type PageLoadActivities = ReturnType<typeof createPageLoadActivities>;
