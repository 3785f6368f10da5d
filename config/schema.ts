/**
 * The config file's schema: every section, its defaults and its refusals (each names the
 * key). One zod schema per section is the source of its TypeScript type; loading is in index.ts.
 */
import { INCIDENT_ROLES } from '../domain/roles';
import { z } from 'zod';
import { DEFAULT_ALERT_POLICY } from '../domain/alerts';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from '../domain/duration';
import { DEFAULT_ESCALATION, NOTIFICATION_KINDS } from '../domain/escalation';
import { IMPACTS } from '../domain/runbook';
import { isTimeZone } from '../domain/oncall';
import { SEVERITIES } from '../domain/severity';
import { DEFAULT_CAPS } from '../domain/services';
import { DEFAULT_EDGE_LIMITS } from '../domain/edge-limits';
import { ROLES, type Role } from './roles';

export { ROLES, type Role };
export const RoleSchema = z.enum(ROLES);

export const TokenEntrySchema = z.union([
  z.strictObject({
    token: z.string().min(8),
    identity: z.string().min(1),
    roles: z.array(RoleSchema).min(1),
  }),
  z.strictObject({
    token_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256 of the token'),
    identity: z.string().min(1),
    roles: z.array(RoleSchema).min(1),
  }),
]);
export type TokenEntry = z.infer<typeof TokenEntrySchema>;

const SeverityName = z.enum(SEVERITIES);

/** A secret given in clear (from env or a protected file) or as its SHA-256. */
const SecretSchema = z.union([
  z.strictObject({ token: z.string().min(8) }),
  z.strictObject({ token_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256 of the token') }),
]);

export const AlertRouteSchema = z.strictObject({
  match: z.record(z.string(), z.string()),
  severity: SeverityName.optional(),
  service: z.string().min(1).optional(),
});
export type AlertRoute = z.infer<typeof AlertRouteSchema>;

/** Alert sources: each has its own secret; a source without one refuses every request. */
export const AlertsConfigSchema = z.strictObject({
  alertmanager: SecretSchema.and(
    z.object({ dedup_labels: z.array(z.string().min(1)).min(1).optional() }),
  ).optional(),
  grafana: SecretSchema.and(
    z.object({ dedup_labels: z.array(z.string().min(1)).min(1).optional() }),
  ).optional(),
  /** PagerDuty Events v2: the routing (integration) keys this engine accepts. */
  pagerduty: z.strictObject({ routing_keys: z.array(z.string().min(8)).min(1) }).optional(),
  /** The generic endpoint: HMAC-SHA256 of the raw body with this secret, hex, in X-Tourniquet-Signature. */
  generic: z.strictObject({ hmac_secret: z.string().min(16) }).optional(),
  routes: z.array(AlertRouteSchema).default([]),
  /** Severities resolved automatically once all their alerts clear; the rest wait for a human. */
  auto_resolve: z.array(SeverityName).default(DEFAULT_ALERT_POLICY.autoResolve),
});
export type AlertsConfig = z.infer<typeof AlertsConfigSchema>;

/** A PostgreSQL connection URL (kept in the worker's config, never in workflow history). */
const PostgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL');

/** What runbooks act on. Kubernetes also comes from KUBECONFIG or the in-cluster service account. */
export const TargetsConfigSchema = z.strictObject({
  kubeconfig: z.string().min(1).optional(),
  /** PostgreSQL connection URL per service name, e.g. orders-db: postgres://… */
  postgres: z.record(z.string(), PostgresUrl).default({}),
});
export type TargetsConfig = z.infer<typeof TargetsConfigSchema>;

/** A Kubernetes object or namespace name (DNS-1123 label). */
const K8sName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a Kubernetes name (lower-case letters, digits, -)');

/** One service of the catalogue (domain/services.ts): what automation may touch for it. */
export const ServiceConfigSchema = z.strictObject({
  owner: z.string().min(1),
  tier: z.number().int().min(1).max(4).default(3),
  /** Escalation policy for its incidents (a name under escalation.policies). */
  policy: z.string().min(1).optional(),
  /** Label matchers that select this service; default: {service: <name>}. */
  match: z
    .array(z.record(z.string().min(1), z.string()).refine((m) => Object.keys(m).length > 0, 'empty matcher'))
    .min(1)
    .optional(),
  kubernetes: z
    .strictObject({
      namespace: K8sName,
      deployments: z.array(K8sName).default([]),
      services: z.array(K8sName).default([]),
      /** Switches runbooks may flip: a ConfigMap key and its allowed values (domain/services.ts). */
      switches: z
        .record(
          K8sName,
          z.strictObject({
            config_map: K8sName,
            key: z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, 'expected a ConfigMap key'),
            values: z.array(z.string().min(1)).min(2),
          }),
        )
        .default({}),
    })
    .optional(),
  /** Its PostgreSQL connection URL. */
  postgres: PostgresUrl.optional(),
  /** Its streaming replica's (replication-lag reads and cancels there). */
  postgres_replica: PostgresUrl.optional(),
  health_checks: z.array(z.url()).default([]),
  /** The Prometheus that scrapes it, e.g. http://prometheus.monitoring:9090 (investigations query it). */
  prometheus: z.url().optional(),
  /** Its Kafka brokers (host:port) and the consumer groups runbooks may read and rebalance. */
  kafka: z
    .strictObject({
      brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1),
      consumer_groups: z.array(z.string().min(1)).default([]),
    })
    .optional(),
  caps: z
    .strictObject({
      max_replicas: z.number().int().min(1).max(1000).default(DEFAULT_CAPS.max_replicas),
      max_sessions_terminated: z.number().int().min(1).max(100).default(DEFAULT_CAPS.max_sessions_terminated),
    })
    .default(DEFAULT_CAPS),
  links: z.record(z.string().min(1), z.url()).default({}),
  runbooks: z
    .record(
      z.string().min(1),
      z.strictObject({
        params: z.record(z.string().min(1), z.string()).default({}),
        automatic: z.boolean().default(false),
      }),
    )
    .default({}),
});
export const ServicesConfigSchema = z
  .record(K8sName.or(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/)), ServiceConfigSchema)
  .default({});
