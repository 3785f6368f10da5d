import { useState } from 'preact/hooks';
import { can } from '../../api';
import { INCIDENT_ROLES, ROLE_LABEL, type IncidentRole } from '../../../../domain/roles';
import { ErrorNote, Section, useAction, when } from '../../ui';
import { type Part, api } from './part';

/** Who holds each incident role; responders assign or hand one over (the new holder is paged). */
export function Roles(p: Part) {
  const act = useAction();
  const responder = can(p.me, 'responder') && p.i.status !== 'closed';
  const [role, setRole] = useState<IncidentRole>('commander');
  const [person, setPerson] = useState('');
  return (
    <Section title="Roles" id="roles">
      <dl class="summary">
        {INCIDENT_ROLES.map((r) => {
          const h = p.i.roles?.[r];
          return (
            <>
              <dt>{ROLE_LABEL[r][0].toUpperCase() + ROLE_LABEL[r].slice(1)}</dt>
              <dd>{h ? `${h.person} (since ${when(h.since)}, by ${h.by})` : '—'}</dd>
            </>
          );
        })}
      </dl>
      {responder ? (
        <form
          class="row"
          onSubmit={(e) => (
            e.preventDefault(),
            act.run(
              () => api(p, 'PUT', `/roles/${role}`, { person: person.trim() }),
              () => (setPerson(''), p.reload()),
            )
          )}
        >
          <select
            aria-label="Incident role"
            value={role}
            onChange={(e) => setRole(e.currentTarget.value as IncidentRole)}
          >
            {INCIDENT_ROLES.map((r) => (
              <option value={r}>{ROLE_LABEL[r]}</option>
            ))}
          </select>
          <input
            aria-label="Person for the role"
            placeholder="person"
            value={person}
            onInput={(e) => setPerson(e.currentTarget.value)}
          />
          <button disabled={act.busy || !person.trim()}>Assign</button>
        </form>
      ) : null}
      <ErrorNote error={act.error} />
    </Section>
  );
}
