// The dashboard in a real browser: Debian's Chromium driven by playwright-core.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { niceTicks } from '../src/dashboard/chart.js';
import { renderDashboard, writeDashboard } from '../src/dashboard/index.js';
import type { HistoryEntry } from '../src/history/index.js';
import type { BenchResults } from '../src/results/index.js';
import { edgeml, ROOT, tempDir } from './helpers.js';
import { tool } from './tools.js';

const CHROMIUM = tool('chromium', 'chromium');
const HOSTILE_DEVICE = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_MODEL = '<script>window.__pwned=2</script>';

/** A real-shaped bench document to vary: the schema's own example values. */
function benchDoc(p90: number, bytes: number): BenchResults {
  const doc = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/bench-results.json'), 'utf8')) as BenchResults;
  return { ...doc, latencyMs: { ...doc.latencyMs, p50: p90 * 0.8, p90, p99: p90 * 1.3 }, model: { ...doc.model, bytes } };
}

function history(commits: number): HistoryEntry[] {
  const devices = [
    { label: 'jetson-orin', fingerprint: '1111111111111111' },
    { label: HOSTILE_DEVICE, fingerprint: '2222222222222222' },
  ];
  const entries: HistoryEntry[] = [];
  for (let c = 0; c < commits; c++) {
    const commit = c.toString(16).padStart(7, '0') + 'abc';
    for (const [d, device] of devices.entries()) {
      entries.push({
        schema: { name: 'edgeml-history-entry', version: 1 },
        commit,
        ref: 'main',
        timestamp: new Date(Date.UTC(2026, 0, 1) + c * 3_600_000).toISOString(),
        url: `https://github.com/acme/models/commit/${commit}`,
        device,
        results: ['fp32', 'int8'].flatMap((target) => [
          { model: 'detector', target, bench: benchDoc(2 + d + (target === 'int8' ? -1 : 0) + (c === commits - 1 ? 1 : 0), 1e6), ...(c === commits - 1 && target === 'fp32' ? { verdict: 'slower' as const } : {}) },
          { model: HOSTILE_MODEL, target, bench: benchDoc(5, 2e6) },
        ]),
        budgets: [{ metric: 'latency.p90', limit: 4.5, model: 'detector' }],
      });
    }
  }
  return entries;
}

describe('dashboard page', () => {
  it('rounds axis ticks', () => {
    expect(niceTicks(0, 4.5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(niceTicks(0, 0.37)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
  });
  it('escapes every string and loads nothing from elsewhere', () => {
    const html = renderDashboard(history(3));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=&#34;window.__pwned=1&#34;&#62;');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/(src|href)="http:/);
  });
  it('builds from a history folder on the command line, and names a bad --data-dir', () => {
    const out = tempDir();
    const r = edgeml(['dashboard', '--data-dir', out, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('No results yet');
    const bad = edgeml(['dashboard', '--data-dir', join(out, 'none'), '--out', out]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^edgeml: error: --data-dir .*none: no such folder; give a checkout of the data branch[^\n]*$/);
    const missing = edgeml(['dashboard', '--out', out]);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe('edgeml: error: --data-dir is required: edgeml dashboard --data-dir HISTORY --out site/');
  });
  it('still takes --data (the old name of --data-dir) until 0.3.0, with one warning', () => {
    const out = tempDir();
    const r = edgeml(['dashboard', '--data', out, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('edgeml: warning: --data is deprecated and goes in 0.3.0; use --data-dir\n');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('No results yet');
  });
});

describe.skipIf(!CHROMIUM)(`dashboard in Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  const COMMITS = 40;
  let url: string;
  beforeAll(async () => {
    const out = tempDir('edgeml-site-');
    url = `file://${writeDashboard(out, renderDashboard(history(COMMITS), { title: 'acme/models' }))}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM as string,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => browser?.close());

  it('renders one chart per model and metric, a series per device and target', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    expect(await page.title()).toBe('acme/models');
    const models = await page.$$eval('section.model', (s) => s.map((e) => e.getAttribute('data-model')));
    expect(models).toEqual([HOSTILE_MODEL, 'detector']);
    const detector = page.locator('section.model[data-model="detector"]');
    expect(await detector.locator('figure').count()).toBe(6);
    const series = await detector.locator('figure[data-metric="latency.p90"] g.series').evaluateAll((gs) =>
      gs.map((g) => [g.getAttribute('data-series'), Number(g.getAttribute('data-points'))]),
    );
    expect(series).toEqual([
      ['jetson-orin · fp32', COMMITS],
      ['jetson-orin · int8', COMMITS],
      [`${HOSTILE_DEVICE} · fp32`, COMMITS],
      [`${HOSTILE_DEVICE} · int8`, COMMITS],
    ]);
    // The svg really drew: every series has a line with a box in the page.
    const box = await detector.locator('figure[data-metric="latency.p90"] polyline').first().boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    // Regressions marked where compare said slower, on latency charts only; the budget line drawn.
    expect(await detector.locator('figure[data-metric="latency.p90"] circle.regression').count()).toBe(2);
    expect(await detector.locator('figure[data-metric="size"] circle.regression').count()).toBe(0);
    expect(await detector.locator('figure[data-metric="latency.p90"] g.budget text').textContent()).toBe('budget 4.5 ms');
    expect(await detector.locator('figure[data-metric="latency.p50"] g.budget').count()).toBe(0);
    // Every commit's column links to it and lists each series' value.
    const p90 = detector.locator('figure[data-metric="latency.p90"]');
    const links = await p90.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toHaveLength(COMMITS);
    expect(links[0]).toBe('https://github.com/acme/models/commit/0000000abc');
    const last = await p90.locator('rect.col title').last().textContent();
    expect(last!.split('\n')).toEqual([
      '0000027abc · 2026-01-02 15:00',
      'jetson-orin · fp32: 3 ms (compare: slower)',
      'jetson-orin · int8: 2 ms',
      `${HOSTILE_DEVICE} · fp32: 4 ms (compare: slower)`,
      `${HOSTILE_DEVICE} · int8: 3 ms`,
    ]);
    expect(await p90.locator('circle.point').count()).toBe(4 * COMMITS);
    expect(requests.every((r) => r.startsWith('file://'))).toBe(true);
  });

  it('keeps hostile strings as text', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img, script, iframe').count()).toBe(0);
    expect(await page.locator('section.model').first().locator('h2').textContent()).toBe(HOSTILE_MODEL);
    expect(await page.locator('ul.legend li').first().textContent()).toBe(`jetson-orin · fp32`);
    const legend = await page.locator('section.model[data-model="detector"] ul.legend li').allTextContents();
    expect(legend).toContain(`${HOSTILE_DEVICE} · int8`);
  });
});
