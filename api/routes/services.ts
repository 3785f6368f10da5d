import type { EscalationConfig } from '../../domain/escalation';
import { policyFor, resolveTargets } from '../../domain/escalation';
import type { ServiceEntry } from '../../domain/services';
import { NotFoundError } from '../errors';
import type { Incidents } from '../incidents';
import { type Route, route } from '../route';

/**
 * The service catalogue for people: who owns each service, who is on call for it now, its
 * runbooks, links for the first five seconds and its open incidents. Targets are shown (they
 * are configuration); database URLs are not (they stay in the worker's config).
 */
export function serviceRoutes({
  catalogue,
  escalation,
  incidents,
}: {
  catalogue: readonly ServiceEntry[];
  escalation: EscalationConfig;
  incidents: Incidents;
}): Route[] {
  const byName = new Map(catalogue.map((s) => [s.name, s]));
  const onCall = (s: ServiceEntry) => {
    const { name, policy } = policyFor(escalation, [s.name]);
    const first = policy.levels[0]?.targets ?? [];
    return { policy: name, now: resolveTargets(escalation, first, Date.now()) };
  };
  return [
    route({
      method: 'get',
      path: '/api/v1/services',
      auth: 'viewer',
      operationId: 'listServices',
      summary: 'The service catalogue: owners, on call now, runbooks',
      handle: () => ({
        services: catalogue.map((s) => ({ ...s, on_call: onCall(s) })),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/services/{service}',
      auth: 'viewer',
      operationId: 'getService',
      summary: 'One service: owner, on call now, runbooks, links, targets, open incidents',
      handle: async ({ params }) => {
        const s = byName.get(params.service);
        if (!s)
          throw new NotFoundError(
            `no service named ${params.service} in the catalogue; GET /api/v1/services lists them`,
          );
        const open = (await incidents.scan([`IncidentServices = '${s.name}'`, `ExecutionStatus = 'Running'`]))
          .filter((i) => i.status !== 'closed')
          .map(({ id, severity, status, created_at }) => ({ id, severity, status, created_at }));
        return { ...s, on_call: onCall(s), open_incidents: open };
      },
    }),
  ];
}
