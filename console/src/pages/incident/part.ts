import { call, type Incident, type Me } from '../../api';

/** What every section of the incident page gets: who is looking, the incident, and how to reload it. */
export type Part = { token: string; me: Me; i: Incident; reload: () => void };

/** Calls the API under this incident's path. */
export const api = (p: Part, method: string, path: string, body?: unknown) =>
  call(p.token, method, `/api/v1/incidents/${p.i.id}${path}`, body);
