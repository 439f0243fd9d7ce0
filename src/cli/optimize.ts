// `edgeml optimize`: flags (OPTIMIZE_SETTINGS) -> runOptimize -> table on stdout, manifest to --json.
import { Command } from 'commander';
import { OPTIMIZE_SETTINGS, optimizeOptionsFromFlags, runOptimize, type OptimizeFlags } from '../optimize/index.js';
import { manifestMarkdown } from '../report/index.js';
import { addSettings } from './settings.js';

export function optimizeCommand(): Command {
  const cmd = new Command('optimize')
    .description('make one validated artifact per target runtime: ort-optimized, ort-format, fp16, int8-dynamic, int8-static');
  addSettings(cmd, OPTIMIZE_SETTINGS);
  cmd.action(async (flags: OptimizeFlags) => {
    const r = await runOptimize(optimizeOptionsFromFlags(flags), {
      ...(flags.json ? { manifestFile: flags.json } : {}),
      onTarget: (target, phase) => {
        if (phase === 'start') process.stderr.write(`optimize: ${target}...\n`);
      },
    });
    process.stdout.write(`${manifestMarkdown(r.doc)}\n`);
    process.stderr.write(`manifest written to ${r.manifestFile}\n`);
    if (r.failure) throw r.failure;
  });
  return cmd;
}
