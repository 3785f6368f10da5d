import { defineRunbook, z } from 'tourniquet/runbook';

/** An app's connection pool as it reports it: node-postgres Pool's counters and size. */
interface PoolCounters {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

const counters = (body: unknown): PoolCounters => {
  const b = (body ?? {}) as Record<string, unknown>;
  const n = (k: string) => (typeof b[k] === 'number' ? b[k] : 0);
  return { total: n('total'), idle: n('idle'), waiting: n('waiting'), max: n('max') };
};
const exhausted = (p: PoolCounters) => p.waiting > 0 || (p.idle === 0 && p.total >= p.max);
const described = (p: PoolCounters) =>
  `${p.total}/${p.max} connections, ${p.idle} idle, ${p.waiting} callers waiting`;

/**
 * "Query Engine: connection pool exhaustion" (seed 004, runbook integration). The app's pool
 * is full: are its connections leaked (checked out but idle on the database) or all busy?
 * Leaked: restart the app (new pools). Busy: scale the app out within the service's cap,
 * if the database has room for the new pools. Verified by the pool's own counters.
 */
export default defineRunbook({
  meta: {
    name: 'connection-pool-exhaustion',
    owner: 'query-engine',
    description:
      "Read the app's pool counters and the database's view of its sessions; a pool of leaked connections (idle on the database) is reset by a rolling restart, a pool of busy ones gets more pods (×2 within caps, if the database has room); verified by the pool's counters.",
    version: '1.0.0',
    triggers: [
      { labels: { runbook: 'connection-pool-exhaustion' } },
      { labels: { alertname: 'ConnectionPoolExhausted' } },
    ],
    escalation: 'query-engine-oncall',
    eta: '10m',
    params: z.object({
      namespace: z.string().describe('namespace of the app'),
      deployment: z.string().describe('the app Deployment'),
      database: z.string().describe("the service's database (catalogue services.<name>.postgres)"),
      pool_url: z
        .string()
        .describe("the app's pool counters as JSON {total, idle, waiting, max} (a catalogued health check)"),
      application: z.string().describe("the app's application_name on the database"),
    }),
    targets: { namespace: 'namespace', deployment: 'deployment', database: 'database', pool_url: 'url' },
  },
  async run(ctx) {
    const { database, pool_url, application } = ctx.params;
    const app = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    const readPool = () => ctx.http.httpJson({ url: pool_url }).then(counters);
    const pool = await ctx.step(
      { id: 'pool', title: 'Read the pool counters', impact: 'read', what: `GET ${pool_url}` },
      readPool,
    );
    ctx.evidence('app pool before', pool);
    if (!exhausted(pool))
      ctx.escalate(`the pool is not exhausted (${described(pool)}); the cause is elsewhere`);
    const db = await ctx.step(
      {
        id: 'database',
        title: "The database's view",
        impact: 'read',
        what: `count ${application}'s sessions on ${database} by state`,
      },
      () => ctx.pg.pgDiagnoseConnections({ service: database, application }),
    );
    ctx.evidence('database sessions', db);
    const states = db.application_states ?? {};
    const busy = (states['active'] ?? 0) + (states['idle in transaction'] ?? 0);
    const leaked = (states['idle'] ?? 0) > busy;
    const rollout = await ctx.step(
      { id: 'deployment', title: `Read ${app.name}`, impact: 'read', what: 'read the Deployment' },
      () => ctx.k8s.k8sRolloutState(app),
    );
    const tried: string[] = [`pool: ${described(pool)}`, `database: ${JSON.stringify(states)}`];
    if (leaked) {
      await ctx.step(
        {
          id: 'restart',
          title: `Restart ${app.name}`,
          impact: 'low',
          action: 'restart',
          what: `rolling restart of ${app.namespace}/${app.name}: its ${states['idle']} connections are idle on the database yet checked out of the pool (leaked)`,
        },
        () => ctx.k8s.k8sRolloutRestart({ ...app, key: ctx.key('restart') }),
      );
      tried.push(`restarted ${app.name} (connections leaked)`);
    } else {
      const replicas = Math.min(rollout.desired * 2, ctx.caps.max_replicas);
      const more = (replicas - rollout.desired) * pool.max;
      if (replicas <= rollout.desired)
        ctx.escalate(`the pool is busy and ${app.name} is at its cap of ${ctx.caps.max_replicas} replicas`);
      if (more > db.headroom)
        ctx.escalate(
          `the pool is busy, but the database has room for ${db.headroom} connections, not the ${more} more pods would open`,
        );
      await ctx.step(
        {
          id: 'scale',
          title: `Scale ${app.name} to ${replicas}`,
          impact: 'low',
          action: 'scale',
          what: `scale ${app.namespace}/${app.name} from ${rollout.desired} to ${replicas} replicas (cap ${ctx.caps.max_replicas}; up to ${more} more connections, ${db.headroom} free)`,
        },
        () => ctx.k8s.k8sScale({ ...app, replicas, key: ctx.key('scale') }),
      );
      tried.push(`scaled ${app.name} to ${replicas} (connections busy)`);
    }
    if (ctx.dryRun) return `dry-run: would ${leaked ? 'restart' : 'scale'} ${app.name}`;
    await ctx.step(
      { id: 'wait', title: 'Wait for the rollout', impact: 'read', what: `watch ${app.name} roll out` },
      () => ctx.k8s.k8sWaitForRollout({ ...app, timeoutSeconds: 300 }),
    );
    // A pool settles as callers finish: judge the last of three reads.
    const settled = await ctx.step(
      {
        id: 'verify',
        title: 'Watch the pool counters settle',
        impact: 'read',
        what: `GET ${pool_url} three times, 2 s apart`,
      },
      () => ctx.http.httpJsonSamples({ url: pool_url, count: 3, gapSeconds: 2 }),
    );
    const after = counters(settled.at(-1));
    ctx.evidence('app pool after', after);
    if (exhausted(after))
      ctx.escalate(`the pool is still exhausted (${described(after)}). Tried: ${tried.join('; ')}`);
    ctx.health(ctx.service, 'recovering', `pool: ${described(after)}`);
    return `${leaked ? 'restarted' : 'scaled'} ${app.name}: pool ${described(after)}`;
  },
});
