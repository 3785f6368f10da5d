import { call, can } from '../../api';
import { ErrorNote, Section, useAction, usePoll } from '../../ui';
import { type Part, api } from './part';

export function Postmortem(p: Part) {
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
