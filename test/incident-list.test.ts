import { IncidentIndex } from '../api/incident-index';
import { startEngine, TestEngine, eventually, unique } from './support/engine';

let engine: TestEngine;
beforeAll(async () => {
  // A namespace of its own: the index test counts the rows a read returns.
  engine = await startEngine({ namespace: 'test-8' });
});
afterAll(() => engine?.close());

describe('listing incidents comes from Temporal visibility', () => {
  const service = unique('payments');
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const specs = [
      { key: 'low', title: 'b: slow admin page', severity: 'low' },
      { key: 'critical', title: 'c: checkout down', severity: 'critical', assignee: 'zoe' },
      { key: 'medium', title: 'a: retries rising', severity: 'SEV3' },
    ];
    for (const s of specs) {
      const r = await engine.call('POST', '/api/v1/incidents', {
        body: {
          title: s.title,
          description: 'seeded',
          severity: s.severity,
          affected_services: [service],
          assignee: s.assignee,
        },
      });
      expect(r.status).toBe(201);
      ids[s.key] = r.body.id;
    }
    await engine.call('POST', `/api/v1/incidents/${ids.medium}/acknowledge`, { body: {} });
    await eventually(async () => {
      const r = await engine.call('GET', `/api/v1/incidents?service=${service}&status=acknowledged`);
      return r.body.total === 1;
    });
  });

  const list = async (query: string) => {
    const r = await engine.call('GET', `/api/v1/incidents?service=${service}&${query}`, { token: 'viewer' });
    expect(r.status).toBe(200);
    return r.body;
  };

  it('filters by service, status, severity and assignee', async () => {
    expect((await list('')).total).toBe(3);
    expect((await list('status=acknowledged')).incidents.map((i: any) => i.id)).toEqual([ids.medium]);
    expect((await list('severity=critical')).incidents.map((i: any) => i.id)).toEqual([ids.critical]);
    expect((await list('severity=SEV1')).incidents.map((i: any) => i.id)).toEqual([ids.critical]);
    expect((await list('assignee=zoe')).incidents.map((i: any) => i.id)).toEqual([ids.critical]);
    expect((await list('status=resolved')).total).toBe(0);
  });

  it('returns the columns of the incident list', async () => {
    const [row] = (await list('severity=critical')).incidents;
    expect(row).toMatchObject({
      id: ids.critical,
      title: 'c: checkout down',
      severity: 'SEV1',
      status: 'triggered',
      assignee: 'zoe',
      affected_services: [service],
    });
    expect(row.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(row.created_at)).not.toBeNaN();
  });

  it('sorts by severity, title, id and created, both ways', async () => {
    const order = async (q: string) => (await list(q)).incidents.map((i: any) => i.id);
    expect(await order('sort=severity&order=desc')).toEqual([ids.critical, ids.medium, ids.low]);
    expect(await order('sort=severity&order=asc')).toEqual([ids.low, ids.medium, ids.critical]);
    expect(await order('sort=title&order=asc')).toEqual([ids.medium, ids.low, ids.critical]);
    expect(await order('sort=id&order=asc')).toEqual([ids.low, ids.critical, ids.medium]);
    expect(await order('sort=created&order=desc')).toEqual([ids.medium, ids.critical, ids.low]);
    expect(await order('sort=status&order=desc')).toEqual([ids.medium, ids.critical, ids.low]);
  });

  it('pages with limit and cursor', async () => {
    const first = await list('sort=id&order=asc&limit=2');
    expect(first.incidents).toHaveLength(2);
    expect(first.next_cursor).toBe('2');
    const second = await list(`sort=id&order=asc&limit=2&cursor=${first.next_cursor}`);
    expect(second.incidents.map((i: any) => i.id)).toEqual([ids.medium]);
    expect(second.next_cursor).toBeNull();
  });

  it('lists newest first reading only as far as needed, and exactly like a full read', async () => {
    // Imported: created long ago, but its workflow started and closed just now (newest in visibility).
    const old = await engine.call('POST', '/api/v1/incidents/import', {
      token: 'admin',
      body: {
        title: 'old one',
        severity: 'SEV4',
        affected_services: [service],
        root_cause: 'x',
        created_at: '2026-01-05T10:00:00Z',
        resolved_at: '2026-01-05T11:00:00Z',
      },
    });
    expect(old.status).toBe(201);
    await eventually(async () => (await list('')).total === 4);
    const desc = (await list('sort=created&order=desc&limit=2')).incidents.map((i: any) => i.id);
    expect(engine.incidents.lastListRead).toBeLessThan(4); // stopped early: the imported one was never needed
    const asc = (await list('sort=created&order=asc')).incidents.map((i: any) => i.id); // reads everything
    expect(desc).toEqual(asc.reverse().slice(0, 2));
    expect(asc.at(-1)).toBe(old.body.id);
    const all = await list('sort=created&order=desc&limit=3&cursor=1');
    expect(all).toMatchObject({ total: 4, next_cursor: null });
    expect(all.incidents.map((i: any) => i.id)).toEqual(
      [...(await list('sort=created&order=asc')).incidents.map((i: any) => i.id)].reverse().slice(1),
    );
  });

  it('sorts any order from an index that re-reads only the rows changed since its last read', async () => {
    const index = new IncidentIndex(engine.client, { overlapMs: 1_500, fullEveryMs: 3_600_000 });
    const rows = (await index.all(new Date())).length; // the first read is a full one
    expect(rows).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 2_000));
    await index.all(new Date()); // rows stamped before the first read (less the overlap) are not read again
    await new Promise((r) => setTimeout(r, 2_000));
    const edited = await engine.call('PATCH', `/api/v1/incidents/${ids.low}`, { body: { severity: 'SEV2' } });
    expect(edited.status).toBe(200);
    await eventually(async () => {
      const all = await index.all(new Date());
      return all.find((r) => r.id === ids.low)?.severity === 'SEV2' && all.length === rows;
    });
    expect(index.lastRead).toBeGreaterThanOrEqual(1);
    expect(index.lastRead).toBeLessThan(rows);
    // The API's own index shows it too: severity order puts it after the SEV1.
    await eventually(async () => {
      const order = (await list('sort=severity&order=desc')).incidents.map((i: any) => i.id);
      return order[0] === ids.critical && order[1] === ids.low;
    });
  });

  it('names a bad query parameter', async () => {
    const r = await engine.call('GET', '/api/v1/incidents?sort=colour&limit=0');
    expect(r.status).toBe(400);
    expect(r.body.error.fields.map((f: any) => f.path).sort()).toEqual(['limit', 'sort']);
  });
});
