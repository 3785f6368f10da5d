import { call } from '../api';
import type { OnCall as OnCallAnswer } from '../../../domain/oncall';
import { ErrorNote, usePoll, when } from '../ui';

type Row = OnCallAnswer & { schedule: string; timezone: string; rotation: string; handoff: string };

/** Who is on call now, per schedule, and the pages each responder took lately. */
export function OnCall({ token }: { token: string }) {
  const now = usePoll(() => call<{ schedules: Row[] }>(token, 'GET', '/api/v1/oncall'), [], 30_000);
  const load = usePoll(
    () =>
      call<{
        page_budget?: { off_hours_pages: number; window_seconds: number };
        responders: {
          person: string;
          pages: number;
          off_hours_pages: number;
          pages_per_week: number;
          over_budget?: boolean;
          diverted_pages?: number;
        }[];
      }>(token, 'GET', '/api/v1/oncall/load'),
    [],
    60_000,
  );
  const budget = load.value?.page_budget;
  return (
    <main class="container">
      <h2>On call now</h2>
      <ErrorNote error={now.error} />
      <table aria-label="On call now">
        <thead>
          <tr>
            <th scope="col">Schedule</th>
            <th scope="col">On call</th>
            <th scope="col">Until</th>
            <th scope="col">Rotation</th>
          </tr>
        </thead>
        <tbody>
          {now.value?.schedules.map((s) => (
            <tr>
              <td>{s.schedule}</td>
              <td>
                {s.person ?? 'nobody'} {s.source === 'override' ? <span class="badge">override</span> : null}
              </td>
              <td>{when(s.shift_end)}</td>
              <td>
                {s.rotation}, hands off {s.handoff} {s.timezone}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {now.value && !now.value.schedules.length ? (
        <p>No schedules configured (config file: escalation.schedules).</p>
      ) : null}
      <h3>Pages per responder (last 4 weeks)</h3>
      {budget ? (
        <p>
          Page budget: {budget.off_hours_pages} off-hours pages per {budget.window_seconds / 86_400} days;
          past it, non-SEV1 pages go to the next level.
        </p>
      ) : null}
      <table aria-label="On-call load">
        <thead>
          <tr>
            <th scope="col">Responder</th>
            <th scope="col">Pages</th>
            <th scope="col">Off hours</th>
            <th scope="col">Per week</th>
            {budget ? <th scope="col">Passed to the next level</th> : null}
          </tr>
        </thead>
        <tbody>
          {load.value?.responders.map((r) => (
            <tr>
              <td>{r.person}</td>
              <td>{r.pages}</td>
              <td>
                {r.off_hours_pages} {r.over_budget ? <span class="badge">over budget</span> : null}
              </td>
              <td>{r.pages_per_week}</td>
              {budget ? <td>{r.diverted_pages ?? 0}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
