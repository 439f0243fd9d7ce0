// `edgeml bench`: flags, typed (over edgeml.yml's with --config) -> BenchOptions -> runBenchmark
// -> table on stdout, document to --json.
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { BENCH_SETTINGS, benchOptions, runBenchmark, type MeasureValues } from '../bench/index.js';
import { loadConfig } from '../config/index.js';
import { FLAG_NAMES, UserError, type SettingNames } from '../errors.js';
import { benchMarkdown, escapePlain } from '../report/index.js';
import { writeResults } from '../results/index.js';
import { checkOutputPath } from '../documents/index.js';
import { fileValues, modelAt, withFileValues } from '../run/index.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { terminalProgress } from './progress.js';
import { addSettings } from './settings.js';

/**
 * With --config, the typed flags over edgeml.yml's settings for `command` (the one mapping `edgeml
 * run` uses): a flag typed on the command line wins over the file, the file over the defaults. The
 * config's model whose path is `model` gives its input, dim and data. Without --config, the flags
 * as they are: ./edgeml.yml is not read unasked, so a command line means the same in every folder.
 * `note` says which it was, for stderr after the work (an error stays the only line).
 */
export function configuredValues<T extends MeasureValues & { config?: string }>(
  cmd: Command, values: T, command: 'bench' | 'compare', model: string,
): { values: T; names: SettingNames; note?: string } {
  if (!values.config) {
    const note = existsSync('edgeml.yml') ? 'note: ./edgeml.yml is not read without --config edgeml.yml; measured with the flags and their defaults' : undefined;
    return { values, names: FLAG_NAMES, ...(note ? { note } : {}) };
  }
  const config = loadConfig(values.config);
  const entry = modelAt(config, model);
  const sections = [command === 'compare' ? 'benchmark: for what is measured, compare:' : 'benchmark:', ...(entry ? [`models.${entry.name}`] : [])];
  return {
    ...withFileValues(values, (property) => cmd.getOptionValueSource(property) === 'cli', fileValues(config, command, entry)),
    note: `measured with the settings of ${values.config} (${sections.join(', ')}) and the flags given here over them`,
  };
}

export function benchCommand(): Command {
  const cmd = new Command('bench')
    .description('measure a model: load time, first run, latency percentiles with intervals, throughput, peak memory')
    .argument('[model]', 'the .onnx or .ort file');
  addSettings(cmd, BENCH_SETTINGS);
  cmd.action(async (arg: string | undefined, given: Record<string, RawValue>) => {
    const model = (given.model as string | undefined) ?? arg;
    if (!model) throw new UserError(`no model given: edgeml bench ${given.config ? `--config ${given.config} ` : ''}path/to/model.onnx`);
    // The flags' text parsed once, by the table; with --config, the file's typed values under them.
    const typed = parseSettings(BENCH_SETTINGS, given, asFlag);
    const { values: flags, names, note } = configuredValues(cmd, typed, 'bench', model);
    const opts = benchOptions(model, flags, names);
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
