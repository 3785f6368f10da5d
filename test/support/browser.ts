/** Debian's Chromium, driven by playwright-core, signed in to a test engine's console. */
import { Browser, chromium, Page } from 'playwright-core';
import { source as axeSource } from 'axe-core';
import { TOKENS, type TestEngine } from './engine';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });

/** A fresh browser session signed in with one of the test tokens. */
export async function signIn(
  browser: Browser,
  engine: TestEngine,
  token: keyof typeof TOKENS,
  viewport = { width: 1366, height: 900 },
): Promise<Page> {
  // bypassCSP: the accessibility check injects axe-core, which the console's CSP would refuse.
  const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
  await page.goto(engine.url);
  await page.getByLabel('API token').fill(TOKENS[token]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /Incidents/ }).waitFor();
  return page;
}

/** Serious and critical accessibility violations on the page as it is now (axe-core's WCAG rules). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // In the page: axe-core put itself on the global object.
    const axe = (globalThis as unknown as { axe: typeof import('axe-core') }).axe;
    const r = await axe.run({ exclude: [] }, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.join('; ')}`);
}
