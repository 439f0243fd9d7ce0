// `edgeml report`: results (a device matrix), comparisons, budget checks and operator compatibility
// -> one Markdown report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { MISSING_REASON, REPORT_SETTINGS, buildReport, modelSvg, readReportInputs, reportMarkdown, reportOptions, type Report } from '../report/index.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { checkOutputPath, writeFileAtomic } from '../documents/index.js';
import { addSettings } from './settings.js';

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
  const cmd = new Command('report')
    .description('merge results, comparisons, budget checks and operator compatibility into one Markdown report (PR comment, job summary)')
    // Commander puts its "Did you mean --compat?" on a line of its own: one line for bad input.
    .configureOutput({ writeErr: (s) => process.stderr.write(s.replace(/\n\(Did you mean (.+?)\?\)/, ' (did you mean $1?)')) });
  return addSettings(cmd, REPORT_SETTINGS).action((flags: Record<string, RawValue>) => {
    const v = parseSettings(REPORT_SETTINGS, flags, asFlag);
    if (v.out) checkOutputPath(v.out, '--out');
    if (v.json) checkOutputPath(v.json, '--json');
    const options = reportOptions(v.history, v.dashboardUrl, asFlag);
    if (v.devices.length) options.expected = { devices: v.devices, reason: MISSING_REASON.noResults };
    const report = buildReport(readReportInputs(v, v.devices.length > 0), options);
    const markdown = reportMarkdown(report);
    if (v.charts) writeCharts(report, v.charts);
    if (v.out) writeFileAtomic(v.out, markdown);
    else process.stdout.write(markdown);
    if (v.json) writeFileAtomic(v.json, `${JSON.stringify(reportJson(report, v.out), null, 2)}\n`);
  });
}
