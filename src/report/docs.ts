// What the report expects of the compare and check documents (written by `edgeml compare` and
// `edgeml check`), and the reading of every document it is given. All are read as untrusted:
// validated, and only the fields named here are used. The schemas require what the report reads
// and let other fields pass, so a newer writer still renders.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { UserError, oneLine } from '../errors.js';
import { readResults, type BenchResults } from '../results/index.js';
import checkDocumentSchema from '../../schemas/check.schema.json' with { type: 'json' };

export type Verdict = 'slower' | 'faster' | 'unchanged' | 'inconclusive';
export type BudgetStatus = 'pass' | 'fail' | 'warn' | 'inconclusive';
export type Interval = [number, number] | null;

/** The parts of a bench document a comparison carries for each side. */
export interface BenchSummary {
  model: { name: string; bytes?: number; sha256?: string; format?: string };
  runtime?: { version?: string; executionProvider?: string };
  device: { label: string; fingerprint?: string };
  latencyMs: { p50: number; p90: number; p99?: number };
  latencyCi95Ms?: { p50?: Interval; p90?: Interval };
  throughputPerSec?: number;
  memory?: { peakRssBytes?: number };
  /** Raw per-query latencies, when kept: drawn as a distribution. */
  samplesMs?: number[];
}

/** Head over base of one percentile: estimate and 95% interval. */
export interface RatioEstimate {
  estimate: number;
  ci95: Interval;
}

export interface CompareDoc {
  kind: 'compare';
  verdict: Verdict;
  ratio: { p50: RatioEstimate; p90: RatioEstimate };
  /** Interleaved base/head rounds measured. */
  rounds: number;
  /** Relative change that counts as a regression, e.g. 0.05. */
  threshold: number;
  base: BenchSummary;
  head: BenchSummary;
}

export interface Budget {
  key: string;
  value: number | null;
  limit: number | null;
  status: BudgetStatus;
  level: string;
  message: string;
  /** Which result the budget judged, when it judged one. */
  model?: string;
  device?: string;
}

export interface CheckDoc {
  kind: 'check';
  budgets: Budget[];
}

/** Every document a report is built from, each kept with the file it came from. */
export interface ReportInputs {
  results: Array<{ file: string; doc: BenchResults }>;
  compare: Array<{ file: string; doc: CompareDoc }>;
  check: Array<{ file: string; doc: CheckDoc }>;
}

const str = (max: number) => ({ type: 'string', maxLength: max });
const num = { type: 'number' };
const interval = { oneOf: [{ type: 'null' }, { type: 'array', prefixItems: [num, num], minItems: 2, maxItems: 2 }] };
const ratio = { type: 'object', required: ['estimate', 'ci95'], properties: { estimate: num, ci95: interval } };
const summary = {
  type: 'object',
  required: ['model', 'device', 'latencyMs'],
  properties: {
    model: { type: 'object', required: ['name'], properties: { name: str(512), bytes: { type: 'integer', minimum: 0 }, sha256: str(64), format: str(32) } },
    runtime: { type: 'object', properties: { version: str(64), executionProvider: str(64) } },
    device: { type: 'object', required: ['label'], properties: { label: str(256), fingerprint: str(64) } },
    latencyMs: { type: 'object', required: ['p50', 'p90'], properties: { p50: num, p90: num, p99: num } },
    latencyCi95Ms: { type: 'object', properties: { p50: interval, p90: interval } },
    throughputPerSec: num,
    memory: { type: 'object', properties: { peakRssBytes: { type: 'integer', minimum: 0 } } },
    samplesMs: { type: 'array', maxItems: 10_000_000, items: num },
  },
};

export const compareSchema = {
  type: 'object',
  required: ['kind', 'verdict', 'ratio', 'rounds', 'threshold', 'base', 'head'],
  properties: {
    kind: { const: 'compare' },
    verdict: { enum: ['slower', 'faster', 'unchanged', 'inconclusive'] },
    ratio: { type: 'object', required: ['p50', 'p90'], properties: { p50: ratio, p90: ratio } },
    rounds: { type: 'integer', minimum: 0 },
    threshold: { type: 'number', minimum: 0 },
    base: summary,
    head: summary,
  },
};

export const checkSchema = {
  type: 'object',
  required: ['kind', 'budgets'],
  properties: {
    kind: { const: 'check' },
    budgets: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        required: ['key', 'value', 'limit', 'status', 'level', 'message'],
        properties: {
          key: str(256),
          value: { type: ['number', 'null'] },
          limit: { type: ['number', 'null'] },
          status: { enum: ['pass', 'fail', 'warn', 'inconclusive'] },
          level: str(32),
          message: str(2048),
          model: str(512),
          device: str(256),
        },
      },
    },
  },
};

const ajv = new Ajv2020({ allErrors: false, strict: true });
const validators = { compare: ajv.compile(compareSchema), check: ajv.compile(checkSchema) };
const WRITERS = { compare: 'edgeml compare --json', check: 'edgeml check --json' };

