import { useState } from 'preact/hooks';
import { can } from '../../api';
import { ErrorNote, Section, useAction } from '../../ui';
import type { NumberedEntry } from '../../../../domain/timeline';
import { type Part, api } from './part';

export function Timeline(p: Part) {
  const { i } = p;
  const act = useAction();
  const [note, setNote] = useState('');
  // Older pages, read on demand: the incident itself carries only the newest entries.
  const [older, setOlder] = useState<NumberedEntry[]>([]);
  const shown = [...older, ...i.timeline];
  const first = shown[0]?.seq ?? 0;
  const loadOlder = () =>
    act.run(async () => {
      const page = (await api(p, 'GET', `/timeline?before=${first}&limit=100`)) as {
        entries: NumberedEntry[];
      };
      setOlder([...page.entries, ...older]);
    });
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
      {first > 0 ? (
        <p>
          {first} older entries.{' '}
          <button type="button" class="secondary outline" onClick={loadOlder}>
            Show older
          </button>
        </p>
      ) : null}
      <ol class="timeline" tabIndex={0} aria-label="Timeline entries">
        {shown.map((e) => (
          <li class={`kind-${e.kind}`}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time>{' '}
            <span class="actor">{e.actor}</span> <span class="kind">{e.kind}</span> {e.message}
          </li>
        ))}
      </ol>
    </Section>
  );
}
