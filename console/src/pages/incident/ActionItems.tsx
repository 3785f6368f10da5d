import { can } from '../../api';
import { ACTION_STATUSES } from '../../../../domain/record';
import { ErrorNote, Section, useAction, useForm } from '../../ui';
import { type Part, api } from './part';

export function ActionItems(p: Part) {
  const act = useAction();
  const { form, bind } = useForm({ title: '', owner: '', due: '' });
  const responder = can(p.me, 'responder') && p.i.status !== 'closed';
  return (
    <Section title="Action items" id="action-items">
      <table>
        <tbody>
          {(p.i.action_items ?? []).map((a) => (
            <tr id={`action-item-${a.id}`}>
              <td>{a.id}</td>
              <td>{a.title}</td>
              <td>{a.owner}</td>
              <td>{a.due}</td>
              <td>
                {responder ? (
                  <select
                    aria-label={`Status of ${a.id}`}
                    value={a.status}
                    onChange={(e) =>
                      act.run(
                        () => api(p, 'PATCH', `/action-items/${a.id}`, { status: e.currentTarget.value }),
                        p.reload,
                      )
                    }
                  >
                    {ACTION_STATUSES.map((s) => (
                      <option value={s}>{s.replace(/_/g, ' ')}</option>
                    ))}
                  </select>
                ) : (
                  a.status
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {responder ? (
        <form
          class="inline-form"
          aria-label="Add an action item"
          onSubmit={(e) => (
            e.preventDefault(),
            act.run(() => api(p, 'POST', '/action-items', form), p.reload)
          )}
        >
          <input aria-label="Action item" placeholder="What" {...bind('title')} />
          <input aria-label="Owner" placeholder="Owner" {...bind('owner')} />
          <input aria-label="Due" type="date" {...bind('due')} />
          <button type="submit">Add</button>
        </form>
      ) : null}
      <ErrorNote error={act.error} />
    </Section>
  );
}
