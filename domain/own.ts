/**
 * Records keyed by input (labels, service names, schedule names) read and written as own
 * properties only: `constructor`, `toString` or `__proto__` are ordinary keys here, never
 * Object.prototype's members.
 */
export const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** Sets an own, enumerable property, `__proto__` included (plain assignment would set the prototype). */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
