// `edgeml run` and the all-in-one action: for every model of edgeml.yml, optimize its targets,
// benchmark the source and each artifact, compare the source with the base model (and, with
// compare.artifacts, each target's artifact with the base's), evaluate on the datasets, inspect
// operator compatibility, check the budgets and write the report. Thin: each step is the core
// function the single-purpose command calls. Documents pass between the steps in memory, one
// record per model; each is written once, as an output.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkDocuments, isCompatKey, slowerFails, writeCheck, type CheckDocument } from '../budgets/index.js';
import { writeCompat, writeInspect, type InspectFailure, type InspectOutcome } from '../compat/index.js';
import { writeCompare, type CompareResults } from '../compare/index.js';
import { loadConfig, type EdgemlConfig } from '../config/index.js';
import { CheckFailure } from '../errors.js';
import { refusedByValidation } from '../optimize/index.js';
import { rejectLfsPointerFile } from '../model/index.js';
import { buildReport, checkView, compareView, reportMarkdown, reportSections, type ReportInputs, type ReportStatus } from '../report/index.js';
import { writeResults, type BenchResults } from '../results/index.js';
import { writeFileAtomic } from '../documents/index.js';
import { baseModelFile, checkBase, readBaseModel, type BaseModel } from './base.js';
import { inspectFile, inspectPlan, toolLogsOf, type InspectPlan } from './inspect.js';
import { planModels, type ModelPlan } from './plan.js';
import { baseArtifacts, compareFiles, evalSets, evaluateOn, measure, optimizeModel, slug, type EvalSets } from './steps.js';
import { summaryRows } from './summary.js';
import type { RunDeps, RunOptions, RunOutcome, RunReporter } from './types.js';

export { summaryTable, type SummaryRow } from './summary.js';
export { fileValues, modelAt, withFileValues, type FileValues } from './plan.js';
export { knownRuntimes, parseInspectSetting } from './inspect.js';
export type { RunDeps, RunOptions, RunOutcome, RunReporter } from './types.js';

type Written<T> = { file: string; doc: T };
type NotMade = { model: string; target: string; reason: string; optional: boolean };

/** One model through the run: its plan and every document made for it, in memory. */
interface ModelRun {
  plan: ModelPlan;
  base: BaseModel;
  sets: EvalSets;
  inspectPlan: InspectPlan;
  /** The source first, then each artifact made. */
  results: Array<Written<BenchResults> & { target?: string; model: string }>;
  /** The source's comparison with the base (absent: `noCompare` says why), then the artifacts'. */
  compare?: Written<CompareResults>;
  artifactCompares: Array<Written<CompareResults>>;
  noCompare?: string;
  notMade: NotMade[];
  inspect?: Written<InspectOutcome>;
  baseInspect?: InspectOutcome;
  /** Why the base's model, which exists, is not compared (it could not be inspected). */
  baseNote?: string;
  inspectFailed: InspectFailure[];
  /** compat/<model>.json: what the report shows of the inspection, for a report made from the files. */
  compatFile?: string;
  check?: Written<CheckDocument>;
}

/** Everything checked before any work: settings, the base, every model and its base (LFS pointers), the datasets. */
async function prepare(config: EdgemlConfig, opts: RunOptions, notices: string[]): Promise<ModelRun[]> {
  const configDir = dirname(resolve(opts.config));
  // Every model's settings parsed once, here: a bad one fails before any work.
  const plans = planModels(config, { ...(opts.deviceLabel ? { deviceLabel: opts.deviceLabel } : {}), out: opts.out });
  const inspectPlans = plans.map((p) => inspectPlan(config, p.name, opts.inspect));
  checkBase(opts.base, configDir);
  // Every model and its base is read before anything is written or measured: an LFS pointer
  // fails here, not after minutes of benchmarks.
  const bases = plans.map((plan) => {
    if (existsSync(plan.path)) rejectLfsPointerFile(plan.path);
    return readBaseModel(opts.base, configDir, plan.path);
  });
  const setsOf = await evalSets(config, plans, notices);
  return plans.map((plan, i) => ({
    plan, base: bases[i], sets: setsOf.get(plan.name) ?? [], inspectPlan: inspectPlans[i],
    results: [], artifactCompares: [], notMade: [], inspectFailed: [...inspectPlans[i].failed],
  }));
}

