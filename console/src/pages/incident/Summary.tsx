import { useState } from 'preact/hooks';
import { can } from '../../api';
import { nextStatuses } from '../../../../domain/lifecycle';
import { SEVERITIES } from '../../../../domain/severity';
import { Duration, ErrorNote, Section, SeverityBadge, StatusBadge, useAction, when } from '../../ui';
import { type Part, api } from './part';

export function Summary(p: Part) {
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
        {i.related_alerts.length ? (
          <>
            <dt>Related alerts</dt>
            <dd>{i.related_alerts.join(', ')}</dd>
          </>
        ) : null}
        <dt>Created</dt>
        <dd>
          {when(i.created_at)} by {i.created_by}
        </dd>
        {i.alert_counts ? (
          <>
            <dt>Alerts</dt>
            <dd>
              {i.alert_counts.distinct} distinct ({i.alert_counts.firing} firing, {i.alert_counts.resolved}{' '}
              resolved), {i.alert_counts.received} received
              {i.alert_counts.omitted
                ? `; ${i.alert_counts.omitted} more beyond the ${i.alerts.length} shown, like ${i.alert_counts.omitted_sample ?? '…'}`
                : ''}
            </dd>
          </>
        ) : null}
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
