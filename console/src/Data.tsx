/**
 * Evidence as people read it: a JSON object as a key/value table, a list of objects as a
 * table with a column per key, anything else as text. Values stay text (never HTML).
 */
const MAX_ROWS = 50;
const MAX_COLUMNS = 12;

const cell = (v: unknown): string =>
  v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function Data({ text, label }: { text: string; label: string }) {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return <pre>{text}</pre>;
  }
  if (Array.isArray(value) && value.length && value.every(isRecord)) {
    const keys = [...new Set(value.flatMap((r) => Object.keys(r)))].slice(0, MAX_COLUMNS);
    return (
      <div class="overflow-auto" tabIndex={0}>
        <table class="data" aria-label={label}>
          <thead>
            <tr>
              {keys.map((k) => (
                <th scope="col">{k}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {value.slice(0, MAX_ROWS).map((r) => (
              <tr>
                {keys.map((k) => (
                  <td>{cell(r[k])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {value.length > MAX_ROWS ? <small>and {value.length - MAX_ROWS} more rows</small> : null}
      </div>
    );
  }
  if (isRecord(value))
    return (
      <table class="data kv" aria-label={label}>
        <tbody>
          {Object.entries(value).map(([k, v]) => (
            <tr>
              <th scope="row">{k}</th>
              <td>
                {isRecord(v) || Array.isArray(v) ? (
                  <Data text={JSON.stringify(v)} label={`${label}: ${k}`} />
                ) : (
                  cell(v)
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  return <pre>{cell(value)}</pre>;
}
