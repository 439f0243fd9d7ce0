// `edgeml bench`: flags (over edgeml.yml's settings with --config) -> BenchOptions -> runBenchmark
// -> table on stdout, document to --json.
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { BENCH_SETTINGS, benchOptionsFromFlags, runBenchmark, type BenchFlags } from '../bench/index.js';
import { loadConfig } from '../config/index.js';
import { FLAG_NAMES, UserError } from '../errors.js';
import { benchMarkdown, escapePlain } from '../report/index.js';
import { writeResults } from '../results/index.js';
import { checkOutputPath } from '../documents/index.js';
import { fileSettings, modelAt, withFileSettings, type Configured } from '../run/index.js';
import { terminalProgress } from './progress.js';
import { addSettings } from './settings.js';

/**
 * With --config, the flags over edgeml.yml's settings for `command` (the one mapping `edgeml run`
 * uses): a flag typed on the command line wins over the file, the file over the defaults. The
 * config's model whose path is `model` gives its input, dim and data. Without --config, the flags
 * as they are: ./edgeml.yml is not read unasked, so a command line means the same in every folder.
 * `note` says which it was, for stderr after the work (an error stays the only line).
 */
export function configuredFlags<T extends BenchFlags & { config?: string }>(
  cmd: Command, flags: T, command: 'bench' | 'compare', model: string,
): Configured<T> & { note?: string } {
  if (!flags.config) {
    const note = existsSync('edgeml.yml') ? 'note: ./edgeml.yml is not read without --config edgeml.yml; measured with the flags and their defaults' : undefined;
    return { flags, names: FLAG_NAMES, ...(note ? { note } : {}) };
  }
  const config = loadConfig(flags.config);
  const entry = modelAt(config, model);
  const sections = [command === 'compare' ? 'benchmark: for what is measured, compare:' : 'benchmark:', ...(entry ? [`models.${entry.name}`] : [])];
  return {
    ...withFileSettings(flags, (property) => cmd.getOptionValueSource(property) === 'cli', fileSettings(config, command, entry)),
    note: `measured with the settings of ${flags.config} (${sections.join(', ')}) and the flags given here over them`,
  };
}

export function benchCommand(): Command {
  const cmd = new Command('bench')
    .description('measure a model: load time, first run, latency percentiles with intervals, throughput, peak memory')
    .argument('[model]', 'the .onnx or .ort file');
  addSettings(cmd, BENCH_SETTINGS);
  cmd.action(async (arg: string | undefined, given: BenchFlags & { model?: string; config?: string; json?: string }) => {
    const model = given.model ?? arg;
    if (!model) throw new UserError(`no model given: edgeml bench ${given.config ? `--config ${given.config} ` : ''}path/to/model.onnx`);
    const { flags, names, note } = configuredFlags(cmd, given, 'bench', model);
    const opts = benchOptionsFromFlags(model, flags, names);
    if (flags.json) checkOutputPath(flags.json, '--json');
    const progress = terminalProgress(opts.minDurationMs, opts.minIterations);
    let results;
    try {
      results = await runBenchmark(opts, { onProgress: (p) => progress.update(p) });
    } finally {
      progress.stop();
    }
    process.stdout.write(`${benchMarkdown(results, escapePlain)}\n`);
    if (note) process.stderr.write(`${note}\n`);
    if (flags.json) {
      writeResults(flags.json, results);
      process.stderr.write(`results written to ${flags.json}\n`);
    }
  });
  return cmd;
}
