/** Configuration: bad values stop start-up with a message naming the key (pure, no services). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, toEscalationConfig, EscalationConfigSchema } from '../config';
import { DEFAULT_SEVERITY_POLICIES } from '../domain/escalation';
import { resolveRunParams } from '../domain/services';
import { loadRunbooks } from '../common/runbook-catalog';

const withFile = (yaml: string) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tq-config-')), 'tourniquet.yaml');
  writeFileSync(file, yaml);
  return loadConfig({ TOURNIQUET_CONFIG: file });
};
/** The message a refused config file gets (it must be refused, as a ConfigError). */
const bad = (yaml: string) => {
  try {
    withFile(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('escalation config', () => {
  it("fills the seeds' severity table and parses durations", () => {
    const { config } = toEscalationConfig(
      EscalationConfigSchema.parse({ severities: { SEV2: { acknowledge: '10m', mitigate: null } } }),
      'http://x',
    );
    expect(config.severities.SEV2).toMatchObject({
      acknowledge: 600,
      mitigate: null,
      update_every: 1800,
      page: true,
    });
    expect(config.severities.SEV1).toEqual(DEFAULT_SEVERITY_POLICIES.SEV1);
    expect(config.notifiers).toEqual([{ name: 'log', type: 'log' }]);
  });

  it('keeps notifier URLs and secrets out of what the workflows receive', () => {
    const { config, notifiers } = toEscalationConfig(
      EscalationConfigSchema.parse({
        notifiers: [
          {
            name: 'pager',
            type: 'webhook',
            url: 'https://pager.example/hook',
            secret: 'a-very-long-secret-value',
          },
        ],
      }),
      'http://x',
    );
    expect(JSON.stringify(config)).not.toContain('secret');
    expect(JSON.stringify(config)).not.toContain('pager.example');
    expect(notifiers[0]).toMatchObject({ url: 'https://pager.example/hook' });
  });

  it('refuses names that point nowhere, bad zones and bad durations, naming the key', () => {
    expect(
      bad(
        'escalation:\n  policies:\n    default:\n      levels: [{ targets: [{ schedule: primary }], timeout: 5m }]\n',
      ),
    ).toContain('escalation.policies.default.levels.0.targets.0: no schedule named primary');
    expect(bad('escalation:\n  services: { payments: nope }\n')).toContain(
      'escalation.services.payments: no policy named nope',
    );
    expect(
      bad(
        'escalation:\n  business_hours: { timezone: Mars/Olympus, days: [1], start: "09:00", end: "17:00" }\n',
      ),
    ).toContain('escalation.business_hours.timezone: unknown IANA time zone');
    expect(bad('escalation:\n  severities: { SEV1: { acknowledge: soon } }\n')).toContain(
      'escalation.severities.SEV1.acknowledge',
    );
  });
});

describe('service catalogue config', () => {
  it('reads a complete entry: matchers default to the service label, caps and runbooks default safely', () => {
    const config = withFile(
      'services:\n  payments:\n    owner: team-pay\n    kubernetes: { namespace: prod, deployments: [payments] }\n    postgres: postgres://u@db/pay\n    runbooks: { scale-out: {} }\n',
    );
    expect(config.services.entries).toEqual([
      expect.objectContaining({
        name: 'payments',
        match: [{ service: 'payments' }],
        database: true,
        caps: { max_replicas: 20, max_sessions_terminated: 5 },
        runbooks: { 'scale-out': { params: {}, automatic: false } },
      }),
    ]);
    // The database URL is kept apart for the worker, never in the entry workflows see.
    expect(JSON.stringify(config.services.entries)).not.toContain('postgres://');
    expect(config.services.postgres).toEqual({ payments: 'postgres://u@db/pay' });
  });

  it('refuses Kubernetes names that are not names, unknown policies, and an object owned by two services', () => {
    expect(bad('services:\n  a: { owner: t, kubernetes: { namespace: "kube-system/../x" } }\n')).toContain(
      'services.a.kubernetes.namespace: expected a Kubernetes name',
    );
    expect(bad('services:\n  a: { owner: t, policy: nope }\n')).toContain(
      'services.a.policy: no escalation policy named nope',
    );
    expect(
      bad(
        'services:\n  a: { owner: t, kubernetes: { namespace: prod, deployments: [web] } }\n  b: { owner: t, kubernetes: { namespace: prod, deployments: [web] } }\n',
      ),
    ).toContain('services.b.kubernetes.deployments.0: prod/web already belongs to service a');
  });
});

describe("the seed's service catalogue (docs/seed-services.yaml)", () => {
  it('lists every built-in runbook under a service, with targets that resolve inside it', () => {
    const config = withFile(readFileSync(path.join(__dirname, '../docs/seed-services.yaml'), 'utf8'));
    const builtIn = new Map(loadRunbooks().map(({ def }) => [def.meta.name, def]));
    const listed = config.services.entries.flatMap((s) =>
      Object.keys(s.runbooks).map((name) => {
        const def = builtIn.get(name)!;
        const resolved = resolveRunParams(
          s,
          { name, params: def.meta.params, targets: def.meta.targets },
          {},
        );
        expect([name, resolved]).toEqual([name, { params: expect.any(Object) }]);
        return name;
      }),
    );
    expect(listed.sort()).toEqual([...builtIn.keys()].sort());
  });
});
