import { can } from '../../api';
import { EVIDENCE_KINDS } from '../../../../domain/record';
import { ErrorNote, Section, useAction, useForm } from '../../ui';
import { type Part, api } from './part';
import { Data } from '../../Data';

export function Evidence(p: Part) {
  const act = useAction();
  const { form, bind } = useForm({ kind: 'link', title: '', url: '' });
  return (
    <Section title="Evidence" id="evidence">
      <ul>
        {(p.i.evidence ?? []).map((e) => (
          <li>
            <span class="badge">{e.kind}</span> {e.url ? <a href={e.url}>{e.title}</a> : e.title}{' '}
            <small>by {e.added_by}</small>
            {e.text ? <Data text={e.text} label={e.title} /> : null}
          </li>
        ))}
      </ul>
      {can(p.me, 'responder') && p.i.status !== 'closed' ? (
        <form
          class="inline-form"
          aria-label="Add evidence"
          onSubmit={(e) => (e.preventDefault(), act.run(() => api(p, 'POST', '/evidence', form), p.reload))}
        >
          <select aria-label="Kind" {...bind('kind')}>
            {EVIDENCE_KINDS.map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
          <input aria-label="Evidence title" placeholder="Title" {...bind('title')} />
          <input aria-label="Evidence URL" placeholder="https://…" {...bind('url')} />
          <button type="submit">Add</button>
        </form>
      ) : null}
      <ErrorNote error={act.error} />
    </Section>
  );
}