export type ServicesConfig = z.infer<typeof ServicesConfigSchema>;

/** Seconds as a number or a duration ("90s", "3m", "1h", "2d"). */
const Seconds = z.union([
  z.number().positive(),
  z
    .string()
    .regex(DURATION_PATTERN, `expected seconds or ${DURATION_HINT}`)
    .transform((v) => parseDuration(v)!),
]);

/** The policy envelope (see domain/guardrails.ts for the defaults it extends). */
export const GuardrailsConfigSchema = z.strictObject({
  policy: z
    .array(
      z.strictObject({
        impact: z.enum(IMPACTS),
        severities: z.array(SeverityName).min(1).optional(),
        services: z.array(z.string().min(1)).min(1).optional(),
        decision: z.enum(['auto', 'approval', 'forbidden']),
        approvals: z.number().int().min(1).max(3).optional(),
      }),
    )
    .default([]),
  freezes: z
    .array(
      z.strictObject({
        from: z.iso.datetime({ offset: true }),
        to: z.iso.datetime({ offset: true }),
        services: z.array(z.string().min(1)).min(1).optional(),
        reason: z.string().optional(),
      }),
    )
    .default([]),
  approval_timeout_seconds: z.partialRecord(SeverityName, z.number().int().min(1)).default({}),
  dry_run: z.boolean().default(false),
  /** Mutating actions per window across the whole engine (every service together). */
  engine_budget: z.strictObject({ count: z.number().int().min(1).max(10_000), window: Seconds }).optional(),
});
export type GuardrailsConfig = z.infer<typeof GuardrailsConfigSchema>;

const DueSchema = z.union([Seconds, z.literal('next_business_day'), z.null()]);
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');
const TimeZone = z
  .string()
  .refine(isTimeZone, 'unknown IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)');
const TargetSchema = z.union([
  z.strictObject({ person: z.string().min(1) }),
  z.strictObject({ schedule: z.string().min(1) }),
  z.strictObject({ role: z.string().min(1) }),
  z.strictObject({ incident_role: z.enum(INCIDENT_ROLES) }),
]);

const NotifierKinds = z.array(z.enum(NOTIFICATION_KINDS)).optional();

