/**
 * Request schemas: the single source of truth for the API's input types.
 */
import { z } from 'zod';
import { parseSeverity, type Severity } from '../domain/severity';
import { STATUSES } from '../domain/lifecycle';
import { INCIDENT_ID_PATTERN } from '../domain/incident';
import { ACTION_STATUSES, EVIDENCE_KINDS, HEALTH } from '../domain/record';

export const SeveritySchema = z.string().transform((s, ctx) => {
  const sev = parseSeverity(s);
  if (!sev) {
    ctx.addIssue({ code: 'custom', message: 'expected one of critical, high, medium, low or SEV1..SEV4' });
    return z.NEVER;
  }
  return sev;
}) as unknown as z.ZodType<Severity, string>;

/** Names used in visibility queries: kept to a safe alphabet so they need no escaping. */
export const NameSchema = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._@:/+-]+$/, 'letters, digits and . _ @ : / + - only');

export const CreateIncidentRequest = z.strictObject({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(10_000),
  severity: SeveritySchema,
  affected_services: z.array(NameSchema).max(50),
  assignee: NameSchema.optional(),
  related_alerts: z.array(z.string().min(1).max(500)).max(100).optional(),
});
export type CreateIncidentRequest = z.infer<typeof CreateIncidentRequest>;

export const StatusSchema = z.enum(STATUSES);

