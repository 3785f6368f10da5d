/**
 * Configuration: one zod-validated object, loaded once at start. Every default is here.
 * Sources: environment variables (named in errors as such) and an optional YAML/JSON file
 * at TOURNIQUET_CONFIG for what does not fit in a variable.
 */
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from '../domain/duration';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { DEFAULT_GUARDRAILS, GuardrailConfig } from '../domain/guardrails';
import { IMPACTS } from '../domain/runbook';
import { SEVERITIES } from '../domain/severity';
import { DEFAULT_ESCALATION, EscalationConfig, NotifierRef } from '../domain/escalation';
import { isTimeZone } from '../domain/oncall';
import type { NotifierConfig } from '../activities/notify';

import { ROLES, type Role } from './roles';

export { ROLES, type Role };
export const RoleSchema = z.enum(ROLES);

const TokenEntrySchema = z.union([
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
  auto_resolve: z.array(SeverityName).default(['SEV3', 'SEV4']),
});
export type AlertsConfig = z.infer<typeof AlertsConfigSchema>;

/** What runbooks act on. Kubernetes also comes from KUBECONFIG or the in-cluster service account. */
export const TargetsConfigSchema = z.strictObject({
  kubeconfig: z.string().min(1).optional(),
  /** PostgreSQL connection URL per service name, e.g. orders-db: postgres://… */
  postgres: z
    .record(z.string(), z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL'))
    .default({}),
});
export type TargetsConfig = z.infer<typeof TargetsConfigSchema>;

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
});
export type GuardrailsConfig = z.infer<typeof GuardrailsConfigSchema>;

/** Seconds as a number or a duration ("90s", "3m", "1h", "2d"). */
const Seconds = z.union([
  z.number().positive(),
  z
    .string()
    .regex(DURATION_PATTERN, `expected seconds or ${DURATION_HINT}`)
    .transform((v) => parseDuration(v)!),
]);
const DueSchema = z.union([Seconds, z.literal('next_business_day'), z.null()]);
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');
const TimeZone = z
  .string()
  .refine(isTimeZone, 'unknown IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)');
const TargetSchema = z.union([
  z.strictObject({ person: z.string().min(1) }),
  z.strictObject({ schedule: z.string().min(1) }),
  z.strictObject({ role: z.string().min(1) }),
]);

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
            kinds: z.array(z.enum(['page', 'notify', 'reminder'])).optional(),
            channels: z.array(z.string()).optional(),
          }),
          z.strictObject({
            name: z.string().min(1),
            type: z.literal('slack'),
            url: z.url(),
            kinds: z.array(z.enum(['page', 'notify', 'reminder'])).optional(),
            channels: z.array(z.string()).optional(),
          }),
          z.strictObject({
            name: z.string().min(1),
            type: z.literal('log'),
            kinds: z.array(z.enum(['page', 'notify', 'reminder'])).optional(),
            channels: z.array(z.string()).optional(),
          }),
        ]),
      )
      .default([{ name: 'log', type: 'log' }]),
    public_url: z.url().optional(),
    /** Open action items past due remind their owner this often. */
    action_item_reminders: Seconds.default(7 * 86_400),
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

/** The config file; later features add their sections here. */
export const FileConfigSchema = z.strictObject({
  tokens: z.array(TokenEntrySchema).default([]),
  targets: TargetsConfigSchema.default({ postgres: {} }),
  guardrails: GuardrailsConfigSchema.default({
    policy: [],
    freezes: [],
    approval_timeout_seconds: {},
    dry_run: false,
  }),
  alerts: AlertsConfigSchema.default({ routes: [], auto_resolve: ['SEV3', 'SEV4'] }),
  escalation: EscalationConfigSchema.default(EscalationConfigSchema.parse({})),
});

const port = z.coerce.number().int().min(0).max(65535);

/** Environment variables and their defaults (documented in the README). */
const EnvSchema = z.object({
  PORT: port.default(3000),
  TOURNIQUET_DATA_DIR: z.string().min(1).default('./data'),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** The Temporal UI of a cluster (TEMPORAL_ADDRESS), for links from pages and the console. */
  TEMPORAL_UI_URL: z.url().optional(),
  TOURNIQUET_TASK_QUEUE: z.string().min(1).default('tourniquet'),
  TOURNIQUET_TOKENS: z.string().optional(),
  TOURNIQUET_CONFIG: z.string().optional(),
  TOURNIQUET_ALERTMANAGER_TOKEN: z.string().min(8).optional(),
  TOURNIQUET_GRAFANA_TOKEN: z.string().min(8).optional(),
  TOURNIQUET_PAGERDUTY_ROUTING_KEYS: z.string().min(8).optional(),
  TOURNIQUET_ALERT_HMAC_SECRET: z.string().min(16).optional(),
  TOURNIQUET_LINK_SECRET: z.string().min(16).optional(),
  /** Where links in pages point; default http://localhost:PORT. */
  TOURNIQUET_PUBLIC_URL: z.url().optional(),
  /** With --only=worker: serve the worker's Prometheus counters on this port. */
  TOURNIQUET_WORKER_METRICS_PORT: port.optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
});

