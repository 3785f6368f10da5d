/**
 * The Kafka runbooks against kfake — franz-go's Kafka wire-protocol broker written for tests,
 * not Apache Kafka — with KafkaJS consumers that follow their Deployment's pods on the
 * Kubernetes plane (client id = pod name): a group too slow for its topic gets more consumers
 * and its lag falls; a member that holds partitions without committing is restarted and its
 * partitions move again.
 */
import { startEngine, TestEngine, eventually } from './support/engine';
import { keep } from './support/histories';
import { runEnded, startRunbook } from './support/incidents';
import { deployment, kube } from './support/kube';
import { ConsumerPods, consumerPods, KafkaBroker, startKafka } from './support/kafka';
import { catalogueOf, ensureNamespace, testService } from './support/services';

const k = kube();
const streaming = testService('streaming', {
  deployments: ['billing-consumer', 'ledger-consumer'],
  caps: { max_replicas: 6 },
});
let broker: KafkaBroker;
let engine: TestEngine;
const pods: ConsumerPods[] = [];
let producing = true;
const producers: Promise<void>[] = [];

/** `perSecond` messages a second into `topic`, spread over its partitions by key. */
function produce(topic: string, perSecond: number) {
  const producer = broker.kafka.producer();
  producers.push(
    (async () => {
      await producer.connect();
      for (let n = 0; producing; n++) {
        await producer.send({
          topic,
          messages: Array.from({ length: perSecond / 10 }, (_, i) => ({ key: `k${n}-${i}`, value: 'x' })),
        });
        await new Promise((r) => setTimeout(r, 100));
      }
      await producer.disconnect();
    })(),
  );
}

beforeAll(async () => {
  broker = await startKafka({ orders: 3, payments: 3 });
  streaming.config.kafka = { brokers: [broker.broker], consumer_groups: ['billing', 'ledger'] };
  streaming.config.runbooks = {
    'kafka-consumer-lag': {
      params: { group: 'billing', topic: 'orders', deployment: 'billing-consumer', max_lag: '100' },
    },
    'kafka-partition-rebalance': {
      params: { group: 'ledger', topic: 'payments', deployment: 'ledger-consumer' },
    },
  };
  const namespace = await ensureNamespace(k, streaming);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('billing-consumer', 1) });
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('ledger-consumer', 2) });
  engine = await startEngine({ services: catalogueOf([streaming]) });
});
afterAll(async () => {
  producing = false;
  await Promise.all(producers);
  await Promise.all(pods.map((p) => p.stop()));
  await engine?.close();
  await broker?.stop();
});

async function run(name: string) {
  const id = await startRunbook(engine, streaming.name, name);
  return { id, run: await runEnded(engine, id) };
}
const evidence = (run: any, i: number) => JSON.parse(run.evidence[i].text);

it('adds consumers to a group too slow for its topic, within the partition count, and the lag falls', async () => {
  const billing = consumerPods({
    kube: k,
    brokers: [broker.broker],
    namespace: streaming.namespace,
    app: 'billing-consumer',
    group: 'billing',
    topic: 'orders',
    msPerMessage: 20,
  });
  pods.push(billing);
  produce('orders', 60);
  await eventually(async () => billing.running().length === 1);
  await new Promise((r) => setTimeout(r, 8000)); // lag builds: 60/s in, ~50/s out

  const { id, run: r } = await run('kafka-consumer-lag');
  keep(engine.namespace, `${id}-rb-1`, 'runbook-kafka-consumer-lag');
  expect(r).toMatchObject({ status: 'succeeded' });
  expect(r.steps.map((s: { id: string }) => s.id)).toEqual(['lag', 'consumers', 'scale', 'wait', 'verify']);
  const [before, after] = [evidence(r, 0), evidence(r, 1)];
  expect(before.partitions).toHaveLength(3);
  expect(before.total_lag).toBeGreaterThan(100);
  expect(before.members).toHaveLength(1);
  expect(after.members).toHaveLength(2);
  expect(after.committed_per_second).toBeGreaterThan(before.committed_per_second);
  const d = await k.apps.readNamespacedDeployment({
    namespace: streaming.namespace,
    name: 'billing-consumer',
  });
  expect(d.spec?.replicas).toBe(2);
}, 120_000);

it('restarts the member that holds partitions without committing; they move again', async () => {
  const ledger = consumerPods({
    kube: k,
    brokers: [broker.broker],
    namespace: streaming.namespace,
    app: 'ledger-consumer',
    group: 'ledger',
    topic: 'payments',
    msPerMessage: 2,
  });
  pods.push(ledger);
  produce('payments', 30);
  const admin = broker.kafka.admin();
  await admin.connect();
  // Both members hold partitions before one of them gets stuck.
  await eventually(
    async () => {
      const { groups } = await admin.describeGroups(['ledger']);
      return groups[0]?.state === 'Stable' && groups[0].members.length === 2;
    },
    { timeoutMs: 30_000 },
  );
  await admin.disconnect();
  const [victim] = ledger.running();
  ledger.stuck.add(victim);
  await new Promise((r) => setTimeout(r, 3000));

  const { id, run: r } = await run('kafka-partition-rebalance');
  keep(engine.namespace, `${id}-rb-1`, 'runbook-kafka-partition-rebalance');
  expect(r).toMatchObject({ status: 'succeeded' });
  expect(r.steps.map((s: { id: string }) => s.id)).toEqual([
    'members',
    `restart-${victim}`,
    'wait',
    'verify',
  ]);
  const before = evidence(r, 0);
  const stuck = before.members.find((m: any) => m.client_id === victim);
  expect(stuck.stuck.length).toBeGreaterThan(0);
  expect(before.members.filter((m: any) => m.stuck.length)).toHaveLength(1);
  expect(ledger.running()).not.toContain(victim);
  const after = evidence(r, 1);
  for (const p of after.partitions.filter((x: any) => stuck.stuck.includes(x.partition)))
    expect(p.progressed > 0 || p.lag === 0).toBe(true);
}, 120_000);
