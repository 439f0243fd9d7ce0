// `edgeml report`: results (a device matrix), comparisons, budget checks and operator compatibility
// -> one Markdown report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { MISSING_REASON, buildReport, modelSvg, readReportInputs, reportMarkdown, reportOptions, type Report } from '../report/index.js';
import { checkOutputPath, writeFileAtomic } from '../documents/index.js';

/** The machine-readable side of a report: the verdict and where each number came from. */
export function reportJson(r: Report, markdownFile?: string): object {
  return {
    schema: { name: 'edgeml-report', version: 1 },
    status: r.status,
    counts: r.counts,
    ...(r.missing?.length ? { missing: r.missing } : {}),
    ...(markdownFile ? { markdown: markdownFile } : {}),
    models: r.models.map((m) => ({
      name: m.name,
      rows: m.rows.map((row) => ({
        target: row.target,
        device: row.device,
        p50Ms: row.compare?.head.latencyMs.p50 ?? row.bench?.latencyMs.p50,
        p90Ms: row.compare?.head.latencyMs.p90 ?? row.bench?.latencyMs.p90,
        ...(row.compare ? { verdict: row.compare.verdict, ratio: row.compare.ratio } : {}),
        budgets: row.budgets.map((b) => ({ key: b.key, status: b.status })),
      })),
    })),
  };
}

/** One SVG chart per model, named by its position (model names are untrusted, not file names). */
export function writeCharts(r: Report, dir: string): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`--charts ${dir}: cannot create the folder (${(e as NodeJS.ErrnoException).code}); give a writable folder`);
  }
  return r.models.map((m, i) => {
    const file = join(dir, `latency-${i + 1}.svg`);
    writeFileSync(file, modelSvg(m));
    return file;
  });
}

export function reportCommand(): Command {
  return new Command('report')
    .description('merge results, comparisons, budget checks and operator compatibility into one Markdown report (PR comment, job summary)')
    // Commander puts its "Did you mean --compat?" on a line of its own: one line for bad input.
    .configureOutput({ writeErr: (s) => process.stderr.write(s.replace(/\n\(Did you mean (.+?)\?\)/, ' (did you mean $1?)')) })
    .option('--results <files...>', "results documents written by 'edgeml bench --json' (one per device of a matrix)", [])
    .option('--compare <files...>', "comparison documents written by 'edgeml compare --json'", [])
    .option('--check <files...>', "budget documents written by 'edgeml check --json'", [])
    .option('--compat <files...>', "operator compatibility: compat/*.json written by 'edgeml run' (or inspect documents of 'edgeml inspect --json')", [])
    .option('--out <file>', 'write the Markdown here (default: standard output)')
    .option('--json <file>', 'write the verdict, counts and rows as JSON here')
    .option('--charts <dir>', 'also write one SVG latency chart per model into this folder')
    .option('--devices <labels...>', 'the device labels that should report (a matrix): one without results is named as not reported', [])
    .option('--history <dir>', 'a checkout of the benchmark history (data branch): adds a p90 trend per row')
    .option('--dashboard-url <url>', 'link the benchmark dashboard (https) from the headline')
    .action((flags: { results: string[]; compare: string[]; check: string[]; compat: string[]; devices: string[]; out?: string; json?: string; charts?: string; history?: string; dashboardUrl?: string }) => {
      if (flags.out) checkOutputPath(flags.out, '--out');
      if (flags.json) checkOutputPath(flags.json, '--json');
      const options = reportOptions(flags.history, flags.dashboardUrl, (k) => `--${k}`);
      const devices = flags.devices.flatMap((d) => d.split(',')).map((d) => d.trim()).filter(Boolean);
      if (devices.length) options.expected = { devices, reason: MISSING_REASON.noResults };
      const report = buildReport(readReportInputs(flags, devices.length > 0), options);
      const markdown = reportMarkdown(report);
      if (flags.charts) writeCharts(report, flags.charts);
      if (flags.out) writeFileAtomic(flags.out, markdown);
      else process.stdout.write(markdown);
      if (flags.json) writeFileAtomic(flags.json, `${JSON.stringify(reportJson(report, flags.out), null, 2)}\n`);
    });
}
