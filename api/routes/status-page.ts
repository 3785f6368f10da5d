/**
 * The public status page (no sign-in): GET /status (HTML), /status/feed.atom (Atom) and
 * /api/v1/status (JSON). Drawn from what visibility lists — each incident's public part of its
 * memo (domain/status-page.ts): external updates and service health only. Answers are kept
 * a few seconds so a busy page does not become a load on Temporal.
 */
import { SA } from '../../workflows/definitions';
import { type StatusPage, statusPage } from '../../domain/status-page';
import type { ServiceEntry } from '../../domain/services';
import type { Incidents } from '../incidents';
import { type Route, route } from '../route';
import { atomFeed, statusHtml } from '../status-page-render';

/** Resolved incidents stay on the page this long. */
const HISTORY_DAYS = 14;
const CACHE_MS = 5_000;

export function statusPageRoutes({
  catalogue,
  incidents,
  publicUrl,
}: {
  catalogue: readonly ServiceEntry[];
  incidents: Incidents;
  publicUrl: string;
}): Route[] {
  let cached: { at: number; page: Promise<StatusPage> } | undefined;
  const read = async (): Promise<StatusPage> => {
    const since = new Date(Date.now() - HISTORY_DAYS * 86_400_000).toISOString();
    const rows = await incidents.scan([
      `${SA.public.name} = 'yes'`,
      `(ExecutionStatus = 'Running' OR CloseTime > '${since}')`,
    ]);
    const shown = rows.flatMap((r) => (r.public ? [{ id: r.id, ...r.public }] : []));
    return statusPage(
      catalogue.map((s) => s.name),
      shown,
      new Date(),
    );
  };
  const page = () => {
    if (!cached || Date.now() - cached.at > CACHE_MS) {
      const fresh = { at: Date.now(), page: read() };
      fresh.page.catch(() => cached === fresh && (cached = undefined)); // a failed read is not kept
      cached = fresh;
    }
    return cached.page;
  };
  return [
    route({
      method: 'get',
      path: '/api/v1/status',
      auth: 'none',
      operationId: 'getStatusPage',
      summary: 'The public status page: services and their health, incidents with their external updates',
      handle: () => page(),
    }),
    route({
      method: 'get',
      path: '/api/v1/status/internal',
      auth: 'viewer',
      operationId: 'getInternalStatus',
      summary: 'The internal status board: open incidents with their roles, assignee and newest update',
      handle: () => internalBoard(incidents),
    }),
    route({
      method: 'get',
      path: '/status',
      auth: 'none',
      operationId: 'statusPageHtml',
      summary: 'The public status page (HTML)',
      handle: async ({ res }) => {
        res.type('html').send(statusHtml(await page(), publicUrl));
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/status/feed.atom',
      auth: 'none',
      operationId: 'statusPageFeed',
      summary: 'The public status page as an Atom feed (one entry per external update)',
      handle: async ({ res }) => {
        res.type('application/atom+xml').send(atomFeed(await page(), publicUrl));
        return undefined;
      },
    }),
  ];
}

/** Open incidents, most severe and oldest first, as responders and stakeholders inside see them. */
async function internalBoard(incidents: Incidents) {
  const rows = await incidents.scan([`ExecutionStatus = 'Running'`, `${SA.status.name} != 'closed'`]);
  const board = rows
    .sort((a, b) => a.severity.localeCompare(b.severity) || a.created_at.localeCompare(b.created_at))
    .map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      status: r.status,
      services: r.services,
      assignee: r.assignee,
      roles: r.roles ?? {},
      on_public_page: !!r.public,
      last_update: r.last_update,
      created_at: r.created_at,
    }));
  return { generated_at: new Date().toISOString(), incidents: board };
}
