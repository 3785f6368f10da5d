/**
 * Incident roles on the incident: assigned and handed over by an Update, on the timeline; a
 * person handed a role by someone else is paged (they may not know yet).
 */
import { nowIso } from '../../domain/clock';
import { updateResult } from '../../domain/incident-view';
import { INCIDENT_ROLES, ROLE_LABEL } from '../../domain/roles';
import { assignRoleUpdate } from '../definitions';
import { invalid } from '../failures';
import { setKeyedUpdate } from '../request-keys';
import { notClosed } from './guards';
import type { IncidentState } from './state';

export function registerRoleHandlers(s: IncidentState): void {
  const i = s.incident;
  setKeyedUpdate(
    s.keys,
    assignRoleUpdate,
    ({ actor, role, person }) => {
      const was = i.roles?.[role]?.person;
      if (was === person) return updateResult(i); // already theirs: nothing to record
      (i.roles ??= {})[role] = { person, since: nowIso(), by: actor };
      const label = ROLE_LABEL[role];
      const title = `${label[0].toUpperCase()}${label.slice(1)}`;
      const message = was ? `${title} handed over from ${was} to ${person}` : `${title}: ${person}`;
      s.record(actor, 'edit', message, { role, person });
      if (person !== actor) {
        const page = {
          kind: 'page' as const,
          reason: `${actor} made you ${label}`,
          cause: `role-${role}-${i.roles[role].since}`,
          due: Date.now(),
        };
        s.esc?.pager.send({ person, via: `incident role ${role}` }, page);
      } else s.chat?.invite(person);
      s.replanned = true; // a new communications lead has a reminder to schedule
      s.changed();
      return updateResult(i);
    },
    {
      validator: ({ role }) => {
        notClosed(s);
        if (!INCIDENT_ROLES.includes(role)) throw invalid(`role: one of ${INCIDENT_ROLES.join(', ')}`);
      },
    },
  );
}
