// What a release is made of, read from other steps' documents: the optimize manifest (optional),
// a plain folder of artifact files, the check document (budgets) and bench results (metrics).
// All read back as untrusted input: every field is checked before use.
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { CheckFailure, UserError } from '../errors.js';
import { sha256File } from '../model/index.js';
import { readCheck, type BudgetCheck, type CheckDocument } from '../budgets/index.js';
import { readManifest as readOptimizeManifest, type OptimizeManifest } from '../optimize/index.js';
import { fmtBudgetValue } from '../report/index.js';
import { readResults } from '../results/index.js';
import { NAME } from './metadata.js';
import { FLAG_NAMING } from './naming.js';
import type { ArtifactInput, FleetNaming, LatencyBudget } from './types.js';

/** The optimize manifest, validated against its schema (it may come from another job's artifact). */
export function readManifest(file: string): OptimizeManifest {
  return readOptimizeManifest(file);
}

/** Budgets that block a release: failed at level error (a failed 'warn' budget only warns). */
export function failedBudgets(check: CheckDocument): BudgetCheck[] {
  return check.checks.filter((c) => c.outcome === 'failure');
}

export function describeBudget(c: BudgetCheck): string {
  return `${c.key} of ${c.subject}: ${fmtBudgetValue(c.key, c.value, c.limitText)} vs limit ${c.limitText}`;
}

/**
 * The check gate of a release, the same for the CLI and the action: a failed check refuses it with
 * a CheckFailure (exit 1, the failed-verdict kind), unless forced; then the failed budgets are
 * returned for a warning.
 */
export function releaseGate(checkFile: string | undefined, force: boolean, naming: FleetNaming = FLAG_NAMING): { check: CheckDocument | null; failed: BudgetCheck[] } {
  if (!checkFile) return { check: null, failed: [] };
  const check = readCheck(checkFile);
  const failed = failedBudgets(check);
  if (failed.length && !force) {
    const what = naming === FLAG_NAMING ? `--check ${checkFile}: ` : '';
    throw new CheckFailure(`${what}the check failed (${failed.map(describeBudget).join('; ')}); fix the budgets, or ${naming.force}${naming === FLAG_NAMING ? ' anyway' : ''}`);
  }
  return { check, failed };
}

/**
 * The model name of a release, one rule for the CLI and the action: the one given (its default,
 * `model`, is PUBLISH_SETTINGS'); it must be a safe file name (it is a path segment of the
 * channel). An optimize manifest carries no model name (its schema has none), so it cannot supply one.
 */
export function releaseModelName(model: string, naming: FleetNaming = FLAG_NAMING): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(model)) throw new UserError(`${naming.given('model', JSON.stringify(model))}: use letters, digits, '.', '_' or '-'`);
  return model;
}

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

/** Whether `file` (symlinks resolved) is inside folder `dir`. */
function within(dir: string, file: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  const rel = relative(real(dir), real(file));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

async function hashed(path: string, setting: string): Promise<{ sha256: string; bytes: number }> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`${setting}: artifact ${path} does not exist; run 'edgeml optimize' or fix the path`);
  return { sha256: await sha256File(path), bytes: statSync(path).size };
}

/**
 * The files of a release: from the manifest when given, else every file of the artifacts folder.
 * `naming` words the messages for the caller (default: the CLI's flags).
 */
