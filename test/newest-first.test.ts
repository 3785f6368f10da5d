/** The early-stopping merge behind the default incident list (pure). */
import { Bounded, newestFirst } from '../api/newest-first';

type Row = { id: string; created: number };
async function* stream(rows: [string, number, number][]): AsyncIterable<Bounded<Row>> {
  for (const [id, created, bound] of rows) yield { row: { id, created }, bound };
}

describe('newestFirst', () => {
  it('finds the k newest across running (by start) and closed (by close) without reading the rest', async () => {
    const running = stream([
      ['r1', 100, 100],
      ['r2', 90, 90],
      ['r3', 20, 20],
      ['r4', 10, 10],
    ]);
    // A closed incident created long ago but closed recently comes early in its stream.
    const closed = stream([
      ['c1', 5, 95],
      ['c2', 80, 85],
      ['c3', 70, 75],
      ['c4', 1, 2],
    ]);
    const top = await newestFirst([running, closed], 3, (r) => r.created);
    const newest = [...top!.rows].sort((a, b) => b.created - a.created).slice(0, 3);
    expect(newest.map((r) => r.id)).toEqual(['r1', 'r2', 'c2']);
    expect(top!.read).toBeLessThan(8); // c3, r3, r4 and c4 were never needed
    expect(top!.rows.map((r) => r.id)).not.toContain('c3');
  });

  it('gives up (the caller reads everything) when a stream is not ordered or a bound is below a created time', async () => {
    expect(
      await newestFirst(
        [
          stream([
            ['a', 10, 10],
            ['b', 20, 20],
          ]),
        ],
        1,
        (r) => r.created,
      ),
    ).toBeUndefined();
    expect(await newestFirst([stream([['a', 30, 20]])], 1, (r) => r.created)).toBeUndefined();
  });

  it('reads everything when there are fewer than k', async () => {
    const top = await newestFirst([stream([['a', 3, 3]]), stream([['b', 2, 9]])], 5, (r) => r.created);
    expect(top!.rows.map((r) => r.id).sort()).toEqual(['a', 'b']);
  });
});
