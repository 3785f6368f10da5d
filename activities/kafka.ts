/**
 * Kafka consumer groups for runbooks, through KafkaJS: lag per partition (end offset −
 * committed offset), who owns each partition, and whether it moves — read twice a few seconds
 * apart, so a member that holds partitions without committing stands out. Only the groups
 * and brokers in the run's service catalogue entry.
 */
import { ApplicationFailure } from '@temporalio/common';
import { type Admin, AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { type Scoped, TargetScope } from './scope';

/** Partitions listed per answer (evidence, not a dump); the totals count them all. */
const MAX_PARTITIONS = 50;

export interface PartitionLag {
  partition: number;
  end: number;
  committed: number;
  lag: number;
  /** Committed offsets gained while watched. */
  progressed: number;
  /** The member's client id (a pod name, by the usual convention). */
  owner?: string;
}

export interface GroupLag {
  group: string;
  topic: string;
  state: string;
  total_lag: number;
  /** Messages committed per second across the group while watched. */
  committed_per_second: number;
  partitions: PartitionLag[];
  omitted: number;
  members: { client_id: string; partitions: number[]; stuck: number[] }[];
}

export function createKafkaActivities({ scope }: { scope: TargetScope }) {
  async function withAdmin<T>(o: Scoped & { group: string }, fn: (a: Admin) => Promise<T>): Promise<T> {
    scope.check(o.scope, 'consumer-group', o.group);
    const brokers = scope.entry(o.scope!)!.kafka!.brokers;
    const kafka = new Kafka({
      clientId: 'tourniquet',
      brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
    } catch (err) {
      throw ApplicationFailure.retryable(
        `cannot reach Kafka ${brokers.join(',')}: ${(err as Error).message}`,
      );
    }
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  return {
    /** The group's lag on `topic`, watched for `watchSeconds` (at most 10): who holds what, what moves. */
    async kafkaGroupLag(
      o: Scoped & { group: string; topic: string; watchSeconds: number },
    ): Promise<GroupLag> {
      return withAdmin(o, async (admin) => {
        const committed = async () => {
          const [t] = await admin.fetchOffsets({ groupId: o.group, topics: [o.topic] });
          return new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        };
        const first = await committed();
        const watch = Math.min(Math.max(o.watchSeconds, 1), 10);
        await new Promise((r) => setTimeout(r, watch * 1000));
        const second = await committed();
        const ends = await admin.fetchTopicOffsets(o.topic);
        const { groups } = await admin.describeGroups([o.group]);
        // By member id: two members may share a client id (one misconfigured app, say).
        const owners = new Map<number, { member: string; client: string }>();
        const members = (groups[0]?.members ?? []).map((m) => {
          const decoded = m.memberAssignment.length
            ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
            : null;
          const partitions = (decoded?.assignment[o.topic] ?? []).slice().sort((a, b) => a - b);
          partitions.forEach((p) => owners.set(p, { member: m.memberId, client: m.clientId }));
          return { member: m.memberId, client_id: m.clientId, partitions };
        });
        const all = ends
          .map((e): PartitionLag => {
            const end = Number(e.high);
            const now = Math.max(second.get(e.partition) ?? -1, Number(e.low));
            const before = Math.max(first.get(e.partition) ?? -1, Number(e.low));
            const owner = owners.get(e.partition)?.client;
            return {
              partition: e.partition,
              end,
              committed: now,
              lag: end - now,
              progressed: now - before,
              ...(owner ? { owner } : {}),
            };
          })
          .sort((a, b) => a.partition - b.partition);
        const stuck = (p: PartitionLag) => p.lag > 0 && p.progressed === 0;
        return {
          group: o.group,
          topic: o.topic,
          state: groups[0]?.state ?? 'Unknown',
          total_lag: all.reduce((n, p) => n + p.lag, 0),
          committed_per_second: Math.round(all.reduce((n, p) => n + p.progressed, 0) / watch),
          partitions: all.slice(0, MAX_PARTITIONS),
          omitted: Math.max(0, all.length - MAX_PARTITIONS),
          members: members.map(({ member, ...m }) => ({
            ...m,
            stuck: all
              .filter((p) => owners.get(p.partition)?.member === member && stuck(p))
              .map((p) => p.partition),
          })),
        };
      });
    },
  };
}
export type KafkaActivities = ReturnType<typeof createKafkaActivities>;
