// Documents for report tests: a real bench result (written by `edgeml bench --profile --samples` on
// the digits MLP), variants of it for a device matrix, and compare/check documents of the shape
// the report expects. HOSTILE is what a fork could put into any string of a document.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckDoc, CompareDoc } from '../src/report/index.js';
import type { BenchResults } from '../src/results/index.js';
import { ROOT } from './helpers.js';

export const HOSTILE = '<script>alert(1)</script> @org/team [link](http://x) `tick` |pipe|\nline2 <img src=x onerror=alert(1)> #1';
/** HOSTILE as escapeMarkdown renders it: every active character an entity, the newline a space. */
export const HOSTILE_ESCAPED =
  '&#60;script&#62;alert&#40;1&#41;&#60;/script&#62; &#64;org/team &#91;link&#93;&#40;http&#58;//x&#41; &#96;tick&#96; &#124;pipe&#124; line2 &#60;img src&#61;x onerror&#61;alert&#40;1&#41;&#62; &#35;1';

export function benchDoc(over: { model?: string; device?: string; fingerprint?: string; p90Scale?: number; createdAt?: string } = {}): BenchResults {
  const doc = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/results/digits.json'), 'utf8')) as BenchResults;
  if (over.model !== undefined) doc.model.name = over.model;
  if (over.device !== undefined) doc.device.label = over.device;
  if (over.fingerprint !== undefined) doc.device.fingerprint = over.fingerprint;
  if (over.createdAt !== undefined) doc.createdAt = over.createdAt;
  if (over.p90Scale !== undefined) doc.latencyMs.p90 *= over.p90Scale;
  return doc;
}

const summary = (doc: BenchResults) => ({
  model: { name: doc.model.name, bytes: doc.model.bytes, sha256: doc.model.sha256, format: doc.model.format },
  runtime: { version: doc.runtime.version, executionProvider: doc.runtime.executionProvider },
  device: { label: doc.device.label, fingerprint: doc.device.fingerprint },
  latencyMs: { p50: doc.latencyMs.p50, p90: doc.latencyMs.p90, p99: doc.latencyMs.p99 },
  latencyCi95Ms: doc.latencyCi95Ms,
  throughputPerSec: doc.throughputPerSec,
  memory: { peakRssBytes: doc.memory.peakRssBytes },
});

export function compareDoc(base: BenchResults, head: BenchResults, verdict: CompareDoc['verdict'] = 'slower'): CompareDoc {
  return {
    kind: 'compare',
    verdict,
    ratio: { p50: { estimate: 1.12, ci95: [1.05, 1.2] }, p90: { estimate: 1.3, ci95: [1.1, 1.52] } },
    rounds: 6,
    threshold: 0.05,
    base: summary(base),
    head: summary(head),
  };
}

export function checkDoc(budgets: CheckDoc['budgets']): CheckDoc {
  return { kind: 'check', budgets };
}

export function writeJson(dir: string, name: string, doc: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}
