import { useState } from 'preact/hooks';
import { call, can, type Incident, type Me } from '../api';
import { nextStatuses } from '../../../domain/lifecycle';
import { SEVERITIES } from '../../../domain/severity';
import { ACTION_STATUSES, EVIDENCE_KINDS, HEALTH } from '../../../domain/record';
import type { RunbookMeta } from '../../../domain/runbook';
import {
  Duration,
  ErrorNote,
  Section,
  SeverityBadge,
  StatusBadge,
  useAction,
  useForm,
  usePoll,
  when,
} from '../ui';

type Props = { token: string; me: Me; id: string };

/** The seed's detail workspace: summary and actions, timeline, evidence, services, communication, action items. */
export function IncidentDetail({ token, me, id }: Props) {
  const {
    value: i,
    error,
    reload,
  } = usePoll(() => call<Incident>(token, 'GET', `/api/v1/incidents/${id}`), [id], 2000);
  if (!i)
    return (
      <main class="container">
        {error ? <ErrorNote error={error} /> : <p aria-busy="true">Loading {id}…</p>}
      </main>
    );
  const p = { token, me, i, reload };
  return (
    <main class="container">
      <header class="row">
        <h2>
          {i.id}: {i.title}
        </h2>
        {me.temporal_ui ? (
          <a href={`${me.temporal_ui}/workflows/${i.id}`} target="_blank" rel="noreferrer">
            Workflow in Temporal UI
          </a>
        ) : null}
      </header>
      <ErrorNote error={error} />
      <PendingApprovals {...p} />
      <Summary {...p} />
      <div class="grid-2">
        <div>
          <Timeline {...p} />
          <Runbooks {...p} />
        </div>
        <div>
          <Escalation i={i} />
          <Services {...p} />
          <Evidence {...p} />
          <Communication {...p} />
          <ActionItems {...p} />
          <Postmortem {...p} />
        </div>
      </div>
    </main>
  );
}

type Part = { token: string; me: Me; i: Incident; reload: () => void };
const api = (p: Part, method: string, path: string, body?: unknown) =>
  call(p.token, method, `/api/v1/incidents/${p.i.id}${path}`, body);

