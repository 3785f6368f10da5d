/** Status updates reach people: each goes to the incident's channels once (PATCH.publishedUpdates). */
import { truncate } from '../../domain/limits';
import type { Pager } from './paging';

/** An update as posted, numbered within its incident (the page key names it). */
export interface PostedUpdate {
  n: number;
  visibility: string;
  status: string;
  message: string;
}

/** Sends `u` to each of `channels` (the severity's `notify` and the stakeholders) once. */
export function sendStatusUpdate(pager: Pager, channels: readonly string[], u: PostedUpdate): void {
  const reason = truncate(`Status update (${u.visibility}, ${u.status}): ${u.message}`, 2_000);
  for (const channel of new Set(channels))
    pager.send(
      { person: channel, via: 'channel' },
      { kind: 'notify', reason, cause: `update-${u.n}`, due: Date.now() },
    );
}
