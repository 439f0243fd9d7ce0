// `edgeml run` and the all-in-one action: for every model of edgeml.yml, optimize its targets,
// benchmark the source and each artifact, compare the source with the base model (and, with
// compare.artifacts, each target's artifact with the base's), evaluate on the datasets, check the
// budgets and write the report. Thin: each step is the core function the
// single-purpose command calls; this module only wires files between them.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { benchOptionsFromFlags, runBenchmark, type ProgressEvent } from '../bench/index.js';
import { runCheck, slowerFails, writeCheck, type CheckDocument } from '../budgets/index.js';
import { compareOptionsFromFlags, decidingRatio, runCompare, writeCompare, type CompareResults } from '../compare/index.js';
import { loadConfig, type EdgemlConfig } from '../config/index.js';
import { CheckFailure, UserError, isUserError } from '../errors.js';
import { checkInputsFit, evaluate, mergeEval, parseMetrics } from '../eval/index.js';
import { optimize, optimizeOptionsFromFlags, refusedByValidation, relativizeManifest, writeManifest, type ArtifactRecord, type OptimizeManifest } from '../optimize/index.js';
import { rejectLfsPointerFile } from '../model/index.js';
import { safeName } from '../names/index.js';
import { buildReport, readReportInputs, reportMarkdown, type ReportStatus } from '../report/index.js';
import { writeResults, type BenchResults } from '../results/index.js';
import { writeFileAtomic } from '../documents/index.js';
import { baseModelFile, checkBase, readBaseModel, type BaseModel, type BaseSource } from './base.js';
import { datasetsOf, fromConfig, planModels, type ModelPlan } from './plan.js';
import { summaryRows, summaryTable, type SummaryRow } from './summary.js';

export { summaryTable, type SummaryRow } from './summary.js';
export { fileSettings, modelAt, withFileSettings, type Configured, type FileSetting } from './plan.js';

export interface RunOptions {
  config: string;
  base?: BaseSource;
  /** The results folder (created; earlier contents of its sub-folders replaced). */
  out: string;
  deviceLabel?: string;
}

/** Where progress goes: log groups in Actions, headings and a bar on a terminal. */
export interface RunReporter {
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  info(message: string): void;
  warning(message: string): void;
  measuring?(label: string, totalMs: number, minIterations: number): { update(p: ProgressEvent & { step: string }): void; stop(): void };
}

export interface RunOutcome {
  verdict: ReportStatus;
  /** Exit-1 reasons: a budget at level error failed, compare said slower, an artifact below its floor. */
  failures: string[];
  out: string;
  report: string;
  summary: string;
  files: { results: string[]; compare: string[]; check: string[]; manifests: string[] };
  rows: SummaryRow[];
  notices: string[];
}

const slug = (s: string) => safeName(s, 'model');

async function measure(plan: ModelPlan, model: string, label: string, rep: RunReporter, extra: { base?: boolean } = {}): Promise<BenchResults> {
  const opts = benchOptionsFromFlags(model, plan.bench.flags, plan.bench.names);
  const bar = rep.measuring?.(label, opts.minDurationMs, opts.minIterations);
  try {
    return await runBenchmark(opts, { onProgress: (p) => bar?.update(p) });
  } finally {
    bar?.stop();
    if (!extra.base) rep.info(`${label}: measured`);
  }
}

/** base vs head with the model's compare settings; `label` names it in progress lines. */
async function compareFiles(plan: ModelPlan, baseFile: string, headFile: string, label: string, rep: RunReporter): Promise<CompareResults> {
  return runCompare(
    { ...compareOptionsFromFlags(plan.compare.flags, plan.compare.names), base: baseFile, head: headFile, allowDifferentDevice: false },
    {
      onLook: (l) => rep.info(`compare ${label}: round ${l.rounds}, ${l.metric} head/base ${decidingRatio(l).estimate.toFixed(3)}: ${l.verdict}`),
      onDesign: (d) => rep.info(`compare ${label}: ${d.used} (${d.reason})`),
      onWarning: (m) => rep.warning(`compare ${label}: ${m}`),
    },
  );
}

