import { useState } from 'preact/hooks';
import { can } from '../../api';
import { ErrorNote, useAction, when } from '../../ui';
import { type Part, api } from './part';

export function PendingApprovals(p: Part) {
  const pending = p.i.runbooks.flatMap((r) =>
    r.approvals.filter((a) => a.status === 'pending').map((a) => ({ run: r, a })),
  );
  const act = useAction();
  const [reason, setReason] = useState('');
  if (!pending.length) return null;
  const approver = can(p.me, 'approver');
  return (
    <section class="approvals" aria-label="Pending approvals">
      {pending.map(({ run, a }) => (
        <article class="approval" data-approval={a.id}>
          <header>
            <strong>Approval needed:</strong> {a.title}{' '}
            <span class={`badge impact-${a.impact}`}>{a.impact} impact</span>
          </header>
          <p class="what-will-happen">
            <strong>What will happen:</strong> {a.what}
          </p>
          <p>
            Runbook <code>{run.name}</code>; {a.reason}. Needs {a.approvals_needed} approver(s)
            {a.approved_by.length ? ` (approved by ${a.approved_by.join(', ')})` : ''}; expires{' '}
            {when(a.expires_at)}.
          </p>
          {approver ? (
            <div class="row">
              <button
                onClick={() => act.run(() => api(p, 'POST', `/approvals/${a.id}/approve`, {}), p.reload)}
                disabled={act.busy}
              >
                Approve
              </button>
              <input
                aria-label="Reason to reject"
                placeholder="Reason to reject"
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
              <button
                class="secondary"
                onClick={() =>
                  act.run(() => api(p, 'POST', `/approvals/${a.id}/reject`, { reason }), p.reload)
                }
                disabled={act.busy || !reason.trim()}
              >
                Reject
              </button>
            </div>
          ) : (
            <p>
              <em>Only an approver can decide this step.</em>
            </p>
          )}
          <ErrorNote error={act.error} />
        </article>
      ))}
    </section>
  );
}
