/**
 * Configuration: one zod-validated object, loaded once at start. Every default is here.
 * Sources: environment variables (named in errors as such) and an optional YAML/JSON file
 * at TOURNIQUET_CONFIG for what does not fit in a variable.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { DEFAULT_GUARDRAILS, GuardrailConfig } from '../domain/guardrails';
import { IMPACTS } from '../domain/runbook';
import { SEVERITIES } from '../domain/severity';

export const ROLES = ['viewer', 'responder', 'approver', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

const TokenEntrySchema = z.union([
  z.strictObject({ token: z.string().min(8), identity: z.string().min(1), roles: z.array(RoleSchema).min(1) }),
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
  alertmanager: SecretSchema.and(z.object({ dedup_labels: z.array(z.string().min(1)).min(1).optional() })).optional(),
  grafana: SecretSchema.and(z.object({ dedup_labels: z.array(z.string().min(1)).min(1).optional() })).optional(),
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
  postgres: z.record(z.string(), z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')).default({}),
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
    .array(z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }), services: z.array(z.string().min(1)).min(1).optional(), reason: z.string().optional() }))
    .default([]),
  approval_timeout_seconds: z.partialRecord(SeverityName, z.number().int().min(1)).default({}),
  dry_run: z.boolean().default(false),
});
export type GuardrailsConfig = z.infer<typeof GuardrailsConfigSchema>;

/** The config file; later features add their sections here. */
export const FileConfigSchema = z.strictObject({
  tokens: z.array(TokenEntrySchema).default([]),
  targets: TargetsConfigSchema.default({ postgres: {} }),
  guardrails: GuardrailsConfigSchema.default({ policy: [], freezes: [], approval_timeout_seconds: {}, dry_run: false }),
  alerts: AlertsConfigSchema.default({ routes: [], auto_resolve: ['SEV3', 'SEV4'] }),
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
  TOURNIQUET_TASK_QUEUE: z.string().min(1).default('tourniquet'),
  TOURNIQUET_TOKENS: z.string().optional(),
  TOURNIQUET_CONFIG: z.string().optional(),
  TOURNIQUET_ALERTMANAGER_TOKEN: z.string().min(8).optional(),
  TOURNIQUET_GRAFANA_TOKEN: z.string().min(8).optional(),
  TOURNIQUET_PAGERDUTY_ROUTING_KEYS: z.string().min(8).optional(),
  TOURNIQUET_ALERT_HMAC_SECRET: z.string().min(16).optional(),
  TOURNIQUET_LINK_SECRET: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
});

export interface Config {
  port: number;
  dataDir: string;
  temporal: { address?: string; namespace: string; port: number; uiPort: number; taskQueue: string };
  tokens: TokenEntry[];
  alerts: AlertsConfig;
  targets: TargetsConfig;
  guardrails: GuardrailsConfig;
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
  if (!parsedEnv.success) throw new ConfigError(`Invalid environment:\n${describe(parsedEnv.error.issues, '')}`);
  const e = parsedEnv.data;

  let file: z.infer<typeof FileConfigSchema> = FileConfigSchema.parse({});
  if (e.TOURNIQUET_CONFIG) {
    let raw: unknown;
    try {
      raw = YAML.parse(readFileSync(e.TOURNIQUET_CONFIG, 'utf8'));
    } catch (err) {
      throw new ConfigError(`Cannot read TOURNIQUET_CONFIG=${e.TOURNIQUET_CONFIG}: ${(err as Error).message}`);
    }
    const parsed = FileConfigSchema.safeParse(raw ?? {});
    if (!parsed.success) throw new ConfigError(`Invalid config file ${e.TOURNIQUET_CONFIG}:\n${describe(parsed.error.issues, '')}`);
    file = parsed.data;
  }

  const envTokens = z.array(TokenEntrySchema).safeParse(e.TOURNIQUET_TOKENS ? parseTokenList(e.TOURNIQUET_TOKENS) : []);
  if (!envTokens.success) throw new ConfigError(`Invalid TOURNIQUET_TOKENS (token:identity:role+role,…):\n${describe(envTokens.error.issues, 'TOURNIQUET_TOKENS.')}`);

  return {
    port: e.PORT,
    dataDir: path.resolve(e.TOURNIQUET_DATA_DIR),
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      taskQueue: e.TOURNIQUET_TASK_QUEUE,
    },
    tokens: [...file.tokens, ...envTokens.data],
    targets: file.targets,
    guardrails: file.guardrails,
    linkSecret: e.TOURNIQUET_LINK_SECRET,
    alerts: {
      ...file.alerts,
      // Environment variables win over the file, so secrets can stay out of it.
      ...(e.TOURNIQUET_ALERTMANAGER_TOKEN ? { alertmanager: { ...file.alerts.alertmanager, token: e.TOURNIQUET_ALERTMANAGER_TOKEN } } : {}),
      ...(e.TOURNIQUET_GRAFANA_TOKEN ? { grafana: { ...file.alerts.grafana, token: e.TOURNIQUET_GRAFANA_TOKEN } } : {}),
      ...(e.TOURNIQUET_PAGERDUTY_ROUTING_KEYS ? { pagerduty: { routing_keys: e.TOURNIQUET_PAGERDUTY_ROUTING_KEYS.split(',').map((k) => k.trim()) } } : {}),
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
