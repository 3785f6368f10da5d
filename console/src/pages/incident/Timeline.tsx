import { useState } from 'preact/hooks';
import { can } from '../../api';
import { ErrorNote, Section, useAction } from '../../ui';
import { type Part, api } from './part';

export function Timeline(p: Part) {
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
