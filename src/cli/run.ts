// `edgeml run`: everything edgeml.yml asks for (optimize, benchmark, compare with the base,
// evaluate, check, report) into one results folder, then a summary table.
// Exit 0 pass, 1 a budget failed (or an artifact fell below its fidelity floor), 2 bad input.
import { relative } from 'node:path';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { parseInspectSetting, runAll, summaryTable, throwOnFailure, type RunReporter } from '../run/index.js';
import { RUN_SETTINGS } from '../run/settings.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { addSettings } from './settings.js';
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
  const cmd = new Command('run').description('do everything edgeml.yml asks: optimize, benchmark, compare with the base, evaluate, check budgets, report');
  return addSettings(cmd, RUN_SETTINGS).action(async (flags: Record<string, RawValue>) => {
    const v = parseSettings(RUN_SETTINGS, flags, asFlag);
    if (v.baseRef && v.baseModel) throw new UserError('--base-ref and --base-model both given; give one: a git commit or a folder');
    const base = v.baseRef ? { ref: v.baseRef } : v.baseModel ? { dir: v.baseModel } : undefined;
    const inspect = v.inspect === undefined ? undefined : parseInspectSetting(v.inspect, '--inspect');
    if (flags.inspect !== undefined && !inspect) throw new UserError("--inspect: give runtimes (--inspect nnapi,coreml) or false; leave it out to use edgeml.yml's inspect:");
    const outcome = await runAll({ config: v.config, base, out: v.out, ...(v.deviceLabel ? { deviceLabel: v.deviceLabel } : {}), ...(inspect ? { inspect } : {}) }, terminalReporter);
    for (const n of outcome.notices) process.stderr.write(`note: ${n}\n`);
    process.stdout.write(`\n${summaryTable(outcome.rows, outcome.verdict)}\n`);
    process.stdout.write(`report: ${relative(process.cwd(), outcome.report)}, results: ${relative(process.cwd(), outcome.out) || '.'}\n`);
    if (v.json) {
      const { copyFileSync } = await import('node:fs');
      copyFileSync(outcome.summary, v.json);
    }
    throwOnFailure(outcome);
  });
}
