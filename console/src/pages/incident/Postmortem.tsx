import { useState } from 'preact/hooks';
import { call, can } from '../../api';
import type { Postmortem as Doc, PostmortemEdit } from '../../../../domain/record';
import { renderMarkdown } from '../../markdown';
import { ErrorNote, Section, useAction, usePoll } from '../../ui';
import { type Part, api } from './part';

/** The template's human sections: where each lives in the postmortem, and its heading. */
const FIELDS = [
  ['summary', 'Summary'],
  ['root_cause', 'Root cause'],
  ['impact.users', 'Impact on users'],
  ['impact.data', 'Impact on data'],
  ['impact.financial', 'Financial impact'],
  ['resolution', 'Resolution'],
  ['lessons.went_well', 'What went well'],
  ['lessons.could_improve', 'What could improve'],
] as const;
type Field = (typeof FIELDS)[number][0];

const read = (pm: Doc, f: Field): string => {
  const [a, b] = f.split('.') as [keyof Doc, string?];
  const v = pm[a] as unknown;
  return b ? ((v as Record<string, string>)[b] ?? '') : ((v as string) ?? '');
};
/** The edit for the API: only sections, nested ones as objects. */
const editOf = (values: Partial<Record<Field, string>>): PostmortemEdit => {
  const edit: PostmortemEdit & Record<string, unknown> = {};
  for (const [f, v] of Object.entries(values)) {
    const [a, b] = f.split('.');
    if (b) edit[a] = { ...(edit[a] as object), [b]: v };
    else edit[a] = v;
  }
  return edit;
};

/** The postmortem: read it (Markdown rendered safely), write its sections, publish it. */
export function Postmortem(p: Part) {
  const act = useAction();
  const pm = p.i.postmortem;
  const [draft, setDraft] = useState<Partial<Record<Field, string>>>({});
  const [preview, setPreview] = useState(false);
  const { value: md } = usePoll(
    () =>
      pm
        ? call<string>(p.token, 'GET', `/api/v1/incidents/${p.i.id}/postmortem?format=md`)
        : Promise.resolve(''),
    [pm?.status, pm?.edited_by, JSON.stringify(pm)],
    10_000,
  );
  if (!pm) return null;
  const editable = pm.status === 'draft' && can(p.me, 'responder');
  const value = (f: Field) => draft[f] ?? read(pm, f);
  const changed = Object.keys(draft).length > 0;
  const save = () =>
    act.run(
      () => api(p, 'PUT', '/postmortem', editOf(draft)),
      () => (setDraft({}), p.reload()),
    );
  return (
    <Section title={`Postmortem (${pm.status})`} id="postmortem">
      {editable ? (
        <form aria-label="Edit the postmortem" onSubmit={(e) => (e.preventDefault(), save())}>
          <div role="group" aria-label="Write or preview" class="inline-form">
            <button
              type="button"
              class={preview ? 'secondary small' : 'small'}
              aria-pressed={!preview}
              onClick={() => setPreview(false)}
            >
              Write
            </button>
            <button
              type="button"
              class={preview ? 'small' : 'secondary small'}
              aria-pressed={preview}
              onClick={() => setPreview(true)}
            >
              Preview
            </button>
          </div>
          {FIELDS.map(([f, label]) =>
            preview ? (
              <div class="pm-preview">
                <h4>{label}</h4>
                <div class="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(value(f)) }} />
              </div>
            ) : (
              <label>
                {label} <small>(Markdown)</small>
                <textarea
                  name={f}
                  rows={f === 'summary' || f === 'root_cause' ? 4 : 2}
                  value={value(f)}
                  onInput={(e) => setDraft({ ...draft, [f]: e.currentTarget.value })}
                />
              </label>
            ),
          )}
          <button type="submit" disabled={!changed || act.busy}>
            Save sections
          </button>{' '}
          <button
            type="button"
            class="secondary"
            disabled={changed || act.busy}
            title={changed ? 'Save your changes first' : undefined}
            onClick={() => act.run(() => api(p, 'POST', '/postmortem/publish', {}), p.reload)}
          >
            Publish postmortem
          </button>
        </form>
      ) : null}
      <ActionItemLinks {...p} />
      <details open={!editable}>
        <summary>Read the whole postmortem</summary>
        <div class="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(md ?? '') }} />
      </details>
      <ErrorNote error={act.error} />
    </Section>
  );
}

/** The action items the postmortem commits to, each linked to its row below. */
function ActionItemLinks(p: Part) {
  const items = p.i.action_items ?? [];
  if (!items.length)
    return (
      <p>
        No action items yet: add them under <a href="#action-items">Action items</a>.
      </p>
    );
  return (
    <p>
      Action items:{' '}
      {items.map((a, n) => (
        <>
          {n ? ', ' : ''}
          <a href={`#action-item-${a.id}`}>
            {a.id} {a.title}
          </a>{' '}
          <small>({a.status.replace(/_/g, ' ')})</small>
        </>
      ))}
    </p>
  );
}
