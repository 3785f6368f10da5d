import { call } from './api';
import { usePoll } from './ui';
import type { EngineHealthView } from '../../domain/engine-health';

/**
 * Says so when the engine cannot run an incident (its workflow task keeps failing): on an
 * incident's page for that incident, on the list for all of them. Nothing when all is well.
 */
export function EngineBanner({ token, incident }: { token: string; incident?: string }) {
  const { value } = usePoll(() => call<EngineHealthView>(token, 'GET', '/api/v1/engine/health'), [], 5000);
  const stuck = (value?.stuck ?? []).filter((w) =>
    incident ? w.workflow_id === incident : w.workflow_type === 'incident',
  );
  if (!stuck.length) return null;
  return (
    <article role="alert" class="engine-banner">
      {incident ? (
        <>
          <strong>The engine cannot run this incident</strong> since{' '}
          {new Date(stuck[0].since).toLocaleString()}: its timers, pages and runbooks are on hold and changes
          may fail. The engine's owner has been paged.
          <br />
          <small>{stuck[0].reason}</small>
        </>
      ) : (
        <>
          <strong>
            The engine cannot run {stuck.length} incident{stuck.length > 1 ? 's' : ''}:
          </strong>{' '}
          {stuck.map((w) => w.workflow_id).join(', ')}. Their timers, pages and runbooks are on hold; the
          engine's owner has been paged.
        </>
      )}
    </article>
  );
}