/** Severity policy, on-call schedules, escalation policies and notifiers (defaults: the seeds' table). */
export const EscalationConfigSchema = z
  .strictObject({
    business_hours: z
      .strictObject({
        timezone: TimeZone,
        days: z.array(z.number().int().min(1).max(7)).min(1),
        start: HHMM,
        end: HHMM,
      })
      .default(DEFAULT_ESCALATION.business_hours),
    severities: z
      .partialRecord(
        SeverityName,
        z.strictObject({
          acknowledge: DueSchema.optional(),
          mitigate: DueSchema.optional(),
          resolve: DueSchema.optional(),
          update_every: z.union([Seconds, z.null()]).optional(),
          page: z.boolean().optional(),
          also_page: z.array(z.string().min(1)).optional(),
          notify: z.array(z.string().min(1)).optional(),
          commander: DueSchema.optional(),
          ticket: z.boolean().optional(),
          escalate: z.boolean().optional(),
          off_hours: z.boolean().optional(),
        }),
      )
      .default({}),
    schedules: z
      .record(
        z.string().min(1),
        z.strictObject({
          timezone: TimeZone,
          rotation: z.enum(['daily', 'weekly']),
          handoff: HHMM,
          start: z.iso.date(),
          people: z.array(z.string().min(1)).min(1),
          overrides: z
            .array(
              z.strictObject({
                from: z.iso.datetime({ offset: true }),
                to: z.iso.datetime({ offset: true }),
                person: z.string().min(1),
              }),
            )
            .default([]),
        }),
      )
      .default({}),
    roles: z.record(z.string().min(1), z.array(TargetSchema).min(1)).default({}),
    policies: z
      .record(
        z.string().min(1),
        z.strictObject({
          levels: z.array(z.strictObject({ targets: z.array(TargetSchema).min(1), timeout: Seconds })).min(1),
          repeat: z.number().int().min(0).max(10).default(0),
        }),
      )
      .default({}),
    services: z.record(z.string().min(1), z.string().min(1)).default({}),
    default_policy: z.string().min(1).default('default'),
    notifiers: z
      .array(
        z.discriminatedUnion('type', [
          z.strictObject({
            name: z.string().min(1),
            type: z.literal('webhook'),
            url: z.url(),
            secret: z.string().min(16).optional(),
            kinds: NotifierKinds,
            channels: z.array(z.string()).optional(),
          }),
          z.strictObject({
            name: z.string().min(1),
            type: z.literal('slack'),
            url: z.url(),
            /** The webhook belongs to the Tourniquet Slack app: messages carry acknowledge/approve/reject buttons. */
            interactive: z.boolean().default(false),
            kinds: NotifierKinds,
            channels: z.array(z.string()).optional(),
          }),
          z.strictObject({
            name: z.string().min(1),
            /** GitHub Issues (REST): a team ticket per incident, found by its label before one is opened. */
            type: z.literal('github'),
            url: z.url().default('https://api.github.com'),
            repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/repo'),
            token: z.string().min(1),
            kinds: NotifierKinds.default(['ticket']),
            channels: z.array(z.string()).optional(),
          }),
          z.strictObject({
            name: z.string().min(1),
            /** An external status page's webhook: external updates only, public fields only. */
            type: z.literal('statuspage'),
            url: z.url(),
            secret: z.string().min(16).optional(),
            kinds: NotifierKinds.default(['status']),
            channels: z.array(z.string()).optional(),
          }),
          z.strictObject({
            name: z.string().min(1),
            type: z.literal('log'),
            kinds: NotifierKinds,
            channels: z.array(z.string()).optional(),
          }),
        ]),
      )
      .default([{ name: 'log', type: 'log' }]),
    public_url: z.url().optional(),
    /** Open action items past due remind their owner this often. */
    action_item_reminders: Seconds.default(7 * 86_400),
    /** Paged when a workflow task keeps failing (the engine cannot run an incident). */
    engine_owner: z.string().min(1).default(DEFAULT_ESCALATION.engine_owner),
    /** Channels every status update goes to, internal and external (stakeholders, a status page's webhook). */
    stakeholders: z.array(z.string().min(1)).default([]),
    /**
     * Seed 000's burnout limit: past `off_hours_pages` pages out of hours within `window`, a
     * person's next non-SEV1 policy page goes to the next level instead (absent: no limit).
     */
    page_budget: z
      .strictObject({
        off_hours_pages: z.number().int().min(1).max(1000),
        window: Seconds.default(7 * 86_400),
      })
      .optional(),
  })
  .superRefine((e, ctx) => {
    // Every name a policy or role uses must exist: a typo must not mean nobody is paged.
    const check = (t: z.infer<typeof TargetSchema>, path: (string | number)[]) => {
      if ('schedule' in t && !e.schedules[t.schedule])
        ctx.addIssue({ code: 'custom', path, message: `no schedule named ${t.schedule}` });
      if ('role' in t && !e.roles[t.role])
        ctx.addIssue({ code: 'custom', path, message: `no role named ${t.role}` });
    };
    for (const [name, p] of Object.entries(e.policies))
      p.levels.forEach((l, i) =>
        l.targets.forEach((t, j) => check(t, ['policies', name, 'levels', i, 'targets', j])),
      );
    for (const [name, ts] of Object.entries(e.roles)) ts.forEach((t, j) => check(t, ['roles', name, j]));
    for (const [service, p] of Object.entries(e.services))
      if (!e.policies[p])
        ctx.addIssue({ code: 'custom', path: ['services', service], message: `no policy named ${p}` });
    const names = e.notifiers.map((n) => n.name);
    names.forEach(
      (n, i) =>
        names.indexOf(n) !== i &&
        ctx.addIssue({
          code: 'custom',
          path: ['notifiers', i, 'name'],
          message: `duplicate notifier name ${n}`,
        }),
    );
  });
