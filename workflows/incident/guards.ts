/**
 * Refusals and checks the incident's handlers share: a closed incident takes no change, a
 * record list past its limit takes no more, an incident with open action items does not close.
 */
import { overLimit } from '../../domain/limits';
import { isOpenItem } from '../../domain/record';
import { conflict } from '../failures';
import type { IncidentState } from './state';

/** Refuses any change to a closed incident. */
export function notClosed(s: IncidentState): void {
  if (s.incident.status === 'closed') throw conflict('incident is closed');
}

/** Refuses an item past its per-incident limit (409 naming the limit). */
function refuseOver(
  what: string,
  list: readonly unknown[] | undefined,
  limit: { items: number; bytes: number },
  adding: unknown,
): void {
  const refusal = overLimit(what, list, limit, adding);
  if (refusal) throw conflict(refusal);
}

/** Why the incident may not close yet, if so. */
export function refuseClose(s: IncidentState): string | undefined {
  const open = (s.incident.action_items ?? []).filter(isOpenItem);
  if (!open.length) return undefined;
  return `${open.length} action item(s) still open (${open.map((a) => a.id).join(', ')}); close them or mark them done first`;
}

/** Published postmortem and every action item done: the incident closes by itself. */
export function maybeClose(s: IncidentState): void {
  const i = s.incident;
  const settled = i.status === 'resolved' || i.status === 'postmortem';
  if (i.postmortem?.status === 'published' && !refuseClose(s) && settled) {
    s.transition({
      actor: 'tourniquet',
      to: 'closed',
      note: 'postmortem published and every action item closed',
    });
  }
}

/** A validator for adding to one of the record's capped lists: the incident is open and the list has room. */
export const openWithRoom =
  (
    s: IncidentState,
    what: string,
    list: () => readonly unknown[] | undefined,
    limit: { items: number; bytes: number },
  ) =>
  (adding: unknown): void => {
    notClosed(s);
    refuseOver(what, list(), limit, adding);
  };
