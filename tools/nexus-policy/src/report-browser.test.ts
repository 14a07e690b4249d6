import { accessSync, constants, mkdtempSync, copyFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hostileJournal } from '../test-support/hostile-journal.js';
import { PACKAGE_ROOT, REPO_ROOT, runCli } from '../test-support/run-cli.js';

/**
 * The report in a real browser: Debian's `chromium` driven over the DevTools protocol by
 * playwright-core (which downloads no browser of its own). Without a chromium on PATH (or in
 * CHROMIUM_PATH) the suite is skipped and says so; it is never counted as passed then. CI installs
 * chromium (.ci/run), so there it always runs. `NEXUS_UPDATE_SCREENSHOT=1` also writes the
 * screenshot the README shows (docs/report.png).
 */
function findChromium(): string | undefined {
  const candidates = [process.env['CHROMIUM_PATH'], ...(process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, 'chromium'))];
  for (const path of candidates) {
    if (path === undefined || path === '' || path === 'chromium') continue;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

const CHROMIUM = findChromium();
if (CHROMIUM === undefined) {
  process.stderr.write('report-browser.test.ts: SKIPPED: no chromium on PATH (apt-get install -y chromium, or set CHROMIUM_PATH)\n');
}
// Relative to the repository root, as a user would type them (the screenshot shows the paths).
const REPLAY = 'tools/nexus-policy/fixtures/replay';

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

describe.skipIf(CHROMIUM === undefined)('report in headless chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-report-browser-'));
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(args: readonly string[], name: string): Promise<Opened> {
    const out = join(dir, `${name}.html`);
    const run = await runCli(['report', ...args, '-o', out], REPO_ROOT);
    expect(run.code, run.stderr).toBe(0);
    const url = pathToFileURL(out).href;
    const page = await browser.newPage({ viewport: { width: 1200, height: 1250 } });
    const opened: Opened = { page, errors: [], requests: [], dialogs: [] };
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') opened.errors.push(msg.text());
    });
    page.on('pageerror', (error) => opened.errors.push(error.message));
    page.on('dialog', (dialog) => {
      opened.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('request', (request) => {
      if (request.url() !== url) opened.requests.push(request.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    return opened;
  }

  test('renders the verdict, the matrix, the bands; no console error, no request', async () => {
    const { page, errors, requests } = await open(
      ['--journal', join(REPLAY, 'audit.journal'), '--key', join(REPLAY, 'audit-key.pem'), '--fixtures', 'tools/nexus-policy/fixtures/recipes-cases.toml'],
      'verified',
    );
    await expect.poll(() => page.locator('#verdict').getAttribute('data-status')).toBe('ok');
    expect(await page.locator('#verdict b').innerText()).toBe('Verified');

    const cell = page.locator('[data-cell="keystored crypto.sign"]');
    expect(await cell.isVisible()).toBe(false);
    await page.locator('button[data-fam]', { hasText: 'crypto' }).click();
    expect(await cell.isVisible()).toBe(true);
    expect(await cell.getAttribute('class')).toContain('allow');
    await cell.focus();
    const tip = cell.locator('.tip');
    expect(await tip.isVisible()).toBe(true);
    expect(await tip.innerText()).toMatch(/allow keystored crypto\.sign {2}\(recipes\/policy\/base\.toml:\d+:\d+\)/);
    await page.locator('button[data-fam]', { hasText: 'debug' }).click();
    expect(await page.locator('[data-cell="keystored debug.*"]').getAttribute('class')).toContain('deny');

    expect(await page.locator('#timeline-svg rect.band-uart').count()).toBeGreaterThan(0);
    expect(await page.locator('#timeline-svg rect.band-audit-lost').count()).toBeGreaterThan(0);
    expect(await page.locator('#timeline-svg line.checkpoint.sealed').count()).toBeGreaterThan(0);
    expect(await page.locator('#timeline-svg g.has-deny').count()).toBeGreaterThan(0);
    expect(await page.locator('#timeline-svg text', { hasText: 'selftest-client' }).count()).toBe(1);
    expect(await page.locator('#deny-table tr.deny-row').count()).toBeGreaterThan(0);
    expect(await page.locator('#coverage-table tr').count()).toBeGreaterThan(1);

    await cell.focus();
    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: false });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    if (process.env['NEXUS_UPDATE_SCREENSHOT'] === '1') copyFileSync(shot, join(PACKAGE_ROOT, 'docs', 'report.png'));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  }, 60_000);

  test('test_reject_hostile_journal_script: a hostile journal runs no script and loads nothing', async () => {
    const path = join(dir, 'hostile.journal');
    writeFileSync(path, hostileJournal());
    const { page, errors, requests, dialogs } = await open(['--journal', path], 'hostile');
    expect(await page.locator('#verdict').getAttribute('data-status')).toBe('unverified');
    expect(await page.locator('#deny-table').innerText()).toContain('<script>alert(1)</script>');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('body svg').count()).toBe(1);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('#timeline-svg rect.band-uart').count()).toBe(1);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  }, 60_000);
});
