/**
 * bench:approval — from `POST …/approve` returning to the gated activity starting (the
 * rollback itself, after the guardrail checks), beside the raw Temporal Update round trip
 * measured in the same run (issue "Guardrails and human approval"). Runs against the
 * Kubernetes test plane: each sample rolls back its own Deployment.
 */
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startK8sPlane } from '../test/support/k8s-plane';
import type { Client } from '@temporalio/client';
import { noteUpdate } from '../workflows/definitions';
import {
  activityStartedAt,
  BENCH_APPROVER_TOKEN,
  BENCH_TOKEN,
  log,
  percentile,
  round,
  runConcurrent,
  startBenchEnv,
  writeResults,
} from './support/common';
import { Hops, timedEvents, timeOf } from './support/hops';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100); // #18 asks for at least 100

async function main() {
  const plane = await startK8sPlane({ log: (m) => log(`k8s: ${m}`) });
  const services = Object.fromEntries(
    Array.from({ length: SAMPLES }, (_, i) => [
      `bench-svc-${i}`,
      {
        owner: 'bench',
        kubernetes: { namespace: 'default', deployments: [`app-${i}`] },
        runbooks: { 'rollback-deployment': {} },
      },
    ]),
  );
  const env = await startBenchEnv({ kubeconfig: plane.kubeconfig, services });
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfig);
  const apps = kc.makeApiClient(AppsV1Api);
  const api = async (method: string, path: string, body?: unknown, token = BENCH_TOKEN) => {
    const res = await fetch(env.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    log(`${SAMPLES} Deployments with two revisions each`);
    await runConcurrent(SAMPLES, 8, async (i) => {
      const name = `app-${i}`;
      const labels = { app: name };
      await apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name },
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:v1' }] } },
          },
        },
      });
      await apps.patchNamespacedDeployment(
        {
          namespace: 'default',
          name,
          body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:v2' }] } } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    });
    await new Promise((r) => setTimeout(r, 3000)); // let the controller write revision 2's ReplicaSets

    log(`raw: ${SAMPLES} Update round trips (incident addNote) from a Temporal client`);
    const incident = (
      await api('POST', '/api/v1/incidents', {
        title: 'bench',
        description: 'raw updates',
        severity: 'low',
        affected_services: ['bench'],
      })
    ).id;
    const raw: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now();
      await env.client.workflow
        .getHandle(incident)
        .executeUpdate(noteUpdate, { args: [{ actor: 'bench', text: `note ${i}` }] });
      raw.push(performance.now() - t);
    }
    log(`    p50 ${round(percentile(raw, 50))} ms, p99 ${round(percentile(raw, 99))} ms`);

    log(`approve → gated activity: ${SAMPLES} rollbacks waiting for approval`);
    const ours: number[] = [];
    const calls: number[] = [];
    const hops = new Hops();
    for (let i = 0; i < SAMPLES; i++) {
      const id = (
        await api('POST', '/api/v1/incidents', {
          title: `bench ${i}`,
          description: 'approval',
          severity: 'high',
          affected_services: [`bench-svc-${i}`],
        })
      ).id;
      const { run_id } = await api('POST', `/api/v1/incidents/${id}/runbooks`, {
        name: 'rollback-deployment',
        params: { namespace: 'default', deployment: `app-${i}`, service: `bench-svc-${i}` },
      });
      let approvalId: string | undefined;
      while (!approvalId) {
        approvalId = (await api('GET', `/api/v1/incidents/${id}/approvals`)).approvals.find(
          (a: any) => a.status === 'pending',
        )?.id;
        if (!approvalId) await new Promise((r) => setTimeout(r, 50));
      }
      const sent = Date.now();
      await api('POST', `/api/v1/incidents/${id}/approvals/${approvalId}/approve`, {}, BENCH_APPROVER_TOKEN);
      const returned = Date.now();
      const started = await activityStartedAt(env.client, run_id, 'k8sRolloutUndo');
      ours.push(started - returned);
      calls.push(returned - sent);
      hops.add(await approvalHops(env.client, run_id, sent, returned));
    }
    log(`    p50 ${round(percentile(ours, 50))} ms, p99 ${round(percentile(ours, 99))} ms`);
    log(
      `    approve call p50 ${round(percentile(calls, 50))} / p99 ${round(percentile(calls, 99))} ms; per hop (p50/p99 ms): ${hops.line()}`,
    );

    const figures = {
      raw_p50_ms: round(percentile(raw, 50)),
      raw_p99_ms: round(percentile(raw, 99)),
      p50_ms: round(percentile(ours, 50)),
      p99_ms: round(percentile(ours, 99)),
      p99_ratio: round(percentile(ours, 99) / percentile(raw, 99), 2),
      samples: ours.length,
      // What the approver waits for, and sent → action started: the whole of it.
      approve_call_p50_ms: round(percentile(calls, 50)),
      approve_call_p99_ms: round(percentile(calls, 99)),
      hops: hops.summary(),
    };
    console.log(JSON.stringify(figures, null, 2));
    writeResults(
      'approval',
      figures,
      `approve returned → gated activity started p50 ${figures.p50_ms} / p99 ${figures.p99_ms} ms; raw Update round trip p50 ${figures.raw_p50_ms} / p99 ${figures.raw_p99_ms} ms; p99 ratio ${figures.p99_ratio} (goal ≤ 1.5: ${figures.p99_ratio <= 1.5 ? 'met' : 'MISSED'}); the approve call itself p50 ${figures.approve_call_p50_ms} / p99 ${figures.approve_call_p99_ms} ms; hops p50/p99 ms: ${hops.line()}`,
    );
  } finally {
    await env.close();
    await plane.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/** One approval, hop by hop: the call reaching the run, the run taking its guard slot, the action's dispatch. */
async function approvalHops(client: Client, runId: string, sent: number, returned: number) {
  const run = await timedEvents(client, runId);
  const accepted = timeOf(run, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED');
  const scheduled = run.find(
    (e) => e.event.activityTaskScheduledEventAttributes?.activityType?.name === 'k8sRolloutUndo',
  );
  if (!scheduled) throw new Error(`no k8sRolloutUndo in ${runId}`);
  const started = timeOf(
    run,
    'ACTIVITY_TASK_STARTED',
    (e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.event.eventId),
  );
  return {
    call_to_run: accepted - sent, // API, auth, the incident's lookup of the run, the Update's dispatch
    run_to_scheduled: scheduled.at - accepted, // guard slot (two Updates), then the action asked for
    reply_after_accept: returned - accepted,
    step_dispatch: started - scheduled.at,
  };
}
