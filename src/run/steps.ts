// The steps of `edgeml run` for one model: measure, compare with the base, optimize, evaluate.
// Each is the core function the single-purpose command calls, with the model's settings.
import { runBenchmark } from '../bench/index.js';
import { decidingRatio, runCompare, type CompareResults } from '../compare/index.js';
import type { EdgemlConfig } from '../config/index.js';
import { UserError, isUserError } from '../errors.js';
import { checkInputsFit, evaluate, mergeEval, parseMetrics } from '../eval/index.js';
import { optimize, relativizeManifest, writeManifest, type ArtifactRecord, type OptimizeManifest } from '../optimize/index.js';
import type { BenchResults } from '../results/index.js';
import { join } from 'node:path';
import { safeName } from '../names/index.js';
import { datasetsOf, fromConfig, type ModelPlan } from './plan.js';
import type { RunReporter } from './types.js';

export const slug = (s: string) => safeName(s, 'model');

export async function measure(plan: ModelPlan, model: string, label: string, rep: RunReporter, extra: { base?: boolean } = {}): Promise<BenchResults> {
  const opts = { ...plan.bench, model };
  const bar = rep.measuring?.(label, opts.minDurationMs, opts.minIterations);
  try {
    return await runBenchmark(opts, { onProgress: (p) => bar?.update(p) });
  } finally {
    bar?.stop();
    if (!extra.base) rep.info(`${label}: measured`);
  }
}

/** base vs head with the model's compare settings; `label` names it in progress lines. */
export async function compareFiles(plan: ModelPlan, baseFile: string, headFile: string, label: string, rep: RunReporter): Promise<CompareResults> {
  return runCompare(
    { ...plan.compare, base: baseFile, head: headFile, allowDifferentDevice: false },
    {
      onLook: (l) => rep.info(`compare ${label}: round ${l.rounds}, ${l.metric} head/base ${decidingRatio(l).estimate.toFixed(3)}: ${l.verdict}`),
      onDesign: (d) => rep.info(`compare ${label}: ${d.used} (${d.reason})`),
      onWarning: (m) => rep.warning(`compare ${label}: ${m}`),
    },
  );
}

/** `model` made into the plan's targets under `dir`, with the plan's settings and calibration data. */
export async function optimizeModel(plan: ModelPlan, model: string, dir: string, title: string, rep: RunReporter): Promise<OptimizeManifest> {
  const manifest = await rep.group(title, () =>
    optimize({ ...plan.optimize!, model, out: dir }, {
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
export async function baseArtifacts(plan: ModelPlan, baseFile: string, dir: string, rep: RunReporter): Promise<Map<string, ArtifactRecord> | { none: string }> {
  try {
    const manifest = await optimizeModel(plan, baseFile, dir, `Optimize ${plan.name} (base): ${(plan.optimize?.targets ?? []).join(', ')}`, rep);
    return new Map(manifest.artifacts.map((a) => [a.target, a]));
  } catch (e) {
    // The base not taking the head's settings (an input renamed by this PR, say) is not the head's error.
    if (isUserError(e)) return { none: e.message };
    throw e;
  }
}

export type EvalSets = Array<[string, EdgemlConfig['datasets'][string]]>;

/**
 * The datasets each model is evaluated on, checked before any work: those naming it under
 * `models:` must fit its inputs (else a UserError naming the dataset); those without `models:` are
 * kept where they fit, and say in `notices` where they do not.
 */
export async function evalSets(config: EdgemlConfig, plans: ModelPlan[], notices: string[]): Promise<Map<string, EvalSets>> {
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
export async function evaluateOn(config: EdgemlConfig, sets: EvalSets, model: string, reference: string | undefined, doc: BenchResults): Promise<void> {
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