/** `model` made into the plan's targets under `dir`, with the plan's settings and calibration data. */
async function optimizeModel(plan: ModelPlan, model: string, dir: string, title: string, rep: RunReporter): Promise<OptimizeManifest> {
  const manifest = await rep.group(title, () =>
    optimize(optimizeOptionsFromFlags({ ...plan.optimize!, model, out: dir }), {
      onTarget: (t, phase, rec) => {
        if (phase === 'done') rep.info(`${t}: ${rec?.status}${rec?.reason ? ` (${rec.reason})` : ''}`);
      },
    }),
  );
  writeManifest(join(dir, 'manifest.json'), relativizeManifest(manifest, join(dir, 'manifest.json')));
  return manifest;
}

/**
 * The base's artifacts by target, or why the base could not be optimized at all. Made with the
 * head's settings and calibration data, so that only the model differs between the two sides.
 */
async function baseArtifacts(plan: ModelPlan, baseFile: string, dir: string, rep: RunReporter): Promise<Map<string, ArtifactRecord> | { none: string }> {
  try {
    const manifest = await optimizeModel(plan, baseFile, dir, `Optimize ${plan.name} (base): ${(plan.optimize?.target ?? '').split(',').join(', ')}`, rep);
    return new Map(manifest.artifacts.map((a) => [a.target, a]));
  } catch (e) {
    // The base not taking the head's settings (an input renamed by this PR, say) is not the head's error.
    if (isUserError(e)) return { none: e.message };
    throw e;
  }
}

type EvalSets = Array<[string, EdgemlConfig['datasets'][string]]>;

/**
 * The datasets each model is evaluated on, checked before any work: those naming it under
 * `models:` must fit its inputs (else a UserError naming the dataset); those without `models:` are
 * kept where they fit, and say in `notices` where they do not.
 */
async function evalSets(config: EdgemlConfig, plans: ModelPlan[], notices: string[]): Promise<Map<string, EvalSets>> {
  const out = new Map<string, EvalSets>();
  for (const plan of plans) {
    const sets: EvalSets = [];
    for (const [name, d] of datasetsOf(config, plan.name)) {
      try {
        if (!/\.jsonl$/i.test(d.inputs)) await checkInputsFit(plan.path, { '': fromConfig(config, d.inputs) });
        sets.push([name, d]);
      } catch (e) {
        if (!isUserError(e)) throw e;
        const at = `${d.at.file}:${d.at.line}:${d.at.col}`;
        if (d.models) throw new UserError(`${at}: datasets.${name}: does not fit model ${plan.name} (${e.message}); fix the data or take ${plan.name} out of datasets.${name}.models`);
        notices.push(`${plan.name}: dataset ${name} not evaluated, it does not fit (${e.message}); name the models it is for with datasets.${name}.models`);
      }
    }
    out.set(plan.name, sets);
  }
  return out;
}

/** accuracy and fidelity of one measured model (source or artifact) on its model's datasets. */
async function evaluateOn(config: EdgemlConfig, sets: EvalSets, model: string, reference: string | undefined, doc: BenchResults): Promise<void> {
  for (const [, d] of sets) {
    // The source has no reference: an unlabelled dataset scores only the artifacts' fidelity.
    if (!d.labels && !reference) continue;
    const metrics = parseMetrics(d.metrics?.length ? d.metrics : d.labels ? ['top1'] : []);
    const ev = await evaluate({
      model, inputs: { '': fromConfig(config, d.inputs) }, ...(d.labels ? { labels: fromConfig(config, d.labels) } : {}),
      metrics, ...(reference ? { reference } : {}), batchSize: 64,
    });
    // The same merge as `edgeml eval --results`: metrics with the dataset they were measured on.
    const merged = mergeEval(model, doc, ev);
    if (merged.accuracy) doc.accuracy = merged.accuracy;
    if (merged.fidelity) doc.fidelity = merged.fidelity;
  }
}

