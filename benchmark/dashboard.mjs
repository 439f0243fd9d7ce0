// npm run bench (part): how the dashboard scales with history, built and loaded in Chromium.
// node benchmark/dashboard.mjs [--commits 500]  -> prints a Markdown section
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = new URL('..', import.meta.url).pathname;
const { renderDashboard } = await import(join(ROOT, 'build/src/dashboard/index.js'));
const doc = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/bench-results.json'), 'utf8'));
const devices = ['jetson-orin', 'rpi5', 'x86-nuc'].map((label, i) => ({ label, fingerprint: String(i + 1).repeat(16) }));

function history(commits) {
  const entries = [];
  for (let c = 0; c < commits; c++) {
    const commit = c.toString(16).padStart(8, '0');
    for (const device of devices) {
      entries.push({
        schema: { name: 'edgeml-history-entry', version: 1 }, commit, ref: 'main',
        timestamp: new Date(Date.UTC(2026, 0, 1) + c * 3_600_000).toISOString(),
        url: `https://github.com/acme/models/commit/${commit}`, device,
        results: ['fp32', 'int8'].flatMap((target) => ['detector', 'classifier'].map((model) => ({
          model, target, bench: { ...doc, latencyMs: { ...doc.latencyMs, p90: 2 + Math.sin(c / 7) } },
        }))),
      });
    }
  }
  return entries;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const rows = [];
for (const commits of [50, 200, 500]) {
  const entries = history(commits);
  const t0 = performance.now();
  const html = renderDashboard(entries);
  const buildMs = performance.now() - t0;
  const dir = mkdtempSync(join(os.tmpdir(), 'edgeml-dash-'));
  writeFileSync(join(dir, 'index.html'), html);
  const page = await browser.newPage();
  const t1 = performance.now();
  await page.goto(`file://${dir}/index.html`, { waitUntil: 'load' });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const loadMs = performance.now() - t1;
  await page.close();
  rows.push(`| ${commits} | ${entries.length} | ${(html.length / 1024).toFixed(0)} KiB | ${buildMs.toFixed(0)} ms | ${loadMs.toFixed(0)} ms |`);
}
await browser.close();
process.stdout.write([
  '## Dashboard: size and load time against history length',
  '',
  `Synthetic history: 3 devices, 2 models x 2 targets (12 series, 6 charts per model) per commit; page built by renderDashboard, then opened from disk in Debian's Chromium (headless) until two frames after load.`,
  '',
  '| commits | entries | page size | build | load + first paint in Chromium |',
  '| ---: | ---: | ---: | ---: | ---: |',
  ...rows,
  '',
].join('\n'));
