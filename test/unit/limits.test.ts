import { boundAlert, fitList, LIMITS, truncate } from '../../domain/limits';

describe('values from outside cut to fit, and marked', () => {
  it('keeps short text as it is and cuts long text to the limit with a marker saying how much', () => {
    expect(truncate('checkout', 20)).toBe('checkout');
    const cut = truncate('x'.repeat(3000), 200);
    expect(cut).toHaveLength(200);
    expect(cut).toMatch(/^x+…\[truncated 2823 chars\]$/);
  });

  it('an alert with 100 long labels keeps 63 of them cut to size and counts the rest', () => {
    const labels = Object.fromEntries(
      Array.from({ length: 100 }, (_, n) => [`k${n}${'k'.repeat(200)}`, 'v'.repeat(5000)]),
    );
    const e = boundAlert({
      source: 'alertmanager',
      dedup_key: 'd'.repeat(5000),
      action: 'trigger',
      fingerprint: 'f',
      summary: 's'.repeat(10_000),
      severity: 'SEV2',
      services: Array.from({ length: 30 }, (_, n) => `svc-${n}`),
      labels,
      received_at: '2026-11-29T03:00:00.000Z',
    });
    const kept = Object.entries(e.labels);
    expect(kept).toHaveLength(LIMITS.labels);
    expect(e.labels['tourniquet.truncated_labels']).toBe('37');
    expect(kept.every(([k, v]) => k.length <= LIMITS.labelKey && v.length <= LIMITS.labelValue)).toBe(true);
    expect(e.summary.length).toBeLessThanOrEqual(LIMITS.summary);
    expect(e.summary).toMatch(/…\[truncated \d+ chars\]$/);
    expect(e.dedup_key.length).toBeLessThanOrEqual(LIMITS.dedupKey);
    expect(e.services).toHaveLength(LIMITS.servicesPerAlert);
  });

  it('a label named __proto__ stays a label', () => {
    const e = boundAlert({
      source: 'generic',
      dedup_key: 'k',
      action: 'trigger',
      fingerprint: 'f',
      summary: 's',
      severity: 'SEV2',
      services: [],
      labels: JSON.parse('{"__proto__": "x", "service": "checkout"}') as Record<string, string>,
      received_at: '2026-11-29T03:00:00.000Z',
    });
    expect(Object.keys(e.labels)).toEqual(['__proto__', 'service']);
    expect(JSON.parse(JSON.stringify(e.labels))).toEqual(
      JSON.parse('{"__proto__": "x", "service": "checkout"}'),
    );
  });

  it('a list search attribute keeps the services that fit in 1.5 kB', () => {
    const services = Array.from({ length: 50 }, (_, n) => `${n}-${'s'.repeat(120)}`);
    const fit = fitList(services);
    expect(JSON.stringify(fit).length).toBeLessThanOrEqual(LIMITS.searchAttributeList);
    expect(fit.length).toBeGreaterThan(5);
    expect(services.slice(0, fit.length)).toEqual(fit);
  });
});
