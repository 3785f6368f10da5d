import { updateIdFor } from '../idempotency';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { guardStart } from '../../common/guard-workflow';
import { guardPauseUpdate, guardQuery, guardResetUpdate, guardWorkflowId } from '../../workflows/definitions';
import { type Route, route } from '../route';
import { NameSchema } from '../schemas';
import { temporalCall } from '../temporal-errors';

export const AutomationTarget = z.strictObject({ service: NameSchema.optional() });
export const AutomationServiceTarget = z.strictObject({ service: NameSchema });

/**
 * The kill switch and the circuit breakers. Pausing is open to responders (stopping
 * automation is always safe); resuming and resetting a breaker need an approver.
 * Paused steps wait, they do not fail, and carry on when automation resumes.
 */
export function automationRoutes({ client, taskQueue }: { client: Client; taskQueue: string }): Route[] {
  const pause = (service: string, paused: boolean, actor: string) =>
    temporalCall(client, `guard ${service}`, () =>
      client.workflow.executeUpdateWithStart(guardPauseUpdate, {
        args: [{ paused, actor }],
        updateId: updateIdFor(actor),
        startWorkflowOperation: guardStart(taskQueue, service),
      }),
    );
  const state = (service: string) =>
    temporalCall(client, `guard ${service}`, () =>
      client.workflow
        .getHandle(guardWorkflowId(service))
        .query(guardQuery)
        .catch((err: Error) => {
          if (err?.name === 'WorkflowNotFoundError')
            return { paused: false, breaker_open: false, actions: [], failures: [] };
          throw err;
        }),
    );
  return [
    route({
      method: 'get',
      path: '/api/v1/automation',
      auth: 'viewer',
      operationId: 'getAutomation',
      summary: 'Pause, breaker and recent actions',
      query: AutomationTarget,
      handle: async ({ query: { service } }) => ({
        global: await state('*'),
        ...(service ? { service: { name: service, ...(await state(service)) } } : {}),
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/automation/pause',
      auth: 'responder',
      operationId: 'pauseAutomation',
      summary: 'Kill switch: hold automated steps',
      body: AutomationTarget,
      handle: ({ body, actor }) => pause(body.service ?? '*', true, actor),
    }),
    route({
      method: 'post',
      path: '/api/v1/automation/resume',
      auth: 'approver',
      operationId: 'resumeAutomation',
      summary: 'Resume automated steps',
      body: AutomationTarget,
      handle: ({ body, actor }) => pause(body.service ?? '*', false, actor),
    }),
    route({
      method: 'post',
      path: '/api/v1/automation/reset-breaker',
      auth: 'approver',
      operationId: 'resetBreaker',
      summary: "Close a service's circuit breaker",
      body: AutomationServiceTarget,
      handle: ({ body: { service }, actor }) =>
        temporalCall(client, `guard ${service}`, () =>
          client.workflow.executeUpdateWithStart(guardResetUpdate, {
            args: [{ actor }],
            updateId: updateIdFor(actor),
            startWorkflowOperation: guardStart(taskQueue, service),
          }),
        ),
    }),
  ];
}
