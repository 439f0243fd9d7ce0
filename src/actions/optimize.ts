// The `optimize` action: inputs -> the same options as `edgeml optimize` -> artifacts, manifest,
// outputs, job summary, uploaded workflow artifact.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { UserError } from '../errors.js';
import { evaluate, parseInputFlags, parseMetrics } from '../eval/index.js';
import { actionsLogger as log, batchLines, getInput, readInputs, runAction, setOutput, uploadArtifact, writeSummary } from '../github/index.js';
import { OPTIMIZE_SETTINGS, optimizeOptions, runOptimize, type OptimizeValues } from '../optimize/index.js';
import { asInput } from '../settings/index.js';
import { safeName } from '../names/index.js';
import { accuracyMarkdown, escapeMarkdown, manifestMarkdown } from '../report/index.js';

interface EvalPlan {
  inputs: Record<string, string>;
  labels: string;
  metrics: ReturnType<typeof parseMetrics>;
}

/** The eval-* inputs, checked before the optimization runs (null without eval-labels). */
function evalPlan(v: OptimizeValues): EvalPlan | null {
  const labels = v.evalLabels;
  if (!labels) return null;
  if (!existsSync(labels)) throw new UserError(`input 'eval-labels': ${labels} does not exist; give the .npy file of labels`);
  const inputs = parseInputFlags(v.evalInputs);
  if (!Object.keys(inputs).length) throw new UserError("input 'eval-inputs' is required with 'eval-labels': the samples, e.g. pixels=test_x.npy");
  for (const f of Object.values(inputs)) if (!existsSync(f)) throw new UserError(`input 'eval-inputs': ${f} does not exist; give .npy files of samples`);
  return { inputs, labels, metrics: parseMetrics(v.evalMetric) };
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
  const v = readInputs(OPTIMIZE_SETTINGS);
  // Set by the composite step that restores it from the Actions cache (keyed by model and data).
  const opts = optimizeOptions({ ...v, calibrationCache: getInput('calibration-cache') || undefined }, asInput);
  const plan = evalPlan(v);
  const r = await log.group(`Optimize ${basename(opts.model)} for ${opts.targets.join(', ')}`, () =>
    runOptimize(opts, { onTarget: (target, phase, rec) => log.info(phase === 'start' ? `${target}...` : `${target}: ${rec?.status}${rec?.reason ? ` (${rec.reason})` : ''}`) }),
  );
  setOutput('manifest', r.manifestFile);
  setOutput('artifacts', r.ok.map((a) => a.path!).join('\n'));
  setOutput('failed', r.failed.map((a) => a.target).join(','));
  const accuracy = plan ? await evaluateAll(plan, [{ target: 'source', path: opts.model }, ...r.ok.map((a) => ({ target: a.target, path: a.path! }))]) : '';
  await writeSummary(`### edgeml optimize\n\n${manifestMarkdown(r.doc, escapeMarkdown)}\n${accuracy}`);
  if (v.upload) {
    const name = v.artifactName || `edgeml-artifacts-${basename(opts.model).replace(/\.onnx$/i, '')}`;
    await uploadArtifact(safeName(name, 'model'), [r.manifestFile, ...r.ok.map((a) => a.path!)], dirname(r.manifestFile), log);
  }
  if (r.failure) throw r.failure;
}

void runAction(main);
