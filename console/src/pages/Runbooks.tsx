import { call } from '../api';
import type { RunbookMeta } from '../../../domain/runbook';
import { ErrorNote, usePoll } from '../ui';

/** The runbook catalogue with its metadata (run one from an incident's page). */
export function Runbooks({ token }: { token: string }) {
  const { value, error } = usePoll(
    () => call<{ runbooks: RunbookMeta[] }>(token, 'GET', '/api/v1/runbooks'),
    [],
    60_000,
  );
  return (
    <main class="container">
      <h2>Runbooks</h2>
      <ErrorNote error={error} />
      {value?.runbooks.map((r) => (
        <article data-runbook={r.name}>
          <header>
            <strong>{r.name}</strong>{' '}
            <small>
              v{r.version} · owner {r.owner} · ETA {r.eta} · escalates to {r.escalation}
            </small>
          </header>
          <p>{r.description}</p>
          {r.stronger ? (
            <p>If it has not mitigated in time: {r.stronger.runbook} (offered for approval).</p>
          ) : null}
          <details>
            <summary>Parameters and triggers</summary>
            <ul>
              {Object.entries(r.params).map(([k, v]) => (
                <li>
                  <code>{k}</code>: {v}
                </li>
              ))}
            </ul>
            <p>Triggers: {r.triggers.map((t) => JSON.stringify(t)).join(' or ') || 'none (start by hand)'}</p>
          </details>
        </article>
      ))}
    </main>
  );
}