/** Optimize, benchmark and evaluate one model and its artifacts; the results written to results/. */
async function measureModel(config: EdgemlConfig, m: ModelRun, out: string, rep: RunReporter, failures: string[], notices: string[]): Promise<void> {
  const { plan } = m;
  const measured: Array<{ target?: string; file: string }> = [{ file: plan.path }];
  if (plan.optimize) {
    const dir = join(out, 'artifacts', slug(plan.name));
    const manifest = await optimizeModel(plan, plan.path, dir, `Optimize ${plan.name}: ${plan.optimize.targets.join(', ')}`, rep);
    for (const a of manifest.artifacts) {
      if (a.status === 'ok' && a.path) {
        measured.push({ target: a.target, file: a.path });
        continue;
      }
      // A configured target that could not be made fails the run, unless the config marks it
      // optional; one refused by validation (fidelity, size) fails whatever the config says.
      const optional = config.optionalTargets.includes(a.target) && !refusedByValidation(a);
      m.notMade.push({ model: plan.name, target: a.target, reason: a.reason ?? 'not made', optional });
      if (optional) notices.push(`${plan.name} ${a.target}: not made (${a.reason}); optional, so the run goes on`);
      else failures.push(`${plan.name} ${a.target}: not made (${a.reason})`);
    }
  }
  for (const x of measured) {
    const label = `${plan.name} ${x.target ?? 'source'}`;
    const doc = await rep.group(`Benchmark ${label}`, () => measure(plan, x.file, label, rep));
    doc.model.name = plan.name;
    if (x.target) doc.target = x.target;
    const sets = m.sets.filter(([, d]) => d.labels || x.target);
    if (sets.length) await rep.group(`Evaluate ${label}`, () => evaluateOn(config, sets, x.file, x.target ? plan.path : undefined, doc));
    const file = join(out, 'results', `${slug(plan.name)}-${x.target ?? 'source'}.json`);
    writeResults(file, doc);
    m.results.push({ file, doc, model: x.file, ...(x.target ? { target: x.target } : {}) });
  }
}

/** The model against its base: the source, and with compare.artifacts each target's artifact. */
async function compareModel(config: EdgemlConfig, m: ModelRun, baseFile: string, out: string, rep: RunReporter, failures: string[], notices: string[]): Promise<void> {
  const { plan } = m;
  const compared = async (title: string, baseModel: string, headModel: string, label: string, target?: string): Promise<Written<CompareResults>> => {
    const doc = await rep.group(title, () => compareFiles(plan, baseModel, headModel, label, rep));
    doc.head.model.name = plan.name;
    doc.base.model.name = `${plan.name} (base)`;
    if (target) doc.target = target;
    mkdirSync(join(out, 'compare'), { recursive: true });
    // Named like the results: compare/<model>.json for the source, compare/<model>-<target>.json per target.
    const file = join(out, 'compare', `${slug(plan.name)}${target ? `-${target}` : ''}.json`);
    writeCompare(file, doc);
    return { file, doc };
  };
  m.compare = await compared(`Compare ${plan.name} with the base`, baseFile, plan.path, plan.name);
  const made = m.results.filter((r): r is typeof r & { target: string } => r.target !== undefined);
  if (!config.compareArtifacts || !plan.optimize || !made.length) return;
  const theirs = await baseArtifacts(plan, baseFile, join(out, 'base', slug(plan.name), 'artifacts'), rep);
  for (const r of made) {
    const b = 'none' in theirs ? undefined : theirs.get(r.target);
    if (!b?.path || b.status !== 'ok') {
      notices.push(`${plan.name} ${r.target}: not compared, the base could not be optimized for it (${'none' in theirs ? theirs.none : (b?.reason ?? 'not made')})`);
      continue;
    }
    const label = `${plan.name} ${r.target}`;
    const c = await compared(`Compare ${label} with the base's ${r.target}`, b.path, r.model, label, r.target);
    m.artifactCompares.push(c);
    if (slowerFails(config, c.doc)) failures.push(`${label}: slower than the base's ${r.target}`);
  }
}

/**
 * The model (and its base, when there is one) inspected for its runtimes, the document written to
 * inspect/. A runtime that cannot be inspected fails the run unless inspect: marks it optional;
 * one only a budget names fails through that budget's `not judged` row.
 */
