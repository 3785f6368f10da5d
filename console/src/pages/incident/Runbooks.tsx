import type { RunbookMeta } from '../../../../domain/runbook';
import { useState } from 'preact/hooks';
import { call, can } from '../../api';
import { ErrorNote, Section, StatusBadge, formatDuration, useAction, usePoll } from '../../ui';
import { type Part, api } from './part';
import { Data } from '../../Data';
import type { RunbookRunRecord, StepRecord } from '../../../../domain/runbook';

export function Runbooks(p: Part) {
  const { value: catalog } = usePoll(
    () => call<{ runbooks: RunbookMeta[] }>(p.token, 'GET', '/api/v1/runbooks'),
    [],
    60_000,
  );
  const act = useAction();
  const [form, setForm] = useState({ name: '', params: '', dry_run: false });
  const responder = can(p.me, 'responder');
  const approver = can(p.me, 'approver');
  const chosen = catalog?.runbooks.find((r) => r.name === form.name);
  const decide = (path: string, body: object) =>
    act.run(() => api(p, 'POST', `/runbooks/${path}`, body), p.reload);
  const start = () => {
    const params: Record<string, string> = Object.fromEntries(
      form.params
        .split('\n')
        .map((l) => l.split('=').map((x) => x.trim()) as [string, string])
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
          <ol class="flow" aria-label={`Steps of ${r.name}`}>
            {r.steps.map((s) => (
              <li data-step={s.id} class={`step step-${s.status}`}>
                <StepHead run={r} step={s} />
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
                {s.decision === 'pending' ? (
                  <span class="decision">
                    {' '}
                    <strong>Waiting for a decision:</strong>{' '}
                    {responder ? (
                      <button class="small" onClick={() => decide(`${r.run_id}/steps/${s.id}/retry`, {})}>
                        Retry step
                      </button>
                    ) : null}{' '}
                    {approver ? (
                      <button
                        class="small secondary"
                        onClick={() => {
                          const reason = window.prompt(`Why may "${s.title}" be skipped?`)?.trim();
                          if (reason) void decide(`${r.run_id}/steps/${s.id}/skip`, { reason });
                        }}
                      >
                        Skip step…
                      </button>
                    ) : null}
                  </span>
                ) : null}
              </li>
            ))}
          </ol>
          {r.outcome ? <p>{r.outcome}</p> : null}
          {r.evidence?.length ? (
            <details>
              <summary>What the run found ({r.evidence.length})</summary>
              {r.evidence.map((e) => (
                <div class="run-evidence">
                  <strong>{e.title}</strong>
                  <Data text={e.text} label={e.title} />
                </div>
              ))}
            </details>
          ) : null}
          {(!r.finished_at || r.steps.some((s) => s.decision === 'pending')) && responder ? (
            <button
              class="small secondary"
              onClick={() => {
                const reason = window.prompt(`Cancel ${r.name}? No further step will run. Reason:`);
                if (reason !== null)
                  void decide(`${r.run_id}/cancel`, reason.trim() ? { reason: reason.trim() } : {});
              }}
            >
              Cancel run…
            </button>
          ) : null}
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
          {chosen && Object.keys(chosen.params).length ? (
            <ul class="params" aria-label="Its parameters">
              {Object.entries(chosen.params).map(([name, text]) => (
                <li>
                  <code>{name}</code> — {text}
                </li>
              ))}
            </ul>
          ) : null}
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

/** A step in the flow: impact, title, state and time; what an approval will do, up front. */
function StepHead({ run, step: s }: { run: RunbookRunRecord; step: StepRecord }) {
  const approval = run.approvals.find((a) => a.step_id === s.id);
  return (
    <>
      <span class={`badge impact-${s.impact}`}>{s.impact}</span> <strong>{s.title}</strong>{' '}
      <StatusBadge status={s.status} />
      {s.dry_run ? <span class="badge">dry run</span> : null}
      {s.duration_ms !== undefined ? <small> {formatDuration(s.duration_ms)}</small> : null}
      {approval ? (
        <p class={approval.status === 'pending' ? 'what-will-happen' : 'what'}>
          <strong>{approval.status === 'pending' ? 'What will happen' : 'What it was to do'}:</strong>{' '}
          {approval.what}{' '}
          <small>
            ({approval.status}
            {approval.decided_by ? ` by ${approval.decided_by}` : ''})
          </small>
        </p>
      ) : null}
      {s.result ? (
        /^[[{]/.test(s.result) ? (
          <Data text={s.result} label={`What ${s.title} returned`} />
        ) : (
          <p class="result">{s.result}</p>
        )
      ) : null}
      {s.error ? <p class="error">{s.error}</p> : null}
    </>
  );
}
