/**
 * A chart drawn with Observable Plot, with the numbers behind it as a table (screen readers
 * and anyone who wants the figures get the same data). Sized to its container, so it reads
 * at phone width.
 */
import * as Plot from '@observablehq/plot';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export const SEVERITY_COLORS = {
  domain: ['SEV1', 'SEV2', 'SEV3', 'SEV4'],
  range: ['#b00020', '#b34700', '#c79100', '#5a6b7b'],
};

/** Seconds as people say them: 45s, 5m, 2h, 3d. */
export function shortDuration(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86_400) return `${Math.round((s / 3600) * 10) / 10}h`;
  return `${Math.round((s / 86_400) * 10) / 10}d`;
}

export interface Table {
  head: string[];
  rows: (string | number | null)[][];
}

export function Chart({
  title,
  plot,
  table,
  note,
  deps,
}: {
  title: string;
  /** Plot's options for this width (px). */
  plot: (width: number) => Plot.PlotOptions;
  table: Table;
  note?: ComponentChildren;
  /** What the chart depends on: it is redrawn when these change. */
  deps: unknown[];
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let drawn = 0;
    const draw = () => {
      const width = Math.max(280, Math.min(720, el.clientWidth));
      if (width === drawn) return; // a new height alone needs no new drawing
      drawn = width;
      const drawing = Plot.plot({ ...plot(width), width, ariaLabel: title });
      // One picture for assistive technology (its numbers are in the table below): Plot's
      // per-mark labels on <g> are not valid ARIA there, so they become data attributes.
      const svgs = drawing instanceof SVGSVGElement ? [drawing] : [...drawing.querySelectorAll('svg')];
      for (const svg of svgs) {
        // The legend's swatches say nothing the legend's words do not.
        if (!svg.hasAttribute('aria-label')) svg.setAttribute('aria-hidden', 'true');
        else svg.setAttribute('role', 'img');
        svg.querySelectorAll('g[aria-label]').forEach((g) => {
          g.setAttribute('data-mark', g.getAttribute('aria-label')!);
          g.removeAttribute('aria-label');
        });
      }
      el.replaceChildren(drawing);
    };
    draw();
    const resized = new ResizeObserver(() => draw());
    resized.observe(el);
    return () => resized.disconnect();
  }, deps);
  const id = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        <strong>{title}</strong>
        {note ? <small> {note}</small> : null}
      </figcaption>
      <div ref={box} class="chart-plot" />
      <details>
        <summary>The numbers: {title}</summary>
        <div class="overflow-auto" tabIndex={0}>
          <table aria-label={title}>
            <thead>
              <tr>
                {table.head.map((h) => (
                  <th scope="col">{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((r) => (
                <tr>
                  {r.map((c) => (
                    <td>{c ?? '—'}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