async function inspectModel(m: ModelRun, baseFile: string | undefined, out: string, rep: RunReporter, failures: string[], notices: string[]): Promise<void> {
  const { plan, inspectPlan: ip } = m;
  if (ip.targets.length) {
    await rep.group(`Inspect ${plan.name}: ${ip.targets.join(', ')}`, async () => {
      const head = await inspectFile(plan, plan.path, ip.targets, toolLogsOf(plan, join(out, 'artifacts', slug(plan.name)), out));
      if ('failed' in head) {
        m.inspectFailed.push(...ip.targets.map((target) => ({ model: plan.name, target, reason: head.failed })));
        return;
      }
      mkdirSync(join(out, 'inspect'), { recursive: true });
      const file = join(out, 'inspect', `${slug(plan.name)}.json`);
      writeInspect(file, head.doc);
      m.inspect = { file, doc: head.doc };
      for (const t of head.doc.targets) {
        rep.info(t.verdict);
        // The vendor's tool said otherwise: shown (in the log, the notices and under the report's table), never hidden.
        if (t.vendor?.agrees === false) notices.push(`${plan.name} ${t.target}: ${t.vendor.tool} disagrees with the static check: ${t.vendor.summary} (${t.vendor.log})`);
        else if (t.vendor) rep.info(`${t.target}: ${t.vendor.tool} ${t.vendor.agrees ? 'agrees' : 'gives no verdict'}: ${t.vendor.summary}`);
      }
      if (!baseFile) return;
      const base = await inspectFile(plan, baseFile, ip.targets);
      if ('failed' in base) {
        m.baseNote = `the base model could not be inspected (${base.failed})`;
        notices.push(`${plan.name}: ${m.baseNote}; compatibility not compared with the base`);
        return;
      }
      // Beside the base model: inspect/ holds this PR's documents only.
      mkdirSync(join(out, 'base', slug(plan.name)), { recursive: true });
      writeInspect(join(out, 'base', slug(plan.name), 'inspect.json'), base.doc);
      m.baseInspect = base.doc;
    });
  }
  for (const f of m.inspectFailed) {
    if (ip.fromBudgets.includes(f.target) || !ip.targets.includes(f.target)) continue;
    const line = `${plan.name} ${f.target}: not inspected (${f.reason})`;
    if (ip.optional.includes(f.target)) notices.push(`${line}; optional, so the run goes on`);
    else {
      failures.push(line);
      f.fails = true;
    }
  }
  if (!m.inspect && !m.inspectFailed.length) return;
  mkdirSync(join(out, 'compat'), { recursive: true });
  m.compatFile = join(out, 'compat', `${slug(plan.name)}.json`);
  writeCompat(m.compatFile, {
    schema: 'edgeml-compat/1', model: plan.name, runtimes: [...ip.targets, ...m.inspectFailed.map((f) => f.target).filter((t) => !ip.targets.includes(t))],
    head: m.inspect?.doc ?? null, base: m.baseInspect ?? null, ...(m.baseNote ? { baseNote: m.baseNote } : {}), notInspected: m.inspectFailed,
  });
}

/** One check per model: its results, its comparison, its inspection and its budgets (and those naming no model). */
function checkModels(config: EdgemlConfig, configFile: string, models: ModelRun[], out: string, rep: RunReporter, failures: string[], notices: string[]): void {
  if (!config.budgets.length) {
    notices.push(`${configFile}: no budgets, nothing was judged; add budgets: to gate on the measurements`);
    return;
  }
  mkdirSync(join(out, 'check'), { recursive: true });
  for (const m of models) {
    const { doc, notices: n } = checkDocuments(config, configFile, {
      results: m.results, model: m.plan.name, ...(m.compare ? { compare: m.compare } : {}), ...(m.noCompare ? { noCompare: m.noCompare } : {}),
      ...(m.inspect ? { inspect: [m.inspect] } : {}), inspectFailed: m.inspectFailed,
    });
    // compat.* rows judged the source model's inspection: they belong on its row of the report.
    for (const row of doc.checks) if (isCompatKey(row.key) && row.target === undefined) row.target = 'source';
    const file = join(out, 'check', `${slug(m.plan.name)}.json`);
    writeCheck(file, doc);
    m.check = { file, doc };
    notices.push(...n);
    rep.info(`budgets (${m.plan.name}): ${doc.verdict}`);
    const rows = doc.checks.filter((row) => row.outcome === 'failure');
    for (const row of rows) failures.push(`${row.subject}: ${row.key} ${row.status}`);
    if (doc.verdict === 'fail' && !rows.length) failures.push(`compare: ${doc.compare?.verdict ?? 'slower'} than the base`);
  }
}

