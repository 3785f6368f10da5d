/**
 * Configuration: one zod-validated object, loaded once at start. Every default is here.
 * Sources: environment variables (named in errors as such) and an optional YAML/JSON file
 * at TOURNIQUET_CONFIG for what does not fit in a variable.
 */
import { toServiceCatalogue, type ServiceCatalogue } from './services';
import type { EdgeLimits } from '../domain/edge-limits';
import type { ServiceEntry } from '../domain/services';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import type { NotifierConfig } from '../activities/notify';
import { DEFAULT_ESCALATION, type EscalationConfig, type NotifierRef } from '../domain/escalation';
import { DEFAULT_GUARDRAILS, type GuardrailConfig } from '../domain/guardrails';
import { SEVERITIES } from '../domain/severity';
import {
  type AlertsConfig,
  type EscalationFileConfig,
  FileConfigSchema,
  type GuardrailsConfig,
  type SlackConfig,
  SlackConfigSchema,
  type TargetsConfig,
  type TokenEntry,
  TokenEntrySchema,
} from './schema';

export * from './schema';

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
  /** false: a worker does not make its version current (a cluster rollout does it; README "Upgrades"). */
  TOURNIQUET_SET_CURRENT_VERSION: z.stringbool().default(true),
  TOURNIQUET_TOKENS: z.string().optional(),
  TOURNIQUET_CONFIG: z.string().optional(),
  /** Runbook directories beside the built-ins, colon-separated (added to the config file's runbooks.dirs). */
  TOURNIQUET_RUNBOOKS: z.string().optional(),
  TOURNIQUET_ALERTMANAGER_TOKEN: z.string().min(8).optional(),
  TOURNIQUET_GRAFANA_TOKEN: z.string().min(8).optional(),
  TOURNIQUET_PAGERDUTY_ROUTING_KEYS: z.string().min(8).optional(),
  TOURNIQUET_ALERT_HMAC_SECRET: z.string().min(16).optional(),
  TOURNIQUET_LINK_SECRET: z.string().min(16).optional(),
  /** Slack's signing secret and bot token (beside the config file's slack section, which they override). */
  TOURNIQUET_SLACK_SIGNING_SECRET: z.string().min(16).optional(),
  TOURNIQUET_SLACK_BOT_TOKEN: z.string().min(8).optional(),
  /** Where links in pages point; default http://localhost:PORT. */
  TOURNIQUET_PUBLIC_URL: z.url().optional(),
  /** A workflow bundle built ahead (`npm run build:workflows`, the container image) instead of bundling at start. */
  TOURNIQUET_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /** Workflows a worker keeps in memory (README "Sizing and tuning"). */
  TOURNIQUET_WORKFLOW_CACHE: z.coerce.number().int().min(10).max(100_000).default(1000),
  /** With --only=worker: serve the worker's Prometheus counters on this port. */
  TOURNIQUET_WORKER_METRICS_PORT: port.optional(),
  /** The API's listen address (default: every interface). */
  HOST: z.string().min(1).optional(),
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
    /** A starting worker makes its version the deployment's current one. */
    setCurrentVersion: boolean;
  };
  tokens: TokenEntry[];
  /** Directories of runbooks beside the built-ins, absolute. */
  runbookDirs: string[];
  /** A workflow bundle built ahead (it holds the runbooks it was built with). */
  workflowBundle?: string;
  workflowCacheSize: number;
  alerts: AlertsConfig;
  targets: TargetsConfig;
  services: ServiceCatalogue;
  guardrails: GuardrailsConfig;
  escalation: EscalationFileConfig;
  publicUrl: string;
  workerMetricsPort?: number;
  host?: string;
  edgeLimits: EdgeLimits;
  /** Signs approval links; absent = links disabled. */
  linkSecret?: string;
  /** Slack as a console; absent = no Slack routes answer, no channels. */
  slack?: SlackConfig;
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
      setCurrentVersion: e.TOURNIQUET_SET_CURRENT_VERSION,
    },
    tokens: [...file.tokens, ...envTokens.data],
    runbookDirs: [...file.runbooks.dirs, ...(e.TOURNIQUET_RUNBOOKS?.split(':').filter(Boolean) ?? [])].map(
      (d) => path.resolve(d),
    ),
    workflowBundle: e.TOURNIQUET_WORKFLOW_BUNDLE && path.resolve(e.TOURNIQUET_WORKFLOW_BUNDLE),
    workflowCacheSize: e.TOURNIQUET_WORKFLOW_CACHE,
    targets: file.targets,
    services: toServiceCatalogue(file.services, file.targets.postgres),
    guardrails: file.guardrails,
    escalation: file.escalation,
    workerMetricsPort: e.TOURNIQUET_WORKER_METRICS_PORT,
    host: e.HOST,
    edgeLimits: {
      perMinute: file.http.rate_limit_per_minute,
      failedAuthPerMinute: file.http.failed_auth_per_minute,
    },
    publicUrl: e.TOURNIQUET_PUBLIC_URL ?? file.escalation.public_url ?? `http://localhost:${e.PORT}`,
    linkSecret: e.TOURNIQUET_LINK_SECRET,
    slack: slackOf(file.slack, e),
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

