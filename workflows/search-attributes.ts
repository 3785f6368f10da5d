/** The incident's custom search attributes (workflows/incident/visibility.ts keeps them current). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes. Budget on the dev server's SQLite store: 10 Keyword, 3 Datetime, 3 KeywordList. */
export const SA = {
  severity: defineSearchAttributeKey('IncidentSeverity', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD),
  assignee: defineSearchAttributeKey('IncidentAssignee', SearchAttributeType.KEYWORD),
  services: defineSearchAttributeKey('IncidentServices', SearchAttributeType.KEYWORD_LIST),
  acknowledgedAt: defineSearchAttributeKey('IncidentAcknowledgedAt', SearchAttributeType.DATETIME),
  resolvedAt: defineSearchAttributeKey('IncidentResolvedAt', SearchAttributeType.DATETIME),
  /** When the incident last changed a listed field: the API's list index reads only what changed since. */
  listedAt: defineSearchAttributeKey('IncidentListedAt', SearchAttributeType.DATETIME),
  /** "yes" once the incident has an external status update: the status page lists these. */
  public: defineSearchAttributeKey('IncidentPublic', SearchAttributeType.KEYWORD),
} as const;
