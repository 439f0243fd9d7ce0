// Documents for report tests: a real bench result (written by `edgeml bench --profile --samples` on
// the digits MLP), variants of it for a device matrix, and compare/check documents of the shape
// the report expects. HOSTILE is what a fork could put into any string of a document.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDocument, type BudgetCheck, type CheckDocument } from '../src/budgets/index.js';
import type { CompareResults } from '../src/compare/index.js';
import type { BudgetRow } from '../src/report/index.js';
import { VERSION } from '../src/version.js';
import type { BenchResults } from '../src/results/index.js';
import { ROOT, measured } from './helpers.js';

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
  if (over.p90Scale !== undefined) doc.latencyMs.p90 = measured(doc.latencyMs).p90 * over.p90Scale;
  return doc;
}

/** A compare document as `edgeml compare --json` writes it: six interleaved rounds whose arms measure as base and head did. */
export function compareDoc(base: BenchResults, head: BenchResults, verdict: CompareResults['verdict'] = 'slower'): CompareResults {
  const arm = (d: BenchResults) => ({ p50: d.latencyMs.p50!, p90: d.latencyMs.p90!, iterations: d.iterations });
  const ratio = (estimate: number, ci95: [number, number]) => ({ estimate, ci95, lookLevel: 0.95, verdict });
  return {
    schema: { name: 'edgeml-compare', version: 1 },
    kind: 'compare',
    createdAt: '2026-11-25T00:00:00.000Z',
    tool: { name: 'edgeml', version: VERSION },
    mode: 'interleaved',
    verdict,
    metric: 'p50',
    threshold: 0.05,
    design: { used: 'processes', reason: '--design processes' },
    rounds: 6,
    looks: 1,
    plan: { looks: [6], levelPerLook: 0.95, warnings: [] },
    intervalWidth: 0.1,
    stopped: 'decided',
    durationMs: 1000,
    method: { estimate: 'Hodges-Lehmann', interval: 'Wilcoxon signed-rank', sequential: 'alpha spending' },
    ratio: { p50: ratio(1.12, [1.05, 1.2]), p90: ratio(1.3, [1.1, 1.52]) },
    base: { model: base.model, device: base.device, runtimeVersion: base.runtime.version },
    head: { model: head.model },
    runtime: head.runtime,
    device: head.device,
    scenario: head.scenario,
    settings: head.settings,
    exact: [],
    measurements: Array.from({ length: 6 }, (_, i) => ({ first: i % 2 ? 'head' : 'base', base: arm(base), head: arm(head) })),
  } as CompareResults;
}

/** A check document as `edgeml check --json` writes it, from budget rows as the report shows them. */
/** A budget row as the report shows it; `warn` is shorthand for a failed budget at level warn. */
type FixtureBudget = Omit<BudgetRow, 'outcome' | 'status'> & { status: BudgetRow['status'] | 'warn'; outcome?: BudgetRow['outcome'] };

export function checkDoc(budgets: FixtureBudget[]): CheckDocument {
  const checks: BudgetCheck[] = budgets.map((b, i) => ({
    budget: i,
    key: b.key,
    subject: [b.model, b.device].filter(Boolean).join(' on ') || 'all models',
    source: '',
    status: b.status === 'warn' ? 'fail' : b.status,
    outcome: b.outcome ?? (b.status === 'fail' ? 'failure' : b.status === 'pass' ? 'ok' : 'warning'),
    level: b.status === 'warn' || b.level === 'warn' ? 'warn' : 'error',
    value: b.value,
    limit: b.limit ?? 0,
    limitText: String(b.limit ?? 0),
    direction: 'max',
    ...(b.status === 'inconclusive' ? { note: b.message } : { message: b.message }),
    ...(b.model !== undefined ? { model: b.model } : {}),
    ...(b.device !== undefined ? { device: b.device } : {}),
    at: { file: 'edgeml.yml', line: i + 1, col: 1 },
  }));
  return checkDocument('edgeml.yml', [], checks);
}

export function writeJson(dir: string, name: string, doc: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}
