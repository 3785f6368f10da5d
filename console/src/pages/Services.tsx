import { call } from '../api';
import type { ServiceEntry } from '../../../domain/services';
import { ErrorNote, usePoll } from '../ui';

type Row = ServiceEntry & { on_call: { policy: string; now: { person: string; via: string }[] } };

/** The service catalogue: who owns each service, who is on call for it, what automation may do. */
export function Services({ token }: { token: string }) {
  const { value, error } = usePoll(
    () => call<{ services: Row[] }>(token, 'GET', '/api/v1/services'),
    [],
    30_000,
  );
  return (
    <main class="container">
      <h2>Services</h2>
      <ErrorNote error={error} />
      {value && !value.services.length ? (
        <p>
          No services are catalogued: add a services section to the config file (see the README). Until then
          no runbook acts on anything.
        </p>
      ) : null}
      <table aria-label="Services">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Owner</th>
            <th scope="col">On call now</th>
            <th scope="col">Runbooks</th>
            <th scope="col">May act on</th>
            <th scope="col">Links</th>
          </tr>
        </thead>
        <tbody>
          {value?.services.map((s) => (
            <tr>
              <td>
                <strong>{s.name}</strong> <small>tier {s.tier}</small>
              </td>
              <td>{s.owner}</td>
              <td>
                {s.on_call.now.map((p) => p.person).join(', ') || 'nobody'}{' '}
                <small>({s.on_call.policy})</small>
              </td>
              <td>
                {Object.entries(s.runbooks).map(([name, r]) => (
                  <div>
                    {name} {r.automatic ? <span class="badge">acts alone on alerts</span> : null}
                  </div>
                ))}
              </td>
              <td>
                {s.kubernetes
                  ? `${s.kubernetes.namespace}: ${[...s.kubernetes.deployments, ...s.kubernetes.services].join(', ')}`
                  : null}
                {s.database ? <div>its database</div> : null}
                <div>
                  <small>
                    max {s.caps.max_replicas} replicas, {s.caps.max_sessions_terminated} sessions
                  </small>
                </div>
              </td>
              <td>
                {Object.entries(s.links).map(([name, url]) => (
                  <div>
                    <a href={url} target="_blank" rel="noreferrer">
                      {name}
                    </a>
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
