import { useState } from 'preact/hooks';
import { can } from '../../api';
import { ErrorNote, Section, useAction, when } from '../../ui';
import { type Part, api } from './part';

export function Communication(p: Part) {
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