/** The slack section with the environment's secrets in it (the variables alone are enough). */
function slackOf(file: SlackConfig | undefined, e: z.infer<typeof EnvSchema>): SlackConfig | undefined {
  const secrets = {
    ...(e.TOURNIQUET_SLACK_SIGNING_SECRET ? { signing_secret: e.TOURNIQUET_SLACK_SIGNING_SECRET } : {}),
    ...(e.TOURNIQUET_SLACK_BOT_TOKEN ? { bot_token: e.TOURNIQUET_SLACK_BOT_TOKEN } : {}),
  };
  if (!file && !Object.keys(secrets).length) return undefined;
  const slack = SlackConfigSchema.safeParse({ ...file, ...secrets });
  if (!slack.success)
    throw new ConfigError(`Invalid Slack settings:\n${describe(slack.error.issues, 'slack.')}`);
  if (slack.data.incident_channels && !slack.data.bot_token)
    throw new ConfigError(
      'slack.incident_channels need a bot token: set slack.bot_token or TOURNIQUET_SLACK_BOT_TOKEN',
    );
  return slack.data;
}

/** The config file's guardrails section in the shape the workflows use. */
export function toGuardrailConfig(g: GuardrailsConfig): GuardrailConfig {
  return {
    policy: g.policy,
    freezes: g.freezes,
    approvalTimeoutSeconds: { ...DEFAULT_GUARDRAILS.approvalTimeoutSeconds, ...g.approval_timeout_seconds },
    dryRun: g.dry_run,
    ...(g.engine_budget
      ? { engineBudget: { count: g.engine_budget.count, windowMs: g.engine_budget.window * 1000 } }
      : {}),
  };
}

/** The escalation section in the shape the workflows use; notifier URLs and secrets stay with the worker. */
export function toEscalationConfig(
  e: EscalationFileConfig,
  publicUrl: string,
  temporalUiUrl?: string,
  catalogue: readonly ServiceEntry[] = [],
  slack?: SlackConfig,
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
      // A catalogued service's policy wins over the older escalation.services mapping.
      services: {
        ...e.services,
        ...Object.fromEntries(catalogue.flatMap((s) => (s.policy ? [[s.name, s.policy]] : []))),
      },
      default_policy: e.default_policy,
      notifiers: refs,
      public_url: publicUrl.replace(/\/$/, ''),
      action_item_reminder_seconds: e.action_item_reminders,
      engine_owner: e.engine_owner,
      ...(e.stakeholders.length ? { stakeholders: e.stakeholders } : {}),
      ...(e.page_budget
        ? {
            page_budget: {
              off_hours_pages: e.page_budget.off_hours_pages,
              window_seconds: e.page_budget.window,
            },
          }
        : {}),
      ...(temporalUiUrl ? { temporal_ui_url: temporalUiUrl } : {}),
      ...(slack?.incident_channels && slack.bot_token
        ? { incident_channels: { severities: slack.incident_channels.severities } }
        : {}),
    },
    notifiers: e.notifiers,
  };
}
