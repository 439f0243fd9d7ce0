// `edgeml run`: everything edgeml.yml asks for (optimize, benchmark, compare with the base,
// evaluate, check, report) into one results folder, then a summary table.
// Exit 0 pass, 1 a budget failed (or an artifact fell below its fidelity floor), 2 bad input.
import { relative } from 'node:path';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { parseInspectSetting, runAll, summaryTable, throwOnFailure, type RunReporter } from '../run/index.js';
import { terminalProgress } from './progress.js';

/** Headings on stderr (stdout keeps the table); a bar while a measurement runs on a terminal. */
export const terminalReporter: RunReporter = {
  async group(name, fn) {
    process.stderr.write(`\n== ${name}\n`);
    return fn();
  },
  info: (m) => process.stderr.write(`   ${m}\n`),
  warning: (m) => process.stderr.write(`   warning: ${m}\n`),
  measuring: (_label, totalMs, minIterations) => terminalProgress(totalMs, minIterations),
};

export function runCommand(): Command {
  return new Command('run')
    .description('do everything edgeml.yml asks: optimize, benchmark, compare with the base, evaluate, check budgets, report')
    .option('--config <file>', 'the config file', 'edgeml.yml')
    .option('--base-ref <ref>', 'compare each model with its version in this git commit (a pull request base)')
    .option('--base-model <dir>', 'compare each model with the file at the same path under this folder')
    .option('--out <dir>', 'the results folder', 'edgeml-results')
    .option('--device-label <label>', 'name of this device in reports (default: EDGEML_DEVICE_LABEL, else the runner name in a workflow, else os-arch)')
    .option('--inspect <runtimes>', "operator compatibility runtimes instead of edgeml.yml's inspect: (nnapi,coreml,...), or false for none")
    .option('--json <file>', 'also copy the run summary (verdict, rows, files) here')
    .action(async (flags: { config: string; baseRef?: string; baseModel?: string; out: string; deviceLabel?: string; inspect?: string; json?: string }) => {
      if (flags.baseRef && flags.baseModel) throw new UserError('--base-ref and --base-model both given; give one: a git commit or a folder');
      const base = flags.baseRef ? { ref: flags.baseRef } : flags.baseModel ? { dir: flags.baseModel } : undefined;
      const inspect = flags.inspect === undefined ? undefined : parseInspectSetting(flags.inspect, '--inspect');
      if (flags.inspect !== undefined && !inspect) throw new UserError("--inspect: give runtimes (--inspect nnapi,coreml) or false; leave it out to use edgeml.yml's inspect:");
      const outcome = await runAll({ config: flags.config, base, out: flags.out, ...(flags.deviceLabel ? { deviceLabel: flags.deviceLabel } : {}), ...(inspect ? { inspect } : {}) }, terminalReporter);
      for (const n of outcome.notices) process.stderr.write(`note: ${n}\n`);
      process.stdout.write(`\n${summaryTable(outcome.rows, outcome.verdict)}\n`);
      process.stdout.write(`report: ${relative(process.cwd(), outcome.report)}, results: ${relative(process.cwd(), outcome.out) || '.'}\n`);
      if (flags.json) {
        const { copyFileSync } = await import('node:fs');
        copyFileSync(outcome.summary, flags.json);
      }
      throwOnFailure(outcome);
    });
}
