import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from './spawn-server.ts';

export const chromiumPath = process.env.KUMBAYA_TEST_CHROMIUM || '/usr/bin/chromium';
export const artifactsDir = path.join(projectRoot, 'test-artifacts');

/**
 * Why the browser suites cannot run here, or false when they can. Under CI=true a missing
 * browser is an error (the suite fails) rather than a skip.
 */
export function browserSkipReason(): string | false {
  if (fs.existsSync(chromiumPath)) return false;
  const reason = `Chromium not found at ${chromiumPath} (apt-get install -y chromium, or set KUMBAYA_TEST_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(reason);
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
  });
}

/** Saves a full-page screenshot under test-artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/**
 * Runs axe-core (WCAG 2.0–2.2 A and AA rules plus best practices) on the page. The page's
 * context must be created with bypassCSP so that the axe script can be injected.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`).join('\n');
}

/** Claims a fresh site in the browser with its one-time setup link: the owner Robin, signed in on /admin. */
export async function claimSite(page: Page, setupLink: string): Promise<void> {
  await page.goto(setupLink);
  await page.fill('#f-name', 'Robin');
  await page.fill('#f-email', 'robin@example.com');
  await page.fill('#f-password', 'correct horse battery staple');
  await page.click('form[action^="/setup"] button[type=submit]');
  await page.waitForURL(/\/admin/);
}

export interface ReaderComment {
  name: string;
  email: string;
  website?: string;
  body: string;
  /** The reader's address, sent as X-Forwarded-For (the server runs with TRUST_PROXY). */
  ip: string;
}

/**
 * A reader comments through a post page's form in a context of their own, waiting out the
 * form's minimum time to write, and leaves once the answer has loaded.
 */
export async function commentAsReader(browser: Browser, pageUrl: string, c: ReaderComment): Promise<void> {
  const reader = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': c.ip } });
  const p = await reader.newPage();
  await p.goto(pageUrl);
  await p.fill('#c-name', c.name);
  await p.fill('#c-email', c.email);
  if (c.website) await p.fill('#c-website', c.website);
  await p.fill('#c-body', c.body);
  await p.waitForTimeout(3_300);
  await p.click('#respond button[type=submit]');
  await p.waitForLoadState('networkidle');
  await reader.close();
}
