/**
 * Request schemas: the single source of truth for the API's input types.
 */
import { z } from 'zod';
import { parseSeverity, type Severity } from '../domain/severity';
import { STATUSES } from '../domain/lifecycle';
import { INCIDENT_ID_PATTERN } from '../domain/incident';

export const SeveritySchema = z
  .string()
  .transform((s, ctx) => {
    const sev = parseSeverity(s);
    if (!sev) {
      ctx.addIssue({ code: 'custom', message: 'expected one of critical, high, medium, low or SEV1..SEV4' });
      return z.NEVER;
    }
    return sev;
  }) as unknown as z.ZodType<Severity, string>;

/** Names used in visibility queries: kept to a safe alphabet so they need no escaping. */
export const NameSchema = z.string().trim().min(1).max(128).regex(/^[A-Za-z0-9._@:/+-]+$/, 'letters, digits and . _ @ : / + - only');

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
export const TransitionRequest = z.strictObject({
  to: StatusSchema,
  note: z.string().max(10_000).optional(),
  root_cause: z.string().max(10_000).optional(),
});
export const NoteRequest = z.strictObject({ text: z.string().trim().min(1).max(10_000) });
export const EditIncidentRequest = z
  .strictObject({
    severity: SeveritySchema.optional(),
    assignee: NameSchema.optional(),
    affected_services: z.array(NameSchema).max(50).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one of severity, assignee, affected_services' });

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

export const IncidentIdParam = z.string().regex(INCIDENT_ID_PATTERN, 'expected an incident id such as INC-1001');

export const StartRunbookRequest = z.strictObject({
  name: z.string().min(1).max(100),
  params: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.string().max(500)).default({}),
  dry_run: z.boolean().optional(),
});
export const ApproveRequest = z.strictObject({ comment: z.string().max(2000).optional() });
export const RejectRequest = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
export const CompleteStepRequest = z.strictObject({ note: z.string().max(2000).optional() });
export const ApprovalIdParam = z.string().regex(/^\d+-[a-z0-9-]+$/, 'expected an approval id such as 1-undo');
export const RunIdParam = z.string().regex(/^INC-\d+-rb-\d+$/, 'expected a runbook run id such as INC-1001-rb-1');
