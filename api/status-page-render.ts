/** The status page as HTML (accessible: words, not colours alone) and as an Atom feed. */
import type { Health } from '../domain/record';
import type { PublicIncident, StatusPage } from '../domain/status-page';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const WORDS: Record<Health, string> = {
  operational: 'Operational',
  degraded: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  recovering: 'Recovering',
};

const title = (i: PublicIncident) =>
  `${i.resolved_at ? 'Resolved' : WORDS[i.health]}: ${i.services.join(', ') || 'our services'}`;

const time = (iso: string) =>
  `<time datetime="${esc(iso)}">${esc(iso.replace('T', ' ').slice(0, 16))} UTC</time>`;

function incidentHtml(i: StatusPage['incidents'][number]): string {
  const updates = i.updates
    .map(
      (u) =>
        `<li><p><strong>${esc(u.status)}</strong> — ${time(u.at)}</p><p>${esc(u.message).replace(/\n/g, '<br>')}</p></li>`,
    )
    .join('');
  const older = i.omitted ? `<p>${i.omitted} earlier updates are not shown.</p>` : '';
  return `<article aria-labelledby="${esc(i.id)}"><h3 id="${esc(i.id)}">${esc(title(i))}</h3>
<p>Started ${time(i.opened_at)}${i.resolved_at ? `, resolved ${time(i.resolved_at)}` : ''}</p><ol class="updates">${updates}</ol>${older}</article>`;
}

export function statusHtml(page: StatusPage, publicUrl: string): string {
  const worst = page.components.find((c) => c.health !== 'operational');
  const summary = worst ? 'Some services are affected' : 'All services are operational';
  const components = page.components
    .map(
      (c) => `<li class="h-${c.health}"><span>${esc(c.name)}</span> <strong>${WORDS[c.health]}</strong></li>`,
    )
    .join('');
  const open = page.incidents.filter((i) => !i.resolved_at);
  const past = page.incidents.filter((i) => i.resolved_at);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Status</title><link rel="alternate" type="application/atom+xml" title="Status updates" href="${esc(publicUrl)}/status/feed.atom">
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:48rem;padding:1rem;color:#1a1a1a;background:#fff}
ul.components{list-style:none;padding:0}ul.components li{display:flex;justify-content:space-between;gap:1rem;padding:.6rem .8rem;border:1px solid #ccc;border-top:0}
ul.components li:first-child{border-top:1px solid #ccc}.h-operational strong{color:#0a6b2b}.h-degraded strong,.h-recovering strong{color:#7a5200}
.h-partial_outage strong,.h-major_outage strong{color:#a3151b}article{border-left:4px solid #888;padding-left:1rem;margin:1.5rem 0}
ol.updates{list-style:none;padding:0}p{margin:.25rem 0}
</style></head>
<body><header><h1>Status</h1><p role="status"><strong>${summary}</strong> — as of ${time(page.updated_at)}</p></header>
<main><section aria-labelledby="components"><h2 id="components">Services</h2><ul class="components">${components}</ul></section>
<section aria-labelledby="current"><h2 id="current">Current incidents</h2>${open.map(incidentHtml).join('') || '<p>No current incidents.</p>'}</section>
<section aria-labelledby="past"><h2 id="past">Past incidents</h2>${past.map(incidentHtml).join('') || '<p>No incidents in the last 14 days.</p>'}</section></main>
<footer><p><a href="${esc(publicUrl)}/status/feed.atom">Subscribe (Atom feed)</a></p></footer></body></html>`;
}

export function atomFeed(page: StatusPage, publicUrl: string): string {
  const entries = page.incidents.flatMap((i) =>
    i.updates.map(
      (
        u,
      ) => `<entry><id>${esc(`${publicUrl}/status#${i.id}/${u.at}`)}</id><title>${esc(`${title(i)} — ${u.status}`)}</title>
<updated>${esc(u.at)}</updated><link href="${esc(`${publicUrl}/status#${i.id}`)}"/><content type="text">${esc(u.message)}</content></entry>`,
    ),
  );
  const updated =
    page.incidents
      .flatMap((i) => i.updates.map((u) => u.at))
      .sort()
      .at(-1) ?? page.updated_at;
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>${esc(publicUrl)}/status</id><title>Status updates</title>
<updated>${esc(updated)}</updated><link rel="self" href="${esc(publicUrl)}/status/feed.atom"/><link href="${esc(publicUrl)}/status"/>
${entries.join('\n')}</feed>`;
}
