/**
 * Incident roles (seeds 000–002): who commands, who talks to stakeholders, who writes it
 * down, who acts. Assigned per incident, handed over, paged like any escalation target.
 */
export const INCIDENT_ROLES = ['commander', 'communications', 'scribe', 'operations'] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];
export const ROLE_LABEL: Record<IncidentRole, string> = {
  commander: 'incident commander',
  communications: 'communications lead',
  scribe: 'scribe',
  operations: 'operations lead',
};

export interface RoleHolder {
  person: string;
  since: string;
  by: string;
}
