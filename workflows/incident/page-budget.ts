/**
 * The page budget (seed 000's burnout metric, enforced): a person who took the configured
 * number of off-hours pages within the window gets no more non-SEV1 policy pages out of
 * hours; those go to the next level. Counting reads every incident's page log (an
 * activity, recorded once); concurrent incidents may each page a person at the limit once.
 */
import * as wf from '@temporalio/workflow';
import { type EscalationConfig, offHours, type Paged } from '../../domain/escalation';
import type { PageLoadActivities } from '../../activities/page-load';
import type { IncidentState } from './state';
import type { Page } from './paging';

const load = wf.proxyActivities<PageLoadActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/** Does this page count against (and get diverted by) the budget? */
export const isBudgeted = (s: IncidentState, cfg: EscalationConfig, page: Page): boolean =>
  !!cfg.page_budget &&
  page.kind === 'page' &&
  page.level !== undefined &&
  s.incident.severity !== 'SEV1' &&
  offHours(cfg, Date.now());

/** Off-hours pages each of `people` took within the budget's window, this incident's own included. */
export async function offHoursCounts(
  s: IncidentState,
  cfg: EscalationConfig,
  people: Paged[],
): Promise<Map<string, number>> {
  const since = Date.now() - cfg.page_budget!.window_seconds * 1000;
  const i = s.incident;
  const others = await load.offHoursPages({ people: people.map((p) => p.person), since, except: i.id });
  const own = (person: string) =>
    (i.pages ?? []).filter(
      (p) => p.to === person && p.kind === 'page' && p.off_hours && Date.parse(p.sent_at) >= since,
    ).length;
  return new Map(others.map((o) => [o.person, o.pages + own(o.person)]));
}

/** Why a page goes past `person`, for the timeline and the page itself. */
export function overBudgetReason(cfg: EscalationConfig, person: string, count: number): string {
  const { off_hours_pages, window_seconds } = cfg.page_budget!;
  const window = window_seconds % 86_400 ? `${window_seconds / 3600} h` : `${window_seconds / 86_400} days`;
  return `${person} has had ${count} off-hours pages in ${window} (page budget ${off_hours_pages})`;
}
