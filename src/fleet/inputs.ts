// What a release is made of, read from other steps' documents: the optimize manifest (optional),
// a plain folder of artifact files, the check document (budgets) and bench results (metrics).
// All read back as untrusted input: every field is checked before use.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UserError, oneLine } from '../errors.js';
import { sha256File } from '../model/index.js';
import { readResults } from '../results/index.js';
import { NAME, type Hardware } from './metadata.js';

/** One entry of the optimize step's manifest.json (issue 4), as far as publishing reads it. */
export interface ManifestArtifact {
  target: string;
  path: string;
  sha256: string;
  bytes: number;
  precision?: string;
  opset?: number;
  runtime?: { name: string; version: string };
  sourceSha256?: string;
  settings?: Record<string, unknown>;
  fidelity?: { cosine?: number; maxAbsError?: number; top1Agreement?: number };
  status?: string;
  hardware?: Partial<Hardware>;
}

export interface OptimizeManifest {
  model?: { name?: string };
  artifacts: ManifestArtifact[];
}

/** The check step's document (issue 3), as far as publishing reads it. */
export interface CheckBudget {
  key: string;
  value?: number | null;
  limit?: number | null;
  status: 'pass' | 'fail' | 'warn' | 'inconclusive';
  level?: 'error' | 'warn';
  message?: string;
}

export interface CheckDocument {
  status: string;
  budgets: CheckBudget[];
}

/** A file to publish, resolved and hashed. */
export interface ArtifactInput {
  target: string;
  file: string;
  localPath: string;
  sha256: string;
  bytes: number;
  precision: string | null;
  runtime: { name: string; versionRange: string };
  hardware: Hardware;
  metrics: Record<string, number>;
}

function readJsonFile(file: string, flag: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code ? `cannot read it (${code})` : `not JSON (${oneLine(e)})`;
    throw new UserError(`${flag} ${file}: ${why}; give the ${what}`);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readManifest(file: string): OptimizeManifest {
  const doc = readJsonFile(file, '--manifest', "manifest.json written by 'edgeml optimize'");
  const bad = (why: string) => new UserError(`--manifest ${file}: ${why}; regenerate it with 'edgeml optimize'`);
  if (!isObj(doc) || !Array.isArray(doc.artifacts)) throw bad('no artifacts[] list');
  doc.artifacts.forEach((a, i) => {
    if (!isObj(a)) throw bad(`artifacts[${i}] is not an object`);
    if (typeof a.target !== 'string' || !NAME.test(a.target)) throw bad(`artifacts[${i}].target must be a name such as cpu-int8`);
    if (typeof a.path !== 'string' || !a.path) throw bad(`artifacts[${i}].path is missing`);
    if (typeof a.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(a.sha256)) throw bad(`artifacts[${i}].sha256 is not a sha256 hex digest`);
    if (typeof a.bytes !== 'number') throw bad(`artifacts[${i}].bytes is not a number`);
    if (a.runtime !== undefined && (!isObj(a.runtime) || typeof a.runtime.name !== 'string' || typeof a.runtime.version !== 'string')) {
      throw bad(`artifacts[${i}].runtime must be {name, version}`);
    }
  });
  return doc as unknown as OptimizeManifest;
}

export function readCheck(file: string): CheckDocument {
  const doc = readJsonFile(file, '--check', "document written by 'edgeml check --json'");
  if (!isObj(doc) || typeof doc.status !== 'string' || !Array.isArray(doc.budgets) || !doc.budgets.every((b) => isObj(b) && typeof b.key === 'string' && typeof b.status === 'string')) {
    throw new UserError(`--check ${file}: not a check document (needs status and budgets[] {key, status}); regenerate it with 'edgeml check --json'`);
  }
  return doc as unknown as CheckDocument;
}

/** Budgets that block a release: failed at level error (a failed 'warn' budget only warns). */
export function failedBudgets(check: CheckDocument): CheckBudget[] {
  return check.budgets.filter((b) => b.status === 'fail' && b.level !== 'warn');
}

export function describeBudget(b: CheckBudget): string {
  const vs = b.value != null && b.limit != null ? ` ${b.value} vs limit ${b.limit}` : '';
  return `${b.key}${vs}`;
}

const FAILED = new Set(['fail', 'failed', 'error']);

function guessPrecision(name: string): string | null {
  const m = /(int8|uint8|fp16|float16|fp32|float32|int4)/i.exec(name);
  return m ? m[1].toLowerCase() : null;
}

function guessAccelerator(target: string): string {
  if (/tensorrt|trt/i.test(target)) return 'tensorrt';
  if (/cuda|gpu/i.test(target)) return 'cuda';
  if (/openvino/i.test(target)) return 'openvino';
  return 'none';
}

async function hashed(path: string, flag: string): Promise<{ sha256: string; bytes: number }> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`${flag}: artifact ${path} does not exist; run 'edgeml optimize' or fix the path`);
  return { sha256: await sha256File(path), bytes: statSync(path).size };
}