function readJson(file: string, writer: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}; give the file written by '${writer}'`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not JSON (${oneLine(e)}); give the file written by '${writer}'`);
  }
}

function readKind<K extends 'compare' | 'check'>(file: string, kind: K): K extends 'compare' ? CompareDoc : CheckDoc {
  const doc = readJson(file, WRITERS[kind]);
  const validate = validators[kind];
  if (!validate(doc)) {
    const err = validate.errors?.[0];
    const problem = err ? `${err.instancePath || '/'} ${err.message}` : 'invalid';
    throw new UserError(`${file}: not an edgeml ${kind} document (${problem}); regenerate it with '${WRITERS[kind]}'`);
  }
  return doc as unknown as K extends 'compare' ? CompareDoc : CheckDoc;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
};

/**
 * The document `edgeml compare --json` writes keeps the device once and every round's p50/p90 of
 * each arm; the report's sides are summaries: each side's p50 and p90 are the medians over rounds.
 */
function fromCompareDocument(doc: Record<string, unknown>): unknown {
  const rounds = (doc.measurements as Array<{ base: { p50: number; p90: number } | null; head: { p50: number; p90: number } }>) ?? [];
  const side = (arm: 'base' | 'head') => {
    const ms = rounds.map((r) => r[arm]).filter((m): m is { p50: number; p90: number } => !!m);
    const own = doc[arm] as Record<string, unknown>;
    return {
      ...own,
      device: own.device ?? doc.device,
      runtime: doc.runtime,
      latencyMs: { p50: median(ms.map((m) => m.p50)), p90: median(ms.map((m) => m.p90)) },
    };
  };
  return { ...doc, base: side('base'), head: side('head') };
}

export function readCompare(file: string): CompareDoc {
  const raw = readJson(file, WRITERS.compare) as Record<string, unknown> | null;
  if (raw && typeof raw === 'object' && Array.isArray(raw.measurements) && raw.device && typeof raw.base === 'object') {
    const doc = fromCompareDocument(raw);
    if (!validators.compare(doc)) {
      const err = validators.compare.errors?.[0];
      throw new UserError(`${file}: not an edgeml compare document (${err ? `${err.instancePath || '/'} ${err.message}` : 'invalid'}); regenerate it with '${WRITERS.compare}'`);
    }
    return doc as unknown as CompareDoc;
  }
  return readKind(file, 'compare');
}

let checkDocValidator: ReturnType<Ajv2020['compile']> | undefined;

/** A row of the document `edgeml check --json` writes (schemas/check.schema.json). */
interface JudgedRow {
  key: string; subject: string; status: 'pass' | 'fail' | 'inconclusive' | 'skipped'; level: string;
  value: number | null; limit: number; message?: string; note?: string;
}

/** `edgeml check --json`'s rows as report budgets: subject "model on device" split at its last " on ". */
function fromCheckDocument(rows: JudgedRow[]): Budget[] {
  return rows
    .filter((r) => r.status !== 'skipped')
    .map((r) => {
      const at = r.subject.lastIndexOf(' on ');
      const who = at > 0 ? { model: r.subject.slice(0, at), device: r.subject.slice(at + 4) } : {};
      const status = (r.status === 'fail' && r.level === 'warn' ? 'warn' : r.status) as BudgetStatus;
      return { key: r.key, value: r.value, limit: r.limit, status, level: r.level, message: [r.message, r.note].filter(Boolean).join(' ').slice(0, 2048), ...who };
    });
}

/** Either the report's own check shape ({kind, budgets}) or the document `edgeml check --json` writes. */
export function readCheck(file: string): CheckDoc {
  const doc = readJson(file, WRITERS.check) as { checks?: unknown };
  if (doc && typeof doc === 'object' && 'checks' in doc) {
    checkDocValidator ??= new Ajv2020({ allErrors: false, strict: false }).addFormat('date-time', true).compile(checkDocumentSchema);
    if (!checkDocValidator(doc)) {
      const err = checkDocValidator.errors?.[0];
      throw new UserError(`${file}: not an edgeml check document (${err ? `${err.instancePath || '/'} ${err.message}` : 'invalid'}); regenerate it with '${WRITERS.check}'`);
    }
    return { kind: 'check', budgets: fromCheckDocument(doc.checks as JudgedRow[]) };
  }
  return readKind(file, 'check');
}

/** Reads and validates every document; the first bad one is a UserError naming its file. */
export function readReportInputs(files: { results: string[]; compare?: string[]; check?: string[] }): ReportInputs {
  if (files.results.length === 0 && !files.compare?.length) {
    throw new UserError('no results given: pass --results with the files written by \'edgeml bench --json\'');
  }
  return {
    results: files.results.map((file) => ({ file, doc: readResults(file) })),
    compare: (files.compare ?? []).map((file) => ({ file, doc: readCompare(file) })),
    check: (files.check ?? []).map((file) => ({ file, doc: readCheck(file) })),
  };
}