/** The report's inputs, from the documents in memory (the same views `edgeml report` makes of the files). */
function reportInputs(models: ModelRun[]): ReportInputs {
  return {
    results: models.flatMap((m) => m.results.map(({ file, doc }) => ({ file, doc }))),
    compare: models.flatMap((m) => [...(m.compare ? [m.compare] : []), ...m.artifactCompares].map(({ file, doc }) => ({ file, doc: compareView(doc) }))),
    check: models.flatMap((m) => (m.check ? [{ file: m.check.file, doc: checkView(m.check.doc) }] : [])),
    notMade: models.flatMap((m) => m.notMade),
    compat: models
      .filter((m) => m.inspect || m.inspectFailed.length)
      .map((m) => ({
        model: m.plan.name, ...(m.inspect ? { head: m.inspect.doc } : {}), ...(m.baseInspect ? { base: m.baseInspect } : {}), ...(m.baseNote ? { baseNote: m.baseNote } : {}), failed: m.inspectFailed,
      })),
  };
}

export async function runAll(opts: RunOptions, rep: RunReporter, deps: RunDeps = {}): Promise<RunOutcome> {
  const config = (deps.loadConfig ?? loadConfig)(opts.config);
  const notices: string[] = [];
  const failures: string[] = [];
  const models = await prepare(config, opts, notices);
  const out = resolve(opts.out);
  for (const sub of ['artifacts', 'base', 'results', 'compare', 'check', 'inspect', 'compat']) rmSync(join(out, sub), { recursive: true, force: true });
  mkdirSync(join(out, 'results'), { recursive: true });

  for (const m of models) {
    await measureModel(config, m, out, rep, failures, notices);
    const base = baseModelFile(m.base, join(out, 'base', slug(m.plan.name)));
    if ('none' in base) {
      m.noCompare = opts.base ? `${m.plan.name} has no base version: ${base.none}` : 'no base given: give --base-ref (a commit) or --base-model (a folder) to compare with';
      if (opts.base) notices.push(`${m.plan.name}: not compared, ${base.none}`);
    } else {
      await compareModel(config, m, base.file, out, rep, failures, notices);
    }
    await inspectModel(m, 'none' in base ? undefined : base.file, out, rep, failures, notices);
  }
  await rep.group('Check budgets', async () => checkModels(config, opts.config, models, out, rep, failures, notices));

  const report = buildReport(reportInputs(models));
  const sections = reportSections(report);
  const markdown = reportMarkdown(report);
  const reportFile = join(out, 'report.md');
  writeFileAtomic(reportFile, markdown);
  const rows = summaryRows(report);
  const verdict: ReportStatus = failures.length ? 'fail' : report.status;
  const files: RunOutcome['files'] = {
    results: models.flatMap((m) => m.results.map((r) => r.file)),
    compare: models.flatMap((m) => [...(m.compare ? [m.compare.file] : []), ...m.artifactCompares.map((c) => c.file)]),
    check: models.flatMap((m) => (m.check ? [m.check.file] : [])),
    manifests: models.filter((m) => m.plan.optimize).map((m) => join(out, 'artifacts', slug(m.plan.name), 'manifest.json')),
    inspect: models.flatMap((m) => (m.inspect ? [m.inspect.file] : [])),
    compat: models.flatMap((m) => (m.compatFile ? [m.compatFile] : [])),
  };
  const summaryFile = join(out, 'summary.json');
  writeFileAtomic(summaryFile, `${JSON.stringify({ schema: { name: 'edgeml-run', version: 1 }, config: opts.config, verdict, failures, notices, rows, files }, null, 2)}\n`);
  return { verdict, failures, out, report: reportFile, rendered: { markdown, sections, budgets: report.budgets }, summary: summaryFile, files, rows, notices };
}

/** Exit status of a finished run: 1 when something failed (after everything was written). */
export function throwOnFailure(o: RunOutcome): void {
  if (o.failures.length) throw new CheckFailure(`${o.failures.length} ${o.failures.length === 1 ? 'failure' : 'failures'}: ${o.failures.slice(0, 3).join('; ')}${o.failures.length > 3 ? '; ...' : ''} (see ${basename(o.report)})`);
}
