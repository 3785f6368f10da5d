/** Debian's Chromium, driven by playwright-core, signed in to a test engine's console. */
import { Browser, chromium, Page } from 'playwright-core';
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
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(engine.url);
  await page.getByLabel('API token').fill(TOKENS[token]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /Incidents/ }).waitFor();
  return page;
}