export async function collectArtifacts(opts: { artifactsDir?: string; manifest?: string; force?: boolean; naming?: FleetNaming }): Promise<ArtifactInput[]> {
  const n = opts.naming ?? FLAG_NAMING;
  const out: ArtifactInput[] = [];
  if (opts.manifest) {
    const given = n.given('manifest', opts.manifest);
    const m = readManifest(opts.manifest);
    for (const a of m.artifacts) {
      if (a.status === 'failed' || !a.path || !a.sha256) {
        // A failed artifact was never written: it cannot ship, even with --force.
        if (opts.force) continue;
        throw new UserError(`${given}: artifact ${a.target} failed (${a.reason ?? 'fidelity or build'}); fix it, or ${n.force} to publish the other targets`);
      }
      // Outputs that were NaN or infinite (null in the manifest) pass only a floor that ignores the
      // cosine; no fleet should get them, so they go the way of a failed artifact.
      if (a.fidelity && a.fidelity.maxAbsError === null) {
        if (opts.force) continue;
        throw new UserError(`${given}: artifact ${a.target} gave NaN or infinite outputs in validation (fidelity.maxAbsError is null); fix the model or the validation data, or ${n.force} to publish the other targets`);
      }
      let local = resolve(dirname(opts.manifest), a.path);
      if (!existsSync(local) && opts.artifactsDir) local = join(opts.artifactsDir, basename(a.path));
      const roots = [dirname(opts.manifest), opts.artifactsDir].filter((d): d is string => !!d);
      if (!roots.some((d) => within(d, local))) {
        throw new UserError(`${given}: artifact ${a.target} has path ${JSON.stringify(a.path)}, outside the manifest's folder ${resolve(dirname(opts.manifest))}; keep the artifacts next to manifest.json (as 'edgeml optimize' writes them)`);
      }
      const h = await hashed(local, n.name('manifest'));
      if (h.sha256 !== a.sha256) {
        throw new UserError(`${given}: ${local} does not match its sha256 in the manifest; the artifact changed after optimize, re-run it`);
      }
      const metrics: Record<string, number> = { bytes: h.bytes };
      for (const [k, v] of Object.entries(a.fidelity ?? {})) if (typeof v === 'number') metrics[k] = v;
      out.push({
        target: a.target, file: basename(local), localPath: local, ...h,
        precision: a.precision ?? guessPrecision(a.target),
        runtime: { name: a.runtime?.name ?? 'onnxruntime', versionRange: a.runtime?.version ? `>=${a.runtime.version}` : '*' },
        hardware: { os: 'any', arch: 'any', accelerator: guessAccelerator(a.target) },
        metrics, floor: m.validation?.floor,
      });
    }
  } else if (opts.artifactsDir) {
    const dir = opts.artifactsDir;
    const given = n.given('artifacts', dir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${given}: no such folder; give the folder of model files to publish`);
    for (const name of readdirSync(dir).sort()) {
      const local = join(dir, name);
      if (name.startsWith('.') || !statSync(local).isFile()) continue;
      const target = basename(name, extname(name));
      if (!NAME.test(target)) throw new UserError(`${given}: file name ${name} is not a usable target name; rename it like cpu-int8.onnx`);
      const h = await hashed(local, n.name('artifacts'));
      out.push({
        target, file: name, localPath: local, ...h, precision: guessPrecision(target),
        runtime: { name: 'onnxruntime', versionRange: '*' },
        hardware: { os: 'any', arch: 'any', accelerator: guessAccelerator(target) },
        metrics: { bytes: h.bytes },
      });
    }
  } else {
    throw new UserError(`nothing to publish: give ${n.name('artifacts')} (a folder, one file per target) or ${n.name('manifest')} (manifest.json from optimize)`);
  }
  if (out.length === 0) throw new UserError(`${opts.manifest ? n.given('manifest', opts.manifest) : n.given('artifacts', opts.artifactsDir!)}: no artifacts to publish; run 'edgeml optimize' first`);
  const seen = new Set<string>();
  for (const a of out) {
    if (seen.has(a.target)) throw new UserError(`two artifacts for target ${a.target}; keep one file per target`);
    seen.add(a.target);
  }
  return out;
}

/** Adds headline metrics from bench results documents whose model sha256 matches an artifact. */
export function addResultsMetrics(artifacts: ArtifactInput[], resultsFiles: string[], naming: FleetNaming = FLAG_NAMING): void {
  for (const file of resultsFiles) {
    const r = readResults(file);
    const a = artifacts.find((x) => x.sha256 === r.model.sha256);
    if (!a) throw new UserError(`${naming.given('results', file)}: measures a model (sha256 ${r.model.sha256.slice(0, 12)}) that is not one of the artifacts; give results of the published files`);
    // A figure the runtime's tool does not report is left out, never published as zero.
    const put = (key: 'p50Ms' | 'p90Ms' | 'p99Ms' | 'peakRssBytes' | 'throughputPerSec', v: number | null) => {
      if (v !== null) a.metrics[key] = v;
    };
    put('p50Ms', r.latencyMs.p50);
    put('p90Ms', r.latencyMs.p90);
    put('p99Ms', r.latencyMs.p99);
    put('peakRssBytes', r.memory.peakRssBytes);
    put('throughputPerSec', r.throughputPerSec);
    if (r.latencyMs.p50 !== null) a.latency = { p50Ms: r.latencyMs.p50, ...(r.latencyMs.p90 !== null ? { p90Ms: r.latencyMs.p90 } : {}), device: r.device.label };
  }
}

const DEVICE_LATENCY = new Set(['latency.p50', 'latency.p90', 'latency.p99']);

/**
 * Attaches to each artifact the latency budgets the check judged its target against
 * (`latency.p90 <= 8ms`), so the device judges its own latency by the same limit. Per key the
 * strictest limit is kept. Rows of several models for one target are used only for the artifact
 * file they name (a check of several models names each result's file). Returns one line per
 * artifact whose budgets could not be told apart, for the caller to print.
 */
export function addCheckBudgets(artifacts: ArtifactInput[], check: CheckDocument): string[] {
  const notes: string[] = [];
  for (const a of artifacts) {
    let rows = check.checks.filter((c) => c.target === a.target && DEVICE_LATENCY.has(c.key) && c.direction === 'max' && Number.isFinite(c.limit));
    const models = new Set(rows.map((c) => c.model ?? ''));
    if (models.size > 1) {
      const own = rows.filter((c) => c.model === a.file);
      if (!own.length) {
        notes.push(`${a.target}: the check judges latency of several models on this target (${[...models].join(', ')}) and none is ${a.file}; its latency budget is not signed into the release`);
        continue;
      }
      rows = own;
    }
    const byKey = new Map<string, LatencyBudget>();
    for (const c of rows) {
      const b: LatencyBudget = { key: c.key as LatencyBudget['key'], maxMs: c.limit, text: c.limitText, ciMs: c.value, device: c.device ?? null };
      const had = byKey.get(c.key);
      if (!had || b.maxMs < had.maxMs || (b.maxMs === had.maxMs && had.ciMs === null)) byKey.set(c.key, b);
    }
    if (byKey.size) a.latencyBudgets = [...byKey.values()].sort((x, y) => x.key.localeCompare(y.key));
  }
  return notes;
}
