import { carriedProblem } from '../domain/workflow-inputs';
import { checkInput } from './failures';
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeHealthEvent, HealthBook, type EngineHealthView } from '../domain/engine-health';
import { engineHealthQuery, engineNoteSignal, taskFailureSignal } from './definitions';
import { MIN_RUN_MS, oldEnoughToContinue } from './continue-as-new';

const health = wf.proxyActivities<Pick<Activities, 'inspectWorkflows' | 'notifyEngineOwner'>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 20 },
});

/** How often the followed workflows are checked with Temporal. */
const CHECK_EVERY = '10 seconds';

/**
 * One per namespace (ENGINE_HEALTH_WORKFLOW_ID), started by the first worker that sees a
 * workflow task fail. It confirms each suspect with Temporal, pages the engine's owner when
 * one is stuck and again when it recovers or ends, and tells a recovered incident on its
 * timeline. The API reads it for /readyz, /metrics and the console's banner.
 */
export async function engineHealth(carried?: EngineHealthView): Promise<void> {
  checkInput('engineHealth', carriedProblem(carried));
  const book = new HealthBook(carried);
  wf.setHandler(taskFailureSignal, (hint) => book.suspect(hint, new Date().toISOString()));
  wf.setHandler(engineHealthQuery, () => book.view());

  while (!wf.workflowInfo().continueAsNewSuggested && wf.workflowInfo().historyLength < 2_000) {
    // Nothing followed: wait for a suspect (a day at most, so an idle run still rolls over).
    if (book.size === 0 && !(await wf.condition(() => book.size > 0, '1 day'))) break;
    await wf.sleep(CHECK_EVERY);
    const seen = await health.inspectWorkflows(book.followed());
    for (const event of book.observe(seen, new Date().toISOString())) {
      const text = describeHealthEvent(event);
      await health.notifyEngineOwner({ event, text });
      if (event.kind === 'recovered' && event.workflow.workflow_type === 'incident')
        await wf
          .getExternalWorkflowHandle(event.workflow.workflow_id)
          .signal(engineNoteSignal, { text })
          .catch(() => undefined); // it closed since: the page said it all
    }
  }
  if (!oldEnoughToContinue()) await wf.sleep(MIN_RUN_MS);
  await wf.condition(wf.allHandlersFinished);
  await wf.continueAsNew<typeof engineHealth>(book.carry());
}
