// `edgeml eval`: accuracy on labelled .npy data and fidelity to a reference model.
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { UserError } from '../errors.js';
// log.ts, not the area's index: the CLI bundle stays free of @actions/* (log.ts imports none).
import { groupedBatchLines, inWorkflow } from '../github/log.js';
import { evaluate, openResultsFor, parseInputFlags, parseMetrics, parsePreprocess, writeEvalInto, PREPROCESS_KEYS, type PreprocessText } from '../eval/index.js';
import { datasetFromConfig } from './eval-dataset.js';
import { checkOutputPath, writeFileAtomic } from '../documents/index.js';
import { EVAL_SETTINGS } from '../eval/settings.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { addSettings } from './settings.js';

/** A bar on a terminal; a log group with a line per tenth of the batches in a workflow; else nothing. */
function batchBar(title: string): { update(done: number, total: number): void; stop(): void } {
  if (inWorkflow()) return groupedBatchLines(title, (text) => process.stdout.write(text));
  if (!process.stderr.isTTY || process.env.CI) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: ' eval [{bar}] {value}/{total} batches', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function evalCommand(): Command {
  const cmd = new Command('eval').description('measure accuracy (top1, top5, mae, rmse) on labelled samples, and fidelity to a reference model');
  return addSettings(cmd, EVAL_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const flags = parseSettings(EVAL_SETTINGS, raw, asFlag);
    if (!flags.model) throw new UserError('--model: give the model to evaluate, e.g. edgeml eval --model m.onnx --inputs x.npy --labels y.npy --metric top1');
    const fromConfig = flags.dataset && flags.config ? datasetFromConfig(flags.config, flags.dataset) : undefined;
    // The preprocessing flags typed (a default is not a flag given: the config's key would win).
    const flagged = Object.fromEntries(PREPROCESS_KEYS.filter((k) => cmd.getOptionValueSource(k) === 'cli').map((k) => [k, flags[k]])) as PreprocessText;
    if (!flags.dataset && Object.keys(flagged).length) throw new UserError(`--${Object.keys(flagged)[0]}: preprocessing is for image datasets; give --dataset manifest.jsonl`);
    // A .npy dataset of --config gives the samples (and the labels, unless --labels did).
    const samples = fromConfig?.npy ? [fromConfig.npy] : flags.inputs;
    const labels = flags.labels ?? fromConfig?.labels;
    const manifest = fromConfig ? fromConfig.manifest : flags.dataset;
    if (manifest && samples.length) throw new UserError('--dataset and --inputs: give one of them, the images or the .npy samples');
    if (!manifest && !samples.length) throw new UserError('--inputs: give the samples, e.g. --inputs x.npy (or --dataset manifest.jsonl for images)');
    const metrics = parseMetrics(!flags.metric.length && fromConfig?.metrics ? fromConfig.metrics : flags.metric);
    // Flags win over the config's preprocessing, key by key.
    const images = manifest ? { manifest, preprocess: fromConfig ? parsePreprocess({ ...fromConfig.preprocess, ...flagged }, (k) => (k in flagged ? `--${k}` : `${flags.config}: datasets.${flags.dataset}.${k}`)) : parsePreprocess(flagged) } : undefined;
    const inputs = parseInputFlags(samples);
    if (flags.json) checkOutputPath(flags.json, '--json');
    const bench = flags.results ? await openResultsFor(flags.results, flags.model) : undefined;
    const bar = batchBar(`edgeml eval ${flags.model}`);
    let results;
    try {
      results = await evaluate(
        { model: flags.model, inputs, labels, images, metrics, reference: flags.reference, batchSize: flags.batchSize },
        (done, total) => bar.update(done, total),
      );
    } finally {
      bar.stop();
    }
    const lines = Object.entries(results.metrics).map(([k, v]) => `${k}: ${k.startsWith('top') ? `${(100 * v).toFixed(2)}%` : v.toPrecision(4)}`);
    if (results.fidelity) {
      const f = results.fidelity;
      // A NaN or an infinity leaves nothing measured: say where it was, not a cosine of 0.
      lines.push(f.nonFinite
        ? `fidelity vs ${flags.reference}: not measurable, ${f.nonFinite}`
        : `fidelity vs ${flags.reference}: cosine ${f.cosine.toFixed(5)}, max abs error ${f.maxAbsError.toPrecision(3)}${f.top1Agreement === null ? '' : `, top-1 agreement ${(100 * f.top1Agreement).toFixed(2)}%`}`);
    }
    process.stdout.write(`${flags.model} on ${results.samples} samples\n${lines.join('\n')}\n`);
    if (flags.json) {
      writeFileAtomic(flags.json, `${JSON.stringify(results, null, 2)}\n`);
      process.stderr.write(`results written to ${flags.json}\n`);
    }
    if (flags.results && bench) {
      writeEvalInto(flags.results, bench, results);
      process.stderr.write(`${[Object.keys(results.metrics).length ? 'accuracy' : '', results.fidelity ? 'fidelity' : ''].filter(Boolean).join(' and ')} merged into ${flags.results}\n`);
    }
  });
}
