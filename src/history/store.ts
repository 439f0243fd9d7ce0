// The history as a folder: data/<commit>/<device>-<fingerprint>.json, one file per commit and
// device, append-only. The git data branch (git.ts) is this same folder on a branch.
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { UserError, oneLine } from '../errors.js';
import { safeName } from '../names/index.js';
import type { CheckDocument } from '../budgets/index.js';
import type { CompareResults } from '../compare/index.js';
import { readResults } from '../results/index.js';
import { schemaProblem } from '../documents/index.js';
import schema from '../../schemas/history-entry.schema.json' with { type: 'json' };
import type { Verdict } from '../compare/index.js';
import { HISTORY_SCHEMA } from './entry.js';
import type { BudgetLine, HistoryEntry, HistoryResult } from './types.js';

export const DATA_DIR = 'data';

/** Where an entry lives, relative to the history folder. */
export function entryPath(entry: HistoryEntry): string {
  return join(DATA_DIR, entry.commit, `${safeName(entry.device.label, 'device', 80)}-${entry.device.fingerprint}.json`);
}

export function validateEntry(doc: unknown): string | null {
  return schemaProblem(schema, doc);
}

/**
 * Adds an entry to the history folder, never rewriting one: if results of this commit and device
 * are already there (a re-run of the job), they stay: 'unchanged' when identical, else 'kept'.
 */
export function appendEntry(root: string, entry: HistoryEntry): { path: string; status: AppendStatus } {
  const problem = validateEntry(entry);
  if (problem) throw new Error(`internal: history entry does not match its schema: ${problem}`);
  const rel = entryPath(entry);
  const file = join(root, rel);
  const text = `${JSON.stringify(entry, null, 2)}\n`;
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  try {
    // link() fails if the name exists: the entry appears whole, and only once.
    linkSync(tmp, file);
    return { path: rel, status: 'added' };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { path: rel, status: readFileSync(file, 'utf8') === text ? 'unchanged' : 'kept' };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** What an append did; the words the CLI and the action report. */
export type AppendStatus = 'added' | 'unchanged' | 'kept';

export function describeAppend(status: AppendStatus, where: string): string {
  if (status === 'added') return `added: ${where}`;
  if (status === 'unchanged') return `already there, unchanged: ${where}`;
  return `not added: ${where} already holds other results of this commit on this device (a re-run?); history is append-only, so the first results stay`;
}

/** Every valid entry under `root`, oldest first; invalid files are reported, never trusted. */
export function readEntries(root: string): { entries: HistoryEntry[]; skipped: string[] } {
  const base = join(root, DATA_DIR);
  const entries: HistoryEntry[] = [];
  const skipped: string[] = [];
  if (!existsSync(base)) return { entries, skipped };
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json') && !name.startsWith('.')) {
        try {
          const doc: unknown = JSON.parse(readFileSync(path, 'utf8'));
          const problem = validateEntry(doc);
          if (problem) skipped.push(`${relative(root, path)}: ${problem}`);
          else entries.push(doc as HistoryEntry);
        } catch (e) {
          skipped.push(`${relative(root, path)}: ${oneLine(e)}`);
        }
      }
    }
  };
  walk(base);
  entries.sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.commit.localeCompare(b.commit));
  return { entries, skipped };
}

export interface EntryInput {
  results: string[];
  commit: string;
  ref: string;
  timestamp: string;
  url?: string;
  /** Report names per results file (default: model file name without extension). */
  modelName?: string;
  target?: string;
  verdicts?: Record<string, Verdict>;
  budgets?: BudgetLine[];
}

/** The name a model goes by in the history: its file name without the extension. */
export function modelKey(fileName: string): string {
  return fileName.replace(/\.(onnx|ort)$/i, '');
}

/** Verdicts of compare documents, by the head model's history name. */
export function verdictsFrom(compares: CompareResults[], modelName?: string): Record<string, Verdict> {
  return Object.fromEntries(compares.map((c) => [modelName ?? modelKey(c.head.model.name), c.verdict]));
}

const TO_CHART_UNIT: Record<string, (v: number) => number> = {
  'latency.p50': (v) => v, 'latency.p90': (v) => v, 'latency.p99': (v) => v, throughput: (v) => v,
  'memory.peak': (v) => v / 2 ** 20, size: (v) => v / 2 ** 20,
};

/** Budget lines from a check document: the charted metrics' limits, in the charts' units. */
export function budgetLinesFrom(check: CheckDocument, modelName?: string): BudgetLine[] {
  const lines = new Map<string, BudgetLine>();
  for (const c of check.checks) {
    const convert = TO_CHART_UNIT[c.key];
    if (!convert) continue;
    const model = modelName ?? (c.model ? modelKey(c.model) : undefined);
    const line: BudgetLine = { metric: c.key, limit: convert(c.limit), ...(model ? { model } : {}) };
    lines.set(JSON.stringify(line), line);
  }
  return [...lines.values()];
}

/** Builds the entry of one commit on one device from results documents (read as untrusted). */
export function buildEntry(input: EntryInput): HistoryEntry {
  if (input.results.length === 0) throw new UserError('no results given: pass the files written by edgeml bench --json with --results');
  if (!/^[0-9a-f]{7,64}$/.test(input.commit)) {
    throw new UserError(`--commit ${JSON.stringify(input.commit)}: expected a commit hash (7 to 64 hex digits)`);
  }
  if (Number.isNaN(Date.parse(input.timestamp))) {
    throw new UserError(`--timestamp ${JSON.stringify(input.timestamp)}: expected an ISO 8601 time such as 2026-11-25T10:00:00Z`);
  }
  const results: HistoryResult[] = [];
  let device: HistoryEntry['device'] | undefined;
  for (const file of input.results) {
    const bench = readResults(file);
    if (device && device.fingerprint !== bench.device.fingerprint) {
      throw new UserError(
        `${file}: measured on device '${bench.device.label}' (${bench.device.fingerprint}), the others on '${device.label}' (${device.fingerprint}); append each device's results separately`,
      );
    }
    device ??= { label: bench.device.label, fingerprint: bench.device.fingerprint };
    const { samplesMs: _samples, ...kept } = bench;
    const model = input.modelName ?? modelKey(bench.model.name);
    const verdict = input.verdicts?.[model];
    results.push({ model, target: input.target ?? bench.model.format, bench: kept, ...(verdict ? { verdict } : {}) });
  }
  return {
    schema: HISTORY_SCHEMA,
    commit: input.commit,
    ref: input.ref,
    timestamp: new Date(input.timestamp).toISOString(),
    ...(input.url ? { url: input.url } : {}),
    device: device!,
    results,
    ...(input.budgets?.length ? { budgets: input.budgets } : {}),
  };
}
