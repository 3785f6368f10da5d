import { call } from '../api';
import type { Severity } from '../../../domain/severity';
import type { IncidentRole } from '../../../domain/roles';
import { ErrorNote, SeverityBadge, StatusBadge, usePoll, when } from '../ui';

interface Row {
  id: string;
  title?: string;
  severity: Severity;
  status: string;
  services: string[];
  assignee?: string;
  roles: Partial<Record<IncidentRole, string>>;
  on_public_page: boolean;
  last_update?: { visibility: string; status: string; message: string; at: string };
}

const ROLE_NAMES = [
  ['commander', 'Commander'],
  ['communications', 'Comms lead'],
  ['scribe', 'Scribe'],
  ['operations', 'Ops lead'],
] as const;

/** The internal view of the status page: every open incident, who runs it, what was last said. */
export function StatusBoard({ token }: { token: string }) {
  const board = usePoll(
    () => call<{ incidents: Row[] }>(token, 'GET', '/api/v1/status/internal'),
    [],
    10_000,
  );
  return (
    <main class="container">
      <h2>Status board</h2>
      <p>
        Open incidents as responders see them; customers see only external updates on the{' '}
        <a href="/status">public status page</a>.
      </p>
      <ErrorNote error={board.error} />
      <div class="overflow-auto" tabIndex={0}>
        <table aria-label="Status board">
          <thead>
            <tr>
              <th scope="col">Incident</th>
              <th scope="col">Status</th>
              <th scope="col">People</th>
              <th scope="col">Newest update</th>
            </tr>
          </thead>
          <tbody>
            {board.value?.incidents.map((r) => (
              <tr>
                <td>
                  <SeverityBadge severity={r.severity} /> <a href={`/incidents/${r.id}`}>{r.id}</a> {r.title}
                  <br />
                  <small>{r.services.join(', ')}</small>
                </td>
                <td>
                  <StatusBadge status={r.status} />{' '}
                  {r.on_public_page ? <span class="badge">public</span> : null}
                </td>
                <td>
                  <ul class="plain">
                    {ROLE_NAMES.filter(([k]) => r.roles[k]).map(([k, label]) => (
                      <li>
                        {label}: {r.roles[k]}
                      </li>
                    ))}
                    <li>Assignee: {r.assignee ?? 'nobody'}</li>
                  </ul>
                </td>
                <td>
                  {r.last_update ? (
                    <>
                      <span class="badge">{r.last_update.visibility}</span> {r.last_update.message}
                      <br />
                      <small>{when(r.last_update.at)}</small>
                    </>
                  ) : (
                    'none yet'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {board.value && !board.value.incidents.length ? <p>No open incidents.</p> : null}
    </main>
  );
}