export const AcknowledgeRequest = z.strictObject({ assignee: NameSchema.optional() });
export const AssignRoleRequest = z.strictObject({ person: NameSchema });
export const TransitionRequest = z.strictObject({
  to: StatusSchema,
  note: z.string().max(10_000).optional(),
  root_cause: z.string().max(10_000).optional(),
});
export const TimelineQuery = z.strictObject({
  before: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const NoteRequest = z.strictObject({ text: z.string().trim().min(1).max(10_000) });
export const EditIncidentRequest = z
  .strictObject({
    severity: SeveritySchema.optional(),
    assignee: NameSchema.optional(),
    affected_services: z.array(NameSchema).max(50).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, {
    message: 'give at least one of severity, assignee, affected_services',
  });

export const SORT_KEYS = ['created', 'severity', 'status', 'duration', 'id', 'title', 'assignee'] as const;
export const ListIncidentsQuery = z.strictObject({
  status: StatusSchema.optional(),
  severity: SeveritySchema.optional(),
  service: NameSchema.optional(),
  assignee: NameSchema.optional(),
  sort: z.enum(SORT_KEYS).default('created'),
  order: z.enum(['asc', 'desc']).default('desc'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^\d+$/, 'use the next_cursor of the previous page').optional(),
});
export type ListIncidentsQuery = z.infer<typeof ListIncidentsQuery>;

export const IncidentIdParam = z
  .string()
  .regex(INCIDENT_ID_PATTERN, 'expected an incident id such as INC-1001');

export const StartRunbookRequest = z.strictObject({
  name: z.string().min(1).max(100),
  params: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.string().max(500)).default({}),
  dry_run: z.boolean().optional(),
});
export const ApproveRequest = z.strictObject({ comment: z.string().max(2000).optional() });
export const RejectRequest = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
export const CompleteStepRequest = z.strictObject({ note: z.string().max(2000).optional() });
export const RetryStepRequest = z.strictObject({});
export const SkipStepRequest = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
export const CancelRunRequest = z.strictObject({ reason: z.string().trim().max(2000).optional() });
export const ApprovalIdParam = z.string().regex(/^\d+-[a-z0-9-]+$/, 'expected an approval id such as 1-undo');
export const RunIdParam = z
  .string()
  .regex(/^INC-\d+-rb-\d+$/, 'expected a runbook run id such as INC-1001-rb-1');

// ---- The incident record: evidence, health, communication, postmortem, action items ----

const Url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
export const EvidenceRequest = z
  .strictObject({
    kind: z.enum(EVIDENCE_KINDS),
    title: z.string().trim().min(1).max(300),
    url: Url.optional(),
    text: z.string().max(20_000).optional(),
  })
  .refine((e) => e.url || e.text, { message: 'give a url or a text', path: ['url'] });
export const ServiceHealthRequest = z.strictObject({
  health: z.enum(HEALTH),
  note: z.string().max(2000).optional(),
});
export const StatusUpdateRequest = z.strictObject({
  message: z.string().trim().min(1).max(5000),
  status: z.string().trim().min(1).max(50).optional(),
  visibility: z.enum(['internal', 'external']),
});
export const DraftQuery = z.strictObject({
  visibility: z.enum(['internal', 'external']).default('internal'),
});
export const PostmortemQuery = z.strictObject({ format: z.enum(['json', 'md']).default('json') });
const Text = z.string().max(20_000);
export const PostmortemEditRequest = z
  .strictObject({
    summary: Text.optional(),
    root_cause: Text.optional(),
    impact: z
      .strictObject({ users: Text.optional(), data: Text.optional(), financial: Text.optional() })
      .optional(),
    resolution: Text.optional(),
    lessons: z.strictObject({ went_well: Text.optional(), could_improve: Text.optional() }).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one section' });
const Due = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'expected a date (2026-12-01) or date-time with offset',
});
export const ActionItemRequest = z.strictObject({
  title: z.string().trim().min(1).max(300),
  owner: NameSchema,
  due: Due,
});
export const ActionItemChangeRequest = z
  .strictObject({
    title: z.string().trim().min(1).max(300).optional(),
    owner: NameSchema.optional(),
    due: Due.optional(),
    status: z.enum(ACTION_STATUSES).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one of title, owner, due, status' });
export const ActionItemIdParam = z.string().regex(/^AI-\d+$/, 'expected an action item id such as AI-1');

const Instant = z.iso.datetime({ offset: true });
/** Past incidents brought over from a previous tool (timings kept, for metrics and recurrence). */
export const ImportIncidentRequest = z
  .strictObject({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).default(''),
    severity: SeveritySchema,
    affected_services: z.array(NameSchema).max(50),
    assignee: NameSchema.optional(),
    dedup_key: z.string().min(1).max(300).optional(),
    root_cause: z.string().trim().min(1).max(10_000),
    created_at: Instant,
    acknowledged_at: Instant.optional(),
    mitigated_at: Instant.optional(),
    resolved_at: Instant,
    closed_at: Instant.optional(),
  })
  .superRefine((v, ctx) => {
    const order = ['created_at', 'acknowledged_at', 'mitigated_at', 'resolved_at', 'closed_at'] as const;
    let last = '';
    for (const k of order) {
      const t = v[k];
      if (!t) continue;
      if (last && Date.parse(t) < Date.parse(v[last as (typeof order)[number]]!))
        ctx.addIssue({ code: 'custom', path: [k], message: `must not be before ${last}` });
      last = k;
    }
  });
export type ImportIncidentRequest = z.infer<typeof ImportIncidentRequest>;

/** The widest range a report may scan (each scan reads every incident in it from visibility). */
export const MAX_SCAN_DAYS = 366;
const DAY_MS = 86_400_000;
const tooWide = `at most ${MAX_SCAN_DAYS} days: narrow the range`;

export const MetricsQuery = z
  .strictObject({
    from: Instant.optional(),
    to: Instant.optional(),
    service: NameSchema.optional(),
  })
  .refine(
    (q) =>
      !q.from || Date.parse(q.to ?? new Date().toISOString()) - Date.parse(q.from) <= MAX_SCAN_DAYS * DAY_MS,
    {
      path: ['from'],
      message: tooWide,
    },
  );

/** On-call load since an instant (default four weeks back). */
export const LoadQuery = z.strictObject({
  since: Instant.refine((t) => Date.now() - Date.parse(t) <= MAX_SCAN_DAYS * DAY_MS, tooWide).optional(),
});