function PendingApprovals(p: Part) {
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
          <p>
            Will {a.what}. Runbook <code>{run.name}</code>; {a.reason}. Needs {a.approvals_needed} approver(s)
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

function Summary(p: Part) {
  const { i } = p;
  const act = useAction();
  const [rootCause, setRootCause] = useState('');
  const responder = can(p.me, 'responder');
  const canAck = i.status === 'triggered' || !!i.escalation?.awaiting_ack;
  return (
    <Section title="Summary" id="summary">
      <dl class="summary">
        <dt>Severity</dt>
        <dd>
          <SeverityBadge severity={i.severity} />
        </dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={i.status} />
        </dd>
        <dt>Assignee</dt>
        <dd>{i.assignee ?? '—'}</dd>
        <dt>Duration</dt>
        <dd>
          <Duration created={i.created_at} resolved={i.resolved_at} />
        </dd>
        <dt>Affected services</dt>
        <dd>{i.affected_services.join(', ') || '—'}</dd>
        <dt>Created</dt>
        <dd>
          {when(i.created_at)} by {i.created_by}
        </dd>
      </dl>
      <p>{i.description}</p>
      {responder && i.status !== 'closed' ? (
        <div class="row actions" role="group" aria-label="Lifecycle actions">
          {canAck ? (
            <button onClick={() => act.run(() => api(p, 'POST', '/acknowledge', {}), p.reload)}>
              Acknowledge
            </button>
          ) : null}
          {nextStatuses(i.status)
            .filter((s) => !(s === 'acknowledged' && canAck))
            .map((to) => (
              <button
                class="secondary"
                disabled={act.busy || (to === 'resolved' && !rootCause.trim())}
                onClick={() =>
                  act.run(
                    () =>
                      api(p, 'POST', '/transition', {
                        to,
                        ...(to === 'resolved' ? { root_cause: rootCause } : {}),
                      }),
                    p.reload,
                  )
                }
              >
                {to === 'closed' ? 'Close' : `Move to ${to}`}
              </button>
            ))}
          {nextStatuses(i.status).includes('resolved') ? (
            <input
              aria-label="Root cause (to resolve)"
              placeholder="Root cause (to resolve)"
              value={rootCause}
              onInput={(e) => setRootCause(e.currentTarget.value)}
            />
          ) : null}
          <select
            aria-label="Change severity"
            value={i.severity}
            onChange={(e) =>
              act.run(() => api(p, 'PATCH', '', { severity: e.currentTarget.value }), p.reload)
            }
          >
            {SEVERITIES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </div>
      ) : null}
      <ErrorNote error={act.error} />
    </Section>
  );
}

function Timeline(p: Part) {
  const { i } = p;
  const act = useAction();
  const [note, setNote] = useState('');
  return (
    <Section title="Timeline" id="timeline">
      {can(p.me, 'responder') && i.status !== 'closed' ? (
        <form
          class="inline-form"
          aria-label="Add a note"
          onSubmit={(e) => (
            e.preventDefault(),
            act.run(
              () => api(p, 'POST', '/notes', { text: note }),
              () => (setNote(''), p.reload()),
            )
          )}
        >
          <input
            aria-label="Note"
            placeholder="Add a note to the timeline"
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
          <button type="submit" disabled={!note.trim()}>
            Add note
          </button>
        </form>
      ) : null}
      <ErrorNote error={act.error} />
      <ol class="timeline">
        {i.timeline.map((e) => (
          <li class={`kind-${e.kind}`}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time>{' '}
            <span class="actor">{e.actor}</span> <span class="kind">{e.kind}</span> {e.message}
          </li>
        ))}
      </ol>
    </Section>
  );
}

function Escalation({ i }: { i: Incident }) {
  if (!i.milestones) return null;
  return (
    <Section title="Milestones and escalation" id="escalation">
      <table>
        <tbody>
          {i.milestones.map((m) => (
            <tr>
              <td>{m.name}</td>
              <td>{when(m.due_at)}</td>
              <td>
                <StatusBadge status={m.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Policy <code>{i.escalation?.policy}</code>
        {i.escalation?.active
          ? `: escalating, level ${(i.escalation.level ?? 0) + 1}, next at ${when(i.escalation.next_at)}`
          : ': not escalating'}
        {i.escalation?.awaiting_ack ? `; waiting for ${i.escalation.awaiting_ack} to take the handoff` : ''}
      </p>
      {i.pages?.length ? (
        <ul>
          {i.pages.map((pg) => (
            <li>
              {when(pg.sent_at)} — {pg.kind} {pg.to} ({pg.via})
              {pg.delivered_at ? ' ✓ delivered' : pg.error ? ` ✗ ${pg.error}` : ' … sending'}
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}

function Runbooks(p: Part) {
  const { value: catalog } = usePoll(
    () => call<{ runbooks: RunbookMeta[] }>(p.token, 'GET', '/api/v1/runbooks'),
    [],
    60_000,
  );
  const act = useAction();
  const [form, setForm] = useState({ name: '', params: '', dry_run: false });
  const responder = can(p.me, 'responder');
  const start = () => {
    const params = Object.fromEntries(
      form.params
        .split('\n')
        .map((l) => l.split('=').map((x) => x.trim()))
        .filter(([k, v]) => k && v),
    );
    return act.run(
      () => api(p, 'POST', '/runbooks', { name: form.name, params, dry_run: form.dry_run }),
      p.reload,
    );
  };
  return (
    <Section title="Runbooks" id="runbooks">
      {p.i.runbooks.map((r) => (
        <article class="run" data-run={r.run_id}>
          <header>
            <code>{r.name}</code> <StatusBadge status={r.status} /> <small>started by {r.started_by}</small>
          </header>
          <ol>
            {r.steps.map((s) => (
              <li data-step={s.id}>
                <StatusBadge status={s.status} /> {s.title} {s.result ? <small>— {s.result}</small> : null}{' '}
                {s.error ? <small class="error">— {s.error}</small> : null}
                {s.impact === 'manual' && s.status === 'waiting' && responder ? (
                  <button
                    class="small"
                    onClick={() =>
                      act.run(
                        () => api(p, 'POST', `/runbooks/${r.run_id}/steps/${s.id}/complete`, {}),
                        p.reload,
                      )
                    }
                  >
                    Mark done
                  </button>
                ) : null}
              </li>
            ))}
          </ol>
          {r.outcome ? <p>{r.outcome}</p> : null}
        </article>
      ))}
      {responder && p.i.status !== 'closed' ? (
        <form class="inline-form" aria-label="Run a runbook" onSubmit={(e) => (e.preventDefault(), start())}>
          <select
            aria-label="Runbook"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            required
          >
            <option value="">Run a runbook…</option>
            {catalog?.runbooks.map((r) => (
              <option value={r.name}>{r.name}</option>
            ))}
          </select>
          <textarea
            aria-label="Parameters (name=value per line)"
            placeholder={'namespace=prod\ndeployment=checkout'}
            value={form.params}
            onInput={(e) => setForm({ ...form, params: e.currentTarget.value })}
          />
          <label class="inline">
            <input
              type="checkbox"
              checked={form.dry_run}
              onChange={(e) => setForm({ ...form, dry_run: e.currentTarget.checked })}
            />{' '}
            Dry-run
          </label>
          <button type="submit" disabled={!form.name || act.busy}>
            Run
          </button>
        </form>
      ) : null}
      <ErrorNote error={act.error} />
    </Section>
  );
}

function Services(p: Part) {
  const act = useAction();
  const responder = can(p.me, 'responder');
  return (
    <Section title="Affected services" id="services">
      <ul>
        {p.i.affected_services.map((s) => {
          const h = p.i.service_health?.[s];
          return (
            <li>
              <strong>{s}</strong>{' '}
              {h ? (
                <span class={`badge health-${h.health}`}>{h.health.replace(/_/g, ' ')}</span>
              ) : (
                <span class="badge">unknown</span>
              )}
              {h?.note ? <small> — {h.note}</small> : null}
              {responder && p.i.status !== 'closed' ? (
                <select
                  aria-label={`Health of ${s}`}
                  value={h?.health ?? ''}
                  onChange={(e) =>
                    act.run(
                      () => api(p, 'PUT', `/services/${s}/health`, { health: e.currentTarget.value }),
                      p.reload,
                    )
                  }
                >
                  <option value="" disabled>
                    set health…
                  </option>
                  {HEALTH.map((x) => (
                    <option value={x}>{x.replace(/_/g, ' ')}</option>
                  ))}
                </select>
              ) : null}
            </li>
          );
        })}
      </ul>
      <ErrorNote error={act.error} />
    </Section>
  );
}

function Evidence(p: Part) {
  const act = useAction();
  const { form, bind } = useForm({ kind: 'link', title: '', url: '' });
  return (
    <Section title="Evidence" id="evidence">
      <ul>
        {(p.i.evidence ?? []).map((e) => (
          <li>
            <span class="badge">{e.kind}</span> {e.url ? <a href={e.url}>{e.title}</a> : e.title}{' '}
            <small>by {e.added_by}</small>
            {e.text ? <pre>{e.text}</pre> : null}
          </li>
        ))}
      </ul>
      {can(p.me, 'responder') && p.i.status !== 'closed' ? (
        <form
          class="inline-form"
          aria-label="Add evidence"
          onSubmit={(e) => (e.preventDefault(), act.run(() => api(p, 'POST', '/evidence', form), p.reload))}
        >
          <select aria-label="Kind" {...bind('kind')}>
            {EVIDENCE_KINDS.map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
          <input aria-label="Evidence title" placeholder="Title" {...bind('title')} />
          <input aria-label="Evidence URL" placeholder="https://…" {...bind('url')} />
          <button type="submit">Add</button>
        </form>
      ) : null}
      <ErrorNote error={act.error} />
    </Section>
  );
}

function Communication(p: Part) {
  const act = useAction();
  const [message, setMessage] = useState('');
  const [visibility, setVisibility] = useState<'internal' | 'external'>('internal');
  const draft = () =>
    act.run(async () =>
      setMessage(
        ((await api(p, 'GET', `/status-updates/draft?visibility=${visibility}`)) as { message: string })
          .message,
      ),
    );
  return (
    <Section title="Communication" id="communication">
      <ul>
        {(p.i.status_updates ?? []).map((u) => (
          <li>
            <small>
              {when(u.created_at)} · {u.visibility} · {u.created_by}
            </small>
            <pre>{u.message}</pre>
          </li>
        ))}
      </ul>
      {can(p.me, 'responder') && p.i.status !== 'closed' ? (
        <form
          aria-label="Post a status update"
          onSubmit={(e) => (
            e.preventDefault(),
            act.run(
              () => api(p, 'POST', '/status-updates', { message, visibility }),
              () => (setMessage(''), p.reload()),
            )
          )}
        >
          <div class="row">
            <select
              aria-label="Visibility"
              value={visibility}
              onChange={(e) => setVisibility(e.currentTarget.value as 'internal' | 'external')}
            >
              <option value="internal">internal</option>
              <option value="external">external</option>
            </select>
            <button type="button" class="secondary" onClick={draft}>
              Start from the CAN draft
            </button>
          </div>
          <textarea
            aria-label="Status update"
            rows={5}
            value={message}
            onInput={(e) => setMessage(e.currentTarget.value)}
          />
          <button type="submit" disabled={!message.trim()}>
            Post update
          </button>
        </form>
      ) : null}
      <ErrorNote error={act.error} />
    </Section>
  );
}

function ActionItems(p: Part) {
  const act = useAction();
  const { form, bind } = useForm({ title: '', owner: '', due: '' });
  const responder = can(p.me, 'responder') && p.i.status !== 'closed';
  return (
    <Section title="Action items" id="action-items">
      <table>
        <tbody>
          {(p.i.action_items ?? []).map((a) => (
            <tr>
              <td>{a.id}</td>
              <td>{a.title}</td>
              <td>{a.owner}</td>
              <td>{a.due}</td>
              <td>
                {responder ? (
                  <select
                    aria-label={`Status of ${a.id}`}
                    value={a.status}
                    onChange={(e) =>
                      act.run(
                        () => api(p, 'PATCH', `/action-items/${a.id}`, { status: e.currentTarget.value }),
                        p.reload,
                      )
                    }
                  >
                    {ACTION_STATUSES.map((s) => (
                      <option value={s}>{s.replace(/_/g, ' ')}</option>
                    ))}
                  </select>
                ) : (
                  a.status
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {responder ? (
        <form
          class="inline-form"
          aria-label="Add an action item"
          onSubmit={(e) => (
            e.preventDefault(),
            act.run(() => api(p, 'POST', '/action-items', form), p.reload)
          )}
        >
          <input aria-label="Action item" placeholder="What" {...bind('title')} />
          <input aria-label="Owner" placeholder="Owner" {...bind('owner')} />
          <input aria-label="Due" type="date" {...bind('due')} />
          <button type="submit">Add</button>
        </form>
      ) : null}
      <ErrorNote error={act.error} />
    </Section>
  );
}

function Postmortem(p: Part) {
  const act = useAction();
  const pm = p.i.postmortem;
  const { value: md } = usePoll(
    () =>
      pm
        ? call<string>(p.token, 'GET', `/api/v1/incidents/${p.i.id}/postmortem?format=md`)
        : Promise.resolve(''),
    [pm?.status, pm?.edited_by],
    10_000,
  );
  if (!pm) return null;
  return (
    <Section title={`Postmortem (${pm.status})`} id="postmortem">
      <details open>
        <summary>Read the postmortem</summary>
        <pre class="markdown">{md}</pre>
      </details>
      {pm.status === 'draft' && can(p.me, 'responder') ? (
        <button onClick={() => act.run(() => api(p, 'POST', '/postmortem/publish', {}), p.reload)}>
          Publish postmortem
        </button>
      ) : null}
      <ErrorNote error={act.error} />
    </Section>
  );
}
