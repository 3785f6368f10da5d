import type { Client } from '@temporalio/client';
import { readEngineHealth } from '../engine-health';
import { type Route, route } from '../route';

/** Workflows the engine cannot run right now, and what recently recovered or failed. */
export function engineRoutes({ client }: { client: Client }): Route[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/engine/health',
      auth: 'viewer',
      operationId: 'getEngineHealth',
      summary: 'Workflows whose task keeps failing (stuck), recent recoveries and failures',
      handle: () => readEngineHealth(client),
    }),
  ];
}
