// The `benchmark` action: inputs -> the same options as `edgeml bench` -> results, outputs, summary.
import { mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { BENCH_SETTINGS, benchOptions, deviceLabel, runBenchmark } from '../bench/index.js';
import { INPUT_NAMES, UserError } from '../errors.js';
import { actionsLogger as log, readInputs, runAction, setOutput, uploadArtifact, writeSummary } from '../github/index.js';
import { safeName } from '../names/index.js';
import { benchMarkdown } from '../report/index.js';
import { writeResults } from '../results/index.js';
import { checkOutputPath } from '../documents/index.js';

async function main(): Promise<void> {
  // The inputs parsed once, by the table `edgeml bench`'s flags come from.
  const v = readInputs(BENCH_SETTINGS);
  if (!v.model) throw new UserError("input 'model' is required: the path of the .onnx or .ort file to benchmark");
  const model = v.model;
  const opts = benchOptions(model, { ...v, deviceLabel: deviceLabel(v.deviceLabel) }, INPUT_NAMES);
  if (v.runnerLabels.length) opts.runnerLabels = v.runnerLabels;
  const label = safeName(deviceLabel(opts.deviceLabel), 'device');
  const resultsPath = resolve(v.json || `edgeml-results/${label}/${basename(model).replace(/\.(onnx|ort|engine|plan|trt|xml|tflite)$/i, '')}.json`);
  mkdirSync(dirname(resultsPath), { recursive: true });
  checkOutputPath(resultsPath, "input 'json'");

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
  const peakMib = results.memory.peakRssBytes === null ? '' : (results.memory.peakRssBytes / 2 ** 20).toFixed(1);
  setOutput('peak-memory-mib', peakMib);
  // Deprecated (in MiB despite its name): kept until 0.3.0 for workflows that read it.
  setOutput('peak-memory-mb', peakMib);
  setOutput('throughput', out(results.throughputPerSec));
  await writeSummary(`### edgeml benchmark\n\n${benchMarkdown(results)}\n`);

  if (v.upload) {
    const name = v.artifactName || `edgeml-results-${label}-${basename(resultsPath, '.json')}`;
    await uploadArtifact(safeName(name, 'device'), [resultsPath], dirname(resultsPath), log);
  }
}

void runAction(main);