/** The files of a release: from the manifest when given, else every file of the artifacts folder. */
export async function collectArtifacts(opts: { artifactsDir?: string; manifest?: string; force?: boolean }): Promise<ArtifactInput[]> {
  const out: ArtifactInput[] = [];
  if (opts.manifest) {
    const m = readManifest(opts.manifest);
    for (const a of m.artifacts) {
      if (a.status === 'skipped') continue;
      if (a.status && FAILED.has(a.status) && !opts.force) {
        throw new UserError(`--manifest ${opts.manifest}: artifact ${a.target} has status '${a.status}' (fidelity or build failed); fix it or pass --force`);
      }
      let local = resolve(dirname(opts.manifest), a.path);
      if (!existsSync(local) && opts.artifactsDir) local = join(opts.artifactsDir, basename(a.path));
      const h = await hashed(local, '--manifest');
      if (h.sha256 !== a.sha256) {
        throw new UserError(`--manifest ${opts.manifest}: ${local} does not match its sha256 in the manifest; the artifact changed after optimize, re-run it`);
      }
      const metrics: Record<string, number> = { bytes: h.bytes };
      for (const [k, v] of Object.entries(a.fidelity ?? {})) if (typeof v === 'number') metrics[k] = v;
      out.push({
        target: a.target, file: basename(local), localPath: local, ...h,
        precision: a.precision ?? guessPrecision(a.target),
        runtime: { name: a.runtime?.name ?? 'onnxruntime', versionRange: a.runtime?.version ? `>=${a.runtime.version}` : '*' },
        hardware: { os: a.hardware?.os ?? 'any', arch: a.hardware?.arch ?? 'any', accelerator: a.hardware?.accelerator ?? guessAccelerator(a.target) },
        metrics,
      });
    }
  } else if (opts.artifactsDir) {
    const dir = opts.artifactsDir;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--artifacts ${dir}: no such folder; give the folder of model files to publish`);
    for (const name of readdirSync(dir).sort()) {
      const local = join(dir, name);
      if (name.startsWith('.') || !statSync(local).isFile()) continue;
      const target = basename(name, extname(name));
      if (!NAME.test(target)) throw new UserError(`--artifacts ${dir}: file name ${name} is not a usable target name; rename it like cpu-int8.onnx`);
      const h = await hashed(local, '--artifacts');
      out.push({
        target, file: name, localPath: local, ...h, precision: guessPrecision(target),
        runtime: { name: 'onnxruntime', versionRange: '*' },
        hardware: { os: 'any', arch: 'any', accelerator: guessAccelerator(target) },
        metrics: { bytes: h.bytes },
      });
    }
  } else {
    throw new UserError('nothing to publish: give --artifacts DIR (one file per target) or --manifest manifest.json');
  }
  if (out.length === 0) throw new UserError(`${opts.manifest ? `--manifest ${opts.manifest}` : `--artifacts ${opts.artifactsDir}`}: no artifacts to publish; run 'edgeml optimize' first`);
  const seen = new Set<string>();
  for (const a of out) {
    if (seen.has(a.target)) throw new UserError(`two artifacts for target ${a.target}; keep one file per target`);
    seen.add(a.target);
  }
  return out;
}

/** Adds headline metrics from bench results documents whose model sha256 matches an artifact. */
export function addResultsMetrics(artifacts: ArtifactInput[], resultsFiles: string[]): void {
  for (const file of resultsFiles) {
    const r = readResults(file);
    const a = artifacts.find((x) => x.sha256 === r.model.sha256);
    if (!a) throw new UserError(`--results ${file}: measures a model (sha256 ${r.model.sha256.slice(0, 12)}) that is not one of the artifacts; give results of the published files`);
    // A figure the runtime's tool does not report is left out, never published as zero.
    const put = (key: 'p50Ms' | 'p90Ms' | 'p99Ms' | 'peakRssBytes' | 'throughputPerSec', v: number | null) => {
      if (v !== null) a.metrics[key] = v;
    };
    put('p50Ms', r.latencyMs.p50);
    put('p90Ms', r.latencyMs.p90);
    put('p99Ms', r.latencyMs.p99);
    put('peakRssBytes', r.memory.peakRssBytes);
    put('throughputPerSec', r.throughputPerSec);
  }
}
