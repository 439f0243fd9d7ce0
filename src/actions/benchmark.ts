// The `benchmark` action: inputs -> the same options as `edgeml bench` -> results, outputs, summary.
import { mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { BENCH_FLAG_DEFAULTS as D, benchOptionsFromFlags, deviceLabel, runBenchmark } from '../bench/index.js';
import { UserError } from '../errors.js';
import {
  actionsLogger as log, getBoolInput, getInput, getInputOr, getListInput, runAction, setOutput, uploadArtifact, writeSummary,
} from '../github/index.js';
import { safeName } from '../names/index.js';
import { benchMarkdown } from '../report/index.js';
import { writeResults } from '../results/index.js';
import { checkOutputPath } from '../documents/index.js';

async function main(): Promise<void> {
  const model = getInput('model');
  if (!model) throw new UserError("input 'model' is required: the path of the .onnx or .ort file to benchmark");
  const opts = benchOptionsFromFlags(model, {
    input: getListInput('input'),
    dim: getListInput('dim'),
    data: getListInput('data'),
    threads: getInputOr('threads', D.threads),
    ep: getInputOr('ep', D.ep),
    optLevel: getInputOr('opt-level', D.optLevel),
    scenario: getInputOr('scenario', D.scenario),
    ...(getInput('samples-per-query') ? { samplesPerQuery: getInput('samples-per-query') } : {}),
    warmup: getInputOr('warmup', D.warmup),
    minIterations: getInputOr('min-iterations', D.minIterations),
    maxIterations: getInputOr('max-iterations', D.maxIterations),
    minDuration: getInputOr('min-duration', D.minDuration),
    maxDuration: getInputOr('max-duration', D.maxDuration),
    seed: getInputOr('seed', D.seed),
    profile: getBoolInput('profile', false),
    samples: getBoolInput('samples', false),
    deviceLabel: deviceLabel(getInput('device-label')),
    runtime: getInputOr('runtime', 'onnxruntime'),
    toolPath: getInput('tool-path'),
    precision: getInput('precision'),
  });
  const runnerLabels = getListInput('runner-labels');
  if (runnerLabels.length) opts.runnerLabels = runnerLabels;
  const label = safeName(deviceLabel(opts.deviceLabel), 'device');
  const resultsPath = resolve(getInputOr('results', `edgeml-results/${label}/${basename(model).replace(/\.(onnx|ort|engine|plan|trt|xml|tflite)$/i, '')}.json`));
  mkdirSync(dirname(resultsPath), { recursive: true });
  checkOutputPath(resultsPath, "input 'results'");

  const results = await log.group(`Benchmark ${basename(model)} on ${label}`, async () => {
    let last = 0;
    return runBenchmark(opts, {
      onProgress: (p) => {
        if (p.phase === 'measure' && p.elapsedMs - last >= 5000) {
          last = p.elapsedMs;
          log.info(`${p.step}: ${p.done} queries, ${(p.elapsedMs / 1000).toFixed(0)} s`);
        }
      },
    });
  });
  writeResults(resultsPath, results);
  log.info(`results written to ${resultsPath}`);

  setOutput('results', resultsPath);
  // A figure the runtime's tool does not report is an empty output.
  const out = (v: number | null) => (v === null ? '' : v);
  setOutput('p50-ms', out(results.latencyMs.p50));
  setOutput('p90-ms', out(results.latencyMs.p90));
  setOutput('p99-ms', out(results.latencyMs.p99));
  setOutput('peak-memory-mb', results.memory.peakRssBytes === null ? '' : (results.memory.peakRssBytes / 2 ** 20).toFixed(1));
  setOutput('throughput', out(results.throughputPerSec));
  await writeSummary(`### edgeml benchmark\n\n${benchMarkdown(results)}\n`);

  if (getBoolInput('upload', true)) {
    const name = getInputOr('artifact-name', `edgeml-results-${label}-${basename(resultsPath, '.json')}`);
    await uploadArtifact(safeName(name, 'device'), [resultsPath], dirname(resultsPath), log);
  }
}

void runAction(main);
