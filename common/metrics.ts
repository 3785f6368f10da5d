/**
 * The Prometheus registry the API, the worker and the activities share (prom-client's
 * default registry: `npm start` serves it at /metrics), and the counters more than one of
 * them touches.
 */
import { Counter, register } from 'prom-client';

/** One instance per name in the default registry, however often a module is loaded (tests load them per file). */
export const metric = <T>(name: string, make: () => T): T =>
  (register.getSingleMetric(name) as T | undefined) ?? make();
export const counter = (name: string, help: string, labelNames: string[]) =>
  metric(name, () => new Counter({ name, help, labelNames }));

export const pagesSent = counter(
  'tourniquet_pages_sent_total',
  'Notifications delivered (or refused) by notifier',
  ['kind', 'notifier', 'outcome'],
);
