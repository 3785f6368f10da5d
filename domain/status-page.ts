/**
 * The public status page (seed 004: "incident status updates are published to
 * stakeholders"): what an incident shows the world — only its external status updates, the
 * services it affects and how they are — never names, hosts, titles or runbooks. Pure: the
 * incident keeps its part in its memo, the API draws the page from what visibility lists.
 */
import type { Incident } from './incident';
import { HEALTH, type Health } from './record';
import { truncate } from './limits';
import { own } from './own';

/** The newest external updates an incident shows (the page says how many are older). */
export const PUBLIC_UPDATES = 10;
const PUBLIC_MESSAGE_CHARS = 1_000;

export interface PublicUpdate {
  status: string;
  message: string;
  at: string;
}

/** One incident as the status page shows it. */
export interface PublicIncident {
  services: string[];
  /** How its services are, by the worst health set on them (set none: degraded while open). */
  health: Health;
  opened_at: string;
  resolved_at?: string;
  /** Newest first, at most PUBLIC_UPDATES. */
  updates: PublicUpdate[];
  omitted: number;
}

const WORST: Health[] = ['major_outage', 'partial_outage', 'degraded', 'recovering', 'operational'];
const worst = (hs: Health[]) => WORST.find((h) => hs.includes(h)) ?? 'operational';

/** The incident's public part, or undefined while it has no external update. */
export function publicIncident(i: Incident): PublicIncident | undefined {
  const external = (i.status_updates ?? []).filter((u) => u.visibility === 'external');
  if (!external.length) return undefined;
  const over = i.resolved_at || i.status === 'closed';
  const set = i.affected_services
    .map((s) => (i.service_health ? own(i.service_health, s)?.health : undefined))
    .filter((h): h is Health => !!h && HEALTH.includes(h));
  return {
    services: i.affected_services,
    health: over ? 'operational' : set.length ? worst(set) : 'degraded',
    opened_at: i.created_at,
    ...(i.resolved_at ? { resolved_at: i.resolved_at } : {}),
    updates: external
      .slice(-PUBLIC_UPDATES)
      .reverse()
      .map((u) => ({
        status: u.status,
        message: truncate(u.message, PUBLIC_MESSAGE_CHARS),
        at: u.created_at,
      })),
    omitted: Math.max(0, external.length - PUBLIC_UPDATES),
  };
}

export interface StatusPage {
  /** Every catalogued service, worst first: its health now from its open public incidents. */
  components: { name: string; health: Health }[];
  /** Public incidents of the period, newest first: open ones, then those resolved. */
  incidents: (PublicIncident & { id: string })[];
  updated_at: string;
}

export function statusPage(
  services: readonly string[],
  incidents: (PublicIncident & { id: string })[],
  now: Date,
): StatusPage {
  const open = incidents.filter((i) => !i.resolved_at);
  const healthOf = (name: string) =>
    worst(open.filter((i) => i.services.includes(name)).map((i) => i.health));
  const names = [...new Set([...services, ...open.flatMap((i) => i.services)])];
  return {
    components: names
      .map((name) => ({ name, health: healthOf(name) }))
      .sort((a, b) => WORST.indexOf(a.health) - WORST.indexOf(b.health) || a.name.localeCompare(b.name)),
    incidents: [...incidents].sort(
      (a, b) => Number(!!a.resolved_at) - Number(!!b.resolved_at) || b.opened_at.localeCompare(a.opened_at),
    ),
    updated_at: now.toISOString(),
  };
}
