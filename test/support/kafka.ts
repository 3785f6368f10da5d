/**
 * Kafka for the Kafka runbooks' tests: kfake (franz-go's Kafka wire-protocol broker written
 * for tests — not Apache Kafka; scripts/ensure-kfake.sh builds it) on loopback, and consumer
 * "pods": one KafkaJS consumer per pod of a Deployment on the Kubernetes plane, its client id
 * the pod's name, started when the pod appears and stopped when it goes. A pod named in
 * `stuck` keeps its partitions and heartbeats but never commits.
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { freePort } from '../../worker/dev-server';
import type { Kube } from './kube';

const BINARY = path.join(__dirname, '../../.temporal/bin/kfake');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface KafkaBroker {
  broker: string;
  kafka: Kafka;
  stop(): Promise<void>;
}

export async function startKafka(topics: Record<string, number>): Promise<KafkaBroker> {
  const port = await freePort();
  const args = [`-port=${port}`, ...Object.entries(topics).map(([t, n]) => `-topic=${t}:${n}`)];
  const child: ChildProcess = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((ready, failed) => {
    child.once('error', (err) =>
      failed(new Error(`kfake did not start (bash scripts/ensure-kfake.sh builds it): ${err.message}`)),
    );
    child.stdout!.once('data', () => ready());
  });
  const broker = `127.0.0.1:${port}`;
  return {
    broker,
    kafka: new Kafka({ clientId: 'test', brokers: [broker], logLevel: logLevel.NOTHING }),
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface ConsumerPods {
  /** Pods whose consumer takes no message further (alive, heartbeating, holding its partitions). */
  stuck: Set<string>;
  running(): string[];
  stop(): Promise<void>;
}

export function consumerPods(o: {
  kube: Kube;
  brokers: string[];
  namespace: string;
  app: string;
  group: string;
  topic: string;
  msPerMessage: number;
}): ConsumerPods {
  const consumers = new Map<string, Consumer>();
  const stuck = new Set<string>();
  let stopped = false;
  const start = async (pod: string) => {
    // Its own client: the client id (what the group reports for a member) is the pod's name.
    const c = new Kafka({ clientId: pod, brokers: o.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: o.group,
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      rebalanceTimeout: 6000,
    });
    consumers.set(pod, c);
    await c.connect();
    await c.subscribe({ topic: o.topic, fromBeginning: true });
    await c.run({
      autoCommitInterval: 300,
      eachBatch: async (p) => {
        for (const m of p.batch.messages) {
          while (stuck.has(pod) && consumers.get(pod) === c && p.isRunning()) {
            await p.heartbeat();
            await sleep(300);
          }
          if (!p.isRunning() || p.isStale()) return;
          await sleep(o.msPerMessage);
          p.resolveOffset(m.offset);
          await p.heartbeat();
          await p.commitOffsetsIfNecessary();
        }
      },
    });
  };
  const sync = async () => {
    const pods = await o.kube.core.listNamespacedPod({
      namespace: o.namespace,
      labelSelector: `app=${o.app}`,
    });
    const live = new Set(
      pods.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata!.name!),
    );
    for (const [pod, c] of consumers)
      if (!live.has(pod)) {
        consumers.delete(pod);
        void c.disconnect();
      }
    for (const pod of live) if (!consumers.has(pod)) void start(pod).catch(() => consumers.delete(pod));
  };
  const loop = (async () => {
    while (!stopped) {
      await sync().catch(() => undefined);
      await sleep(300);
    }
  })();
  return {
    stuck,
    running: () => [...consumers.keys()].sort(),
    async stop() {
      stopped = true;
      await loop;
      await Promise.all([...consumers.values()].map((c) => c.disconnect().catch(() => undefined)));
    },
  };
}
