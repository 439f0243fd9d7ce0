// The `optimize` action: inputs -> the same options as `edgeml optimize` -> artifacts, manifest,
// outputs, job summary, uploaded workflow artifact.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CheckFailure, UserError } from '../errors.js';
import { evaluate, parseInputFlags, parseMetrics } from '../eval/index.js';
import {
  actionsLogger as log, batchLines, getInput, getInputOr, getListInput, getBoolInput, runAction, setOutput, uploadArtifact, writeSummary,
} from '../github/index.js';
import { checkOutDir, optimize, optimizeOptionsFromFlags, refusedByValidation, relativizeManifest, writeManifest } from '../optimize/index.js';
import { safeName } from '../names/index.js';
import { accuracyMarkdown, escapeMarkdown, manifestMarkdown } from '../report/index.js';

interface EvalPlan {
  inputs: Record<string, string>;
  labels: string;
  metrics: ReturnType<typeof parseMetrics>;
}

/** The eval-* inputs, checked before the optimization runs (null without eval-labels). */
function evalPlan(): EvalPlan | null {
  const labels = getInput('eval-labels');
  if (!labels) return null;
  if (!existsSync(labels)) throw new UserError(`input 'eval-labels': ${labels} does not exist; give the .npy file of labels`);
  const inputs = parseInputFlags(getListInput('eval-inputs'));
  if (!Object.keys(inputs).length) throw new UserError("input 'eval-inputs' is required with 'eval-labels': the samples, e.g. pixels=test_x.npy");
  for (const f of Object.values(inputs)) if (!existsSync(f)) throw new UserError(`input 'eval-inputs': ${f} does not exist; give .npy files of samples`);
  return { inputs, labels, metrics: parseMetrics(getListInput('eval-metric')) };
}

/** The source and every artifact made, scored on the same labelled data, a log group each. */
async function evaluateAll(plan: EvalPlan, models: Array<{ target: string; path: string }>): Promise<string> {
  const rows = [];
  for (const m of models) {
    const res = await log.group(`Evaluate ${m.target}: ${basename(m.path)}`, () =>
      evaluate({ model: m.path, inputs: plan.inputs, labels: plan.labels, metrics: plan.metrics, batchSize: 64 }, batchLines((line) => log.info(line))),
    );
    log.info(`${m.target}: ${Object.entries(res.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
    rows.push({ target: m.target, samples: res.samples, metrics: res.metrics as Record<string, number> });
  }
  setOutput('accuracy', JSON.stringify(Object.fromEntries(rows.map((r) => [r.target, r.metrics]))));
  return `\n${accuracyMarkdown(rows, escapeMarkdown)}\n`;
}

async function main(): Promise<void> {
  const model = getInput('model');
  if (!model) throw new UserError("input 'model' is required: the path of the .onnx model to optimize");
  const opts = optimizeOptionsFromFlags({
    model,
    target: getListInput('target').join(','),
    out: getInputOr('out', 'edgeml-artifacts'),
    calibration: getListInput('calibration'),
    calibrationMethod: getInputOr('calibration-method', 'minmax'),
    percentile: getInputOr('percentile', '99.999'),
    maxSamples: getInputOr('max-samples', '512'),
    excludeOp: getListInput('exclude-op'),
    excludeNode: getListInput('exclude-node'),
    fp16BlockOp: getListInput('fp16-block-op'),
    minCosine: getInputOr('min-cosine', '0.99'),
    minTop1Agreement: getInputOr('min-top1-agreement', '0.95'),
    absTolerance: getInputOr('abs-tolerance', '0.0001'),
    input: getListInput('input'),
    data: getListInput('data'),
    dim: getListInput('dim'),
    // Set by the composite step that restores it from the Actions cache (keyed by model and data).
    calibrationCache: getInput('calibration-cache') || undefined,
  });
  const plan = evalPlan();
  // Checked, not created: bad input leaves no folder behind (optimize makes it).
  const out = checkOutDir(opts.out);
  const manifestFile = join(out, 'manifest.json');
  const manifest = await log.group(`Optimize ${basename(model)} for ${opts.targets.join(', ')}`, () =>
    optimize(opts, { onTarget: (target, phase, rec) => log.info(phase === 'start' ? `${target}...` : `${target}: ${rec?.status}${rec?.reason ? ` (${rec.reason})` : ''}`) }),
  );
  const doc = relativizeManifest(manifest, manifestFile);
  writeManifest(manifestFile, doc);
  const ok = manifest.artifacts.filter((a) => a.status === 'ok');
  const failed = manifest.artifacts.filter((a) => a.status === 'failed');
  setOutput('manifest', manifestFile);
  setOutput('artifacts', ok.map((a) => a.path!).join('\n'));
  setOutput('failed', failed.map((a) => a.target).join(','));
  const accuracy = plan ? await evaluateAll(plan, [{ target: 'source', path: model }, ...ok.map((a) => ({ target: a.target, path: a.path! }))]) : '';
  await writeSummary(`### edgeml optimize\n\n${manifestMarkdown(doc, escapeMarkdown)}\n${accuracy}`);
  if (getBoolInput('upload', true)) {
    const name = getInputOr('artifact-name', `edgeml-artifacts-${basename(model).replace(/\.onnx$/i, '')}`);
    await uploadArtifact(safeName(name, 'model'), [manifestFile, ...ok.map((a) => a.path!)], out, log);
  }
  if (!failed.length) return;
  const summary = failed.map((a) => (a.reason?.startsWith(a.target) ? a.reason : `${a.target}: ${a.reason}`)).join('; ');
  if (failed.some((a) => !refusedByValidation(a))) throw new UserError(summary);
  throw new CheckFailure(summary);
}

void runAction(main);
