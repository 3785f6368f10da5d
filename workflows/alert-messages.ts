/**
 * The alert path's messages: the API signals alerts to a (source, dedup key)'s alert group,
 * which opens the incident and forwards later alerts to it.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AlertEvent, AlertPolicy } from '../domain/alerts';

/** One per (source, dedup key): opens the incident, then forwards further alerts to it. */
export interface AlertGroupInput {
  source: string;
  dedup_key: string;
  taskQueue: string;
  alertPolicy: AlertPolicy;
  /** Carried by continue-as-new. */
  openIncident?: string;
  /** Carried by continue-as-new: alerts received and not yet forwarded (at most ~512 kB). */
  pending?: AlertEvent[];
  historyLimit?: number;
  /** Carried by continue-as-new: the number of the last forward sent (AlertForward). */
  forwarded?: number;
  /** The generation of the code that started it (patches.ts GENERATION): which changes it runs with. */
  generation?: number;
}

/** Alerts (firing, resolved, acknowledged) for an alert group, from the API. */
export const alertsSignal = defineSignal<[AlertEvent[]]>('alerts');
/** A batch an alert group forwards to its incident, numbered so a second delivery is recognised. */
export interface AlertForward {
  forward: number;
  events: AlertEvent[];
}
/**
 * The same signal as the incident receives it: numbered forwards, or bare lists from groups
 * that started before numbering (their histories replay them). Signal-external is at least
 * once — a retry after the incident continued as new reaches a run that never saw the first.
 */
export const forwardedAlertsSignal = defineSignal<[AlertEvent[] | AlertForward]>('alerts');
/** Sent by an incident to its alert group once resolved: the next alert opens a new incident. */
export const incidentEndedSignal = defineSignal<[{ incidentId: string }]>('incidentEnded');
export const alertGroupQuery = defineQuery<{ openIncident?: string; incidents: string[] }>('alertGroup');
