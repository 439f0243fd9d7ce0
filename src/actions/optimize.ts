// The `optimize` action: inputs -> the same options as `edgeml optimize` -> artifacts, manifest,
// outputs, job summary, uploaded workflow artifact.
import { basename, join } from 'node:path';
import { CheckFailure, UserError } from '../errors.js';
import {
  actionsLogger as log, getInput, getInputOr, getListInput, getBoolInput, runAction, setOutput, uploadArtifact, writeSummary,
} from '../github/index.js';
import { optimize, optimizeOptionsFromFlags, prepareOutDir, relativizeManifest, writeManifest } from '../optimize/index.js';
import { escapeMarkdown, manifestMarkdown } from '../report/index.js';

/** Artifact names allow no quotes, colons, slashes and the like (as in the benchmark action). */
function artifactSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
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
    dim: getListInput('dim'),
    // Set by the composite step that restores it from the Actions cache (keyed by model and data).
    calibrationCache: getInput('calibration-cache') || undefined,
  });
  const out = prepareOutDir(opts.out);
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
  await writeSummary(`### edgeml optimize\n\n${manifestMarkdown(doc, escapeMarkdown)}\n`);
  if (getBoolInput('upload', true)) {
    const name = getInputOr('artifact-name', `edgeml-artifacts-${basename(model).replace(/\.onnx$/i, '')}`);
    await uploadArtifact(artifactSafe(name), [manifestFile, ...ok.map((a) => a.path!)], out, log);
  }
  if (!failed.length) return;
  const summary = failed.map((a) => (a.reason?.startsWith(a.target) ? a.reason : `${a.target}: ${a.reason}`)).join('; ');
  if (failed.some((a) => a.failure !== 'fidelity')) throw new UserError(summary);
  throw new CheckFailure(summary);
}

void runAction(main);