export type EscalationFileConfig = z.infer<typeof EscalationConfigSchema>;

const SlackUserId = z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'expected a Slack user id such as U024BE7LH');

/**
 * Slack as a console (README "Slack"): requests from Slack checked by the app's signing
 * secret, Slack users acting as the Tourniquet identities they map to (roles from the
 * tokens, as over HTTP), and a channel per incident through the Web API with the bot token.
 */
export const SlackConfigSchema = z.strictObject({
  signing_secret: z.string().min(16).optional(),
  bot_token: z
    .string()
    .regex(/^xox[bp]-/, 'expected a bot token (xoxb-…)')
    .optional(),
  /** The Web API's base URL: Slack's, or a proxy or a test receiver. */
  api_url: z.url().default('https://slack.com/api/'),
  /** Follow-ups go only to response_urls under this base (a check beside the signature). */
  response_url_base: z.url().default('https://hooks.slack.com/'),
  /** Slack user id → Tourniquet identity. Unmapped users are refused. */
  users: z.record(SlackUserId, z.string().min(1)).default({}),
  /** Slack answers a slash command only within 3 s: later results follow through response_url. */
  answer_within_ms: z.number().int().min(0).max(2800).default(2000),
  /** A channel per incident of these severities (needs bot_token), archived when it closes. */
  incident_channels: z
    .strictObject({
      severities: z.array(SeverityName).default(['SEV1', 'SEV2']),
      prefix: z
        .string()
        .regex(/^[a-z0-9_-]{1,20}$/, 'lowercase letters, digits, - and _')
        .default('inc-'),
      /** Always invited (an incident-response group), besides the people paged and the role holders. */
      invite: z.array(SlackUserId).default([]),
    })
    .optional(),
});
export type SlackConfig = z.infer<typeof SlackConfigSchema>;

/** The config file; later features add their sections here. */
export const FileConfigSchema = z
  .strictObject({
    tokens: z.array(TokenEntrySchema).default([]),
    targets: TargetsConfigSchema.default({ postgres: {} }),
    guardrails: GuardrailsConfigSchema.default({
      policy: [],
      freezes: [],
      approval_timeout_seconds: {},
      dry_run: false,
    }),
    alerts: AlertsConfigSchema.default(AlertsConfigSchema.parse({})),
    escalation: EscalationConfigSchema.default(EscalationConfigSchema.parse({})),
    services: ServicesConfigSchema,
    /** Runbooks beside the built-ins: directories of runbook files (a service repo's runbooks/), relative to the working directory. */
    runbooks: z.strictObject({ dirs: z.array(z.string().min(1)).default([]) }).default({ dirs: [] }),
    slack: SlackConfigSchema.optional(),
    /** The HTTP edge's rate limits (api/edge.ts). */
    http: z
      .strictObject({
        rate_limit_per_minute: z.number().int().min(10).default(DEFAULT_EDGE_LIMITS.perMinute),
        failed_auth_per_minute: z.number().int().min(1).default(DEFAULT_EDGE_LIMITS.failedAuthPerMinute),
      })
      .default({
        rate_limit_per_minute: DEFAULT_EDGE_LIMITS.perMinute,
        failed_auth_per_minute: DEFAULT_EDGE_LIMITS.failedAuthPerMinute,
      }),
  })
  .superRefine((f, ctx) => {
    // A service's policy must exist: a typo must not mean nobody is paged.
    for (const [name, s] of Object.entries(f.services))
      if (s.policy && !Object.hasOwn(f.escalation.policies, s.policy))
        ctx.addIssue({
          code: 'custom',
          path: ['services', name, 'policy'],
          message: `no escalation policy named ${s.policy}`,
        });
    // Each Kubernetes object belongs to one service, so its per-service limits and breaker
    // are the object's: two services sharing a Deployment would each get a fresh budget for it.
    const owner = new Map<string, string>();
    for (const [name, s] of Object.entries(f.services)) {
      const k = s.kubernetes;
      if (!k) continue;
      const configMaps = [...new Set(Object.values(k.switches).map((s) => s.config_map))];
      for (const [kind, objects] of [
        ['deployments', k.deployments],
        ['services', k.services],
        ['switches', configMaps],
      ] as const)
        objects.forEach((o, i) => {
          const key = `${kind}/${k.namespace}/${o}`;
          const first = owner.get(key);
          if (first)
            ctx.addIssue({
              code: 'custom',
              path: ['services', name, 'kubernetes', kind, i],
              message: `${k.namespace}/${o} already belongs to service ${first}: each object has one owner`,
            });
          else owner.set(key, name);
        });
    }
  });