export async function runAll(opts: RunOptions, rep: RunReporter): Promise<RunOutcome> {
  const config = loadConfig(opts.config);
  const configDir = dirname(resolve(opts.config));
  const plans = planModels(config, opts.deviceLabel ? { deviceLabel: opts.deviceLabel } : {});
  for (const p of plans) {
    // Bad settings fail here, before any work.
    benchOptionsFromFlags(p.path, p.bench.flags, p.bench.names);
    compareOptionsFromFlags(p.compare.flags, p.compare.names);
    if (p.optimize) optimizeOptionsFromFlags({ ...p.optimize, out: opts.out });
  }
  checkBase(opts.base, configDir);
  // Every model and its base is read before anything is written or measured: an LFS pointer
  // fails here, not after minutes of benchmarks.
  const bases = new Map<string, BaseModel>();
  for (const plan of plans) {
    if (existsSync(plan.path)) rejectLfsPointerFile(plan.path);
    bases.set(plan.name, readBaseModel(opts.base, configDir, plan.path));
  }
  const notices: string[] = [];
  const setsOf = await evalSets(config, plans, notices);
  const out = resolve(opts.out);
  for (const sub of ['artifacts', 'base', 'results', 'compare', 'check']) rmSync(join(out, sub), { recursive: true, force: true });
  mkdirSync(join(out, 'results'), { recursive: true });

  const files: RunOutcome['files'] = { results: [], compare: [], check: [], manifests: [] };
  const failures: string[] = [];
  const compareOf = new Map<string, string>();
  const resultsOf = new Map<string, string[]>();
  /** Why each model has no comparison (for its regression budgets). */
  const noCompareOf = new Map<string, string>();
  const notMade: Array<{ model: string; target: string; reason: string; optional: boolean }> = [];

  for (const plan of plans) {
    const mine: string[] = [];
    resultsOf.set(plan.name, mine);
    const measured: Array<{ target?: string; file: string }> = [{ file: plan.path }];
    if (plan.optimize) {
      const dir = join(out, 'artifacts', slug(plan.name));
      const manifest = await optimizeModel(plan, plan.path, dir, `Optimize ${plan.name}: ${(plan.optimize.target ?? '').split(',').join(', ')}`, rep);
      files.manifests.push(join(dir, 'manifest.json'));
      for (const a of manifest.artifacts) {
        if (a.status === 'ok' && a.path) {
          measured.push({ target: a.target, file: a.path });
          continue;
        }
        // A configured target that could not be made fails the run, unless the config marks it
        // optional; one refused by validation (fidelity, size) fails whatever the config says.
        const optional = config.optionalTargets.includes(a.target) && !refusedByValidation(a);
        notMade.push({ model: plan.name, target: a.target, reason: a.reason ?? 'not made', optional });
        if (optional) notices.push(`${plan.name} ${a.target}: not made (${a.reason}); optional, so the run goes on`);
        else failures.push(`${plan.name} ${a.target}: not made (${a.reason})`);
      }
    }
    for (const m of measured) {
      const label = `${plan.name} ${m.target ?? 'source'}`;
      const doc = await rep.group(`Benchmark ${label}`, () => measure(plan, m.file, label, rep));
      doc.model.name = plan.name;
      if (m.target) doc.target = m.target;
      const sets = (setsOf.get(plan.name) ?? []).filter(([, d]) => d.labels || m.target);
      if (sets.length) await rep.group(`Evaluate ${label}`, () => evaluateOn(config, sets, m.file, m.target ? plan.path : undefined, doc));
      const file = join(out, 'results', `${slug(plan.name)}-${m.target ?? 'source'}.json`);
      writeResults(file, doc);
      files.results.push(file);
      mine.push(file);
    }
    const base = baseModelFile(bases.get(plan.name) as BaseModel, join(out, 'base', slug(plan.name)));
    if ('none' in base) {
      noCompareOf.set(plan.name, opts.base ? `${plan.name} has no base version: ${base.none}` : 'no base given: give --base-ref (a commit) or --base-model (a folder) to compare with');
      if (opts.base) notices.push(`${plan.name}: not compared, ${base.none}`);
      continue;
    }
    const compared = async (title: string, baseFile: string, headFile: string, label: string, target?: string): Promise<{ file: string; doc: CompareResults }> => {
      const doc = await rep.group(title, () => compareFiles(plan, baseFile, headFile, label, rep));
      doc.head.model.name = plan.name;
      doc.base.model.name = `${plan.name} (base)`;
      if (target) doc.target = target;
      mkdirSync(join(out, 'compare'), { recursive: true });
      // Named like the results: compare/<model>.json for the source, compare/<model>-<target>.json per target.
      const file = join(out, 'compare', `${slug(plan.name)}${target ? `-${target}` : ''}.json`);
      writeCompare(file, doc);
      files.compare.push(file);
      return { file, doc };
    };
    compareOf.set(plan.name, (await compared(`Compare ${plan.name} with the base`, base.file, plan.path, plan.name)).file);
    if (!config.compareArtifacts || !plan.optimize) continue;
    const made = measured.filter((m): m is { target: string; file: string } => m.target !== undefined);
    if (!made.length) continue;
    const theirs = await baseArtifacts(plan, base.file, join(out, 'base', slug(plan.name), 'artifacts'), rep);
    for (const m of made) {
      const b = 'none' in theirs ? undefined : theirs.get(m.target);
      if (!b?.path || b.status !== 'ok') {
        notices.push(`${plan.name} ${m.target}: not compared, the base could not be optimized for it (${'none' in theirs ? theirs.none : (b?.reason ?? 'not made')})`);
        continue;
      }
      const label = `${plan.name} ${m.target}`;
      const { doc } = await compared(`Compare ${label} with the base's ${m.target}`, b.path, m.file, label, m.target);
      if (slowerFails(config, doc)) failures.push(`${label}: slower than the base's ${m.target}`);
    }
  }

  // One check per model: its results, its comparison and its budgets (and those naming no model).
  mkdirSync(join(out, 'check'), { recursive: true });
  const checks: Array<{ file: string; doc: CheckDocument }> = [];
  await rep.group('Check budgets', async () => {
    const groups = plans.map((p) => ({ name: p.name, results: resultsOf.get(p.name) ?? [], compare: compareOf.get(p.name), noCompare: noCompareOf.get(p.name) }));
    if (!config.budgets.length) notices.push(`${opts.config}: no budgets, nothing was judged; add budgets: to gate on the measurements`);
    for (const g of config.budgets.length ? groups : []) {
      const { doc, notices: n } = runCheck({
        config: opts.config, results: g.results, model: g.name, ...(g.compare ? { compare: g.compare } : {}), ...(g.noCompare ? { noCompare: g.noCompare } : {}),
      });
      const file = join(out, 'check', `${slug(g.name)}.json`);
      writeCheck(file, doc);
      checks.push({ file, doc });
      files.check.push(file);
      notices.push(...n);
      rep.info(`budgets (${g.name}): ${doc.verdict}`);
    }
  });
  for (const c of checks) {
    const rows = c.doc.checks.filter((row) => row.outcome === 'failure');
    for (const row of rows) failures.push(`${row.subject}: ${row.key} ${row.status}`);
    if (c.doc.verdict === 'fail' && !rows.length) failures.push(`compare: ${c.doc.compare?.verdict ?? 'slower'} than the base`);
  }

  const report = buildReport({ ...readReportInputs({ results: files.results, compare: files.compare, check: files.check }), notMade });
  const reportFile = join(out, 'report.md');
  writeFileAtomic(reportFile, reportMarkdown(report));
  const rows = summaryRows(report);
  const verdict: ReportStatus = failures.length ? 'fail' : report.status;
  const summaryFile = join(out, 'summary.json');
  writeFileAtomic(summaryFile, `${JSON.stringify({ schema: { name: 'edgeml-run', version: 1 }, config: opts.config, verdict, failures, notices, rows, files }, null, 2)}\n`);
  return { verdict, failures, out, report: reportFile, summary: summaryFile, files, rows, notices };
}

/** Exit status of a finished run: 1 when something failed (after everything was written). */
export function throwOnFailure(o: RunOutcome): void {
  if (o.failures.length) throw new CheckFailure(`${o.failures.length} ${o.failures.length === 1 ? 'failure' : 'failures'}: ${o.failures.slice(0, 3).join('; ')}${o.failures.length > 3 ? '; ...' : ''} (see ${basename(o.report)})`);
}