export interface Config {
  port: number;
  dataDir: string;
  temporal: {
    address?: string;
    namespace: string;
    port: number;
    uiPort: number;
    uiUrl?: string;
    taskQueue: string;
  };
  tokens: TokenEntry[];
  alerts: AlertsConfig;
  targets: TargetsConfig;
  guardrails: GuardrailsConfig;
  escalation: EscalationFileConfig;
  publicUrl: string;
  workerMetricsPort?: number;
  /** Signs approval links; absent = links disabled. */
  linkSecret?: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {}

function describe(issues: z.core.$ZodIssue[], prefix: string): string {
  return issues.map((i) => `${prefix}${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}

/** `token:identity:role+role,…` as in TOURNIQUET_TOKENS=s3cret:alice:responder+approver */
export function parseTokenList(value: string): unknown[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const [token, identity, roles] = item.split(':');
      return { token, identity, roles: roles ? roles.split('+') : [] };
    });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsedEnv = EnvSchema.safeParse(env);
  if (!parsedEnv.success)
    throw new ConfigError(`Invalid environment:\n${describe(parsedEnv.error.issues, '')}`);
  const e = parsedEnv.data;

  let file: z.infer<typeof FileConfigSchema> = FileConfigSchema.parse({});
  if (e.TOURNIQUET_CONFIG) {
    let raw: unknown;
    try {
      raw = YAML.parse(readFileSync(e.TOURNIQUET_CONFIG, 'utf8'));
    } catch (err) {
      throw new ConfigError(
        `Cannot read TOURNIQUET_CONFIG=${e.TOURNIQUET_CONFIG}: ${(err as Error).message}`,
      );
    }
    const parsed = FileConfigSchema.safeParse(raw ?? {});
    if (!parsed.success)
      throw new ConfigError(
        `Invalid config file ${e.TOURNIQUET_CONFIG}:\n${describe(parsed.error.issues, '')}`,
      );
    file = parsed.data;
  }

  const envTokens = z
    .array(TokenEntrySchema)
    .safeParse(e.TOURNIQUET_TOKENS ? parseTokenList(e.TOURNIQUET_TOKENS) : []);
  if (!envTokens.success)
    throw new ConfigError(
      `Invalid TOURNIQUET_TOKENS (token:identity:role+role,…):\n${describe(envTokens.error.issues, 'TOURNIQUET_TOKENS.')}`,
    );

  return {
    port: e.PORT,
    dataDir: path.resolve(e.TOURNIQUET_DATA_DIR),
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      uiUrl: e.TEMPORAL_UI_URL,
      taskQueue: e.TOURNIQUET_TASK_QUEUE,
    },
    tokens: [...file.tokens, ...envTokens.data],
    targets: file.targets,
    guardrails: file.guardrails,
    escalation: file.escalation,
    workerMetricsPort: e.TOURNIQUET_WORKER_METRICS_PORT,
    publicUrl: e.TOURNIQUET_PUBLIC_URL ?? file.escalation.public_url ?? `http://localhost:${e.PORT}`,
    linkSecret: e.TOURNIQUET_LINK_SECRET,
    alerts: {
      ...file.alerts,
      // Environment variables win over the file, so secrets can stay out of it.
      ...(e.TOURNIQUET_ALERTMANAGER_TOKEN
        ? { alertmanager: { ...file.alerts.alertmanager, token: e.TOURNIQUET_ALERTMANAGER_TOKEN } }
        : {}),
      ...(e.TOURNIQUET_GRAFANA_TOKEN
        ? { grafana: { ...file.alerts.grafana, token: e.TOURNIQUET_GRAFANA_TOKEN } }
        : {}),
      ...(e.TOURNIQUET_PAGERDUTY_ROUTING_KEYS
        ? { pagerduty: { routing_keys: e.TOURNIQUET_PAGERDUTY_ROUTING_KEYS.split(',').map((k) => k.trim()) } }
        : {}),
      ...(e.TOURNIQUET_ALERT_HMAC_SECRET ? { generic: { hmac_secret: e.TOURNIQUET_ALERT_HMAC_SECRET } } : {}),
    },
    logLevel: e.LOG_LEVEL,
  };
}

/** The config file's guardrails section in the shape the workflows use. */
export function toGuardrailConfig(g: GuardrailsConfig): GuardrailConfig {
  return {
    policy: g.policy,
    freezes: g.freezes,
    approvalTimeoutSeconds: { ...DEFAULT_GUARDRAILS.approvalTimeoutSeconds, ...g.approval_timeout_seconds },
    dryRun: g.dry_run,
  };
}

/** The escalation section in the shape the workflows use; notifier URLs and secrets stay with the worker. */
export function toEscalationConfig(
  e: EscalationFileConfig,
  publicUrl: string,
  temporalUiUrl?: string,
): { config: EscalationConfig; notifiers: NotifierConfig[] } {
  const severities = Object.fromEntries(
    SEVERITIES.map((sev) => {
      const given = Object.fromEntries(
        Object.entries(e.severities[sev] ?? {}).filter(([, v]) => v !== undefined),
      );
      return [sev, { ...DEFAULT_ESCALATION.severities[sev], ...given }];
    }),
  ) as EscalationConfig['severities'];
  const refs: NotifierRef[] = e.notifiers.map(({ name, type, kinds, channels }) => ({
    name,
    type,
    ...(kinds ? { kinds } : {}),
    ...(channels ? { channels } : {}),
  }));
  return {
    config: {
      business_hours: e.business_hours,
      severities,
      schedules: e.schedules,
      roles: e.roles,
      policies: Object.fromEntries(
        Object.entries(e.policies).map(([n, p]) => [
          n,
          {
            repeat: p.repeat,
            levels: p.levels.map((l) => ({ targets: l.targets, timeout_seconds: l.timeout })),
          },
        ]),
      ),
      services: e.services,
      default_policy: e.default_policy,
      notifiers: refs,
      public_url: publicUrl.replace(/\/$/, ''),
      action_item_reminder_seconds: e.action_item_reminders,
      ...(temporalUiUrl ? { temporal_ui_url: temporalUiUrl } : {}),
    },
    notifiers: e.notifiers,
  };
}
