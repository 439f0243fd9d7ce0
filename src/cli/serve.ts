// `edgeml serve`, `edgeml profile`, `edgeml drift`: the model on the device over the Open
// Inference Protocol, its reference profile, and drift of the telemetry windows against it.
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { type DataSource, parseDataFlag } from '../tensors/index.js';
import { DRIFT_DEFAULTS, driftReport, monitoringSettings, parseProfile, readTelemetry, windowsOfMessages, type DriftReport } from '../drift/index.js';
import { checkBrokerUrl } from '../devices/index.js';
import { collect as collectReports } from '../fleet-status/index.js';
import { checkFleet } from './agent-report.js';
import { loadConfig } from '../config/index.js';
import { profileModel } from '../drift/make.js';
import { serveModel } from '../serve/index.js';
import { escapeMarkdown } from '../report/index.js';
import { writeFileAtomic } from '../documents/index.js';
import { sendDispatch } from '../github/dispatch.js';
import { parseDuration, parseWhole } from '../units.js';
import { collect } from './collect.js';

function readProfile(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`--reference ${file}: no such file; make it with 'edgeml profile'`);
  }
  return parseProfile(text, file);
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve a model over the Open Inference Protocol v2 REST API (KServe, Triton, MLServer clients), with telemetry windows for drift')
    .requiredOption('--model <file>', 'the ONNX model')
    .option('--name <name>', 'the model name in the URL (default: the file name without extension)')
    .option('--listen <host:port>', 'where to listen', '127.0.0.1:8080')
    .option('--reference <file>', "the reference profile ('edgeml profile'): its histograms fill the telemetry windows")
    .option('--telemetry <dir>', 'write a telemetry window per --window requests to DIR/<name>.jsonl')
    .option('--window <n>', 'requests per telemetry window', '100')
    .option('--max-body <bytes>', 'largest request body', String(16 * 1024 * 1024))
    .option('--max-concurrent <n>', 'requests run at once; more get 503', '4')
    .action(async (flags: { model: string; name?: string; listen: string; reference?: string; telemetry?: string; window: string; maxBody: string; maxConcurrent: string }) => {
      const profile = flags.reference ? readProfile(flags.reference) : undefined;
      if (flags.reference && !flags.telemetry) throw new UserError('--reference fills telemetry windows: give --telemetry DIR too');
      const server = await serveModel({
        model: flags.model, name: flags.name, listen: flags.listen, profile, telemetryDir: flags.telemetry,
        window: parseWhole(flags.window, '--window', 1), maxBodyBytes: parseWhole(flags.maxBody, '--max-body', 1024), maxConcurrent: parseWhole(flags.maxConcurrent, '--max-concurrent', 1),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(`${server.url}/v2/models/${server.name}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}

export function profileCommand(): Command {
  return new Command('profile')
    .description("a model's reference profile: histograms of its inputs and predictions on reference data, for drift on the device")
    .requiredOption('--model <file>', 'the ONNX model')
    .option('--data <name=file.npy|number>', 'reference rows for an input (its dataset or calibration data), or a constant (repeatable)', collect, [])
    .option('--name <name>', 'the model name (default: the file name without extension)')
    .requiredOption('--out <file>', 'where to write the profile (JSON)')
    .action(async (flags: { model: string; data: string[]; name?: string; out: string }) => {
      const data: Record<string, DataSource> = Object.fromEntries(flags.data.map(parseDataFlag));
      const profile = await profileModel(flags.model, flags.name ?? basename(flags.model, extname(flags.model)), data);
      writeFileAtomic(flags.out, `${JSON.stringify(profile, null, 1)}\n`);
      process.stdout.write(`${flags.out}: ${profile.samples} samples, ${profile.histograms.map((h) => `${h.key} (${h.kind}, ${h.reference.length} bins)`).join(', ')}\n`);
    });
}

/** The windows from --telemetry DIR or from the fleet's broker (one of the two). */
async function windowsFrom(flags: { telemetry?: string; broker?: string; fleet?: string; cert?: string; key?: string; ca?: string; wait: string }) {
  if (flags.telemetry && flags.broker) throw new UserError('give --telemetry DIR or --broker URL, not both');
  if (flags.telemetry) return readTelemetry(flags.telemetry);
  if (!flags.broker) throw new UserError("give --telemetry DIR (the windows 'edgeml serve' wrote) or --broker URL --fleet NAME (the fleet's retained telemetry)");
  const url = checkBrokerUrl(flags.broker);
  const fleet = checkFleet(flags.fleet, '--fleet (drift over --broker)');
  const messages = await collectReports({ url, cert: flags.cert, key: flags.key, ca: flags.ca, fleet, waitMs: parseDuration(flags.wait, '--wait') });
  const got = windowsOfMessages(messages);
  if (!got.windows.length) throw new UserError(`--broker ${flags.broker}: no device of fleet '${fleet}' reports served-model windows yet (run the agent with --serve and --broker)`);
  return got;
}

/** The drift table: a row per window, for a terminal or a job summary (device strings escaped). */
export function driftMarkdown(r: DriftReport): string {
  const keys = [...new Set(r.windows.flatMap((w) => w.scores.map((s) => s.key)))];
  const head = `| device | window end | requests | drift |${keys.map((k) => ` ${escapeMarkdown(k)} PSI / JS / KS p |`).join('')}`;
  const sep = `| :-- | :-- | --: | :-- |${keys.map(() => ' --: |').join('')}`;
  const rows = r.windows.map((w) => {
    const cells = keys.map((k) => {
      const s = w.scores.find((x) => x.key === k);
      return s ? ` ${s.psi.toFixed(3)} / ${s.jensenShannon.toFixed(3)} / ${s.ks.pValue < 0.001 ? '<0.001' : s.ks.pValue.toFixed(3)}${s.drift ? ' ⚠️' : ''} |` : ' — |';
    });
    const verdict = !w.judged ? `not judged (${escapeMarkdown(w.reason ?? '')})` : w.drift ? 'drift' : 'no drift';
    return `| ${escapeMarkdown(w.device)} | ${escapeMarkdown(w.end)} | ${w.requests} | ${verdict} |${cells.join('')}`;
  });
  const t = r.trigger;
  const verdict = t ? `**Drift: ${t.windows} windows in a row on ${escapeMarkdown(t.device)}** (${escapeMarkdown(t.metric)}, PSI ${t.score.toFixed(3)})` : `No drift trigger (${r.settings.windowsInARow} drifted windows in a row fire it).`;
  const skipped = r.skipped.length ? ['', `${r.skipped.length} telemetry line(s) left out: ${r.skipped.map((k) => `${escapeMarkdown(basename(k.file))}:${k.line} (${escapeMarkdown(k.reason)})`).join('; ')}`] : [];
  return [`### Drift of ${escapeMarkdown(r.model.name)} (${r.model.sha256.slice(0, 12)})`, '', verdict, '', head, sep, ...rows, ...skipped, ...latencyTable(r), ''].join('\n');
}

function latencyTable(r: DriftReport): string[] {
  if (!r.latency.length) return [];
  const ms = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const rows = r.latency.map((l) => {
    const field = l.p90Ms === null || !l.interval ? '—' : `${ms(l.p90Ms)} ms (${ms(l.interval[0])}–${ms(l.interval[1])})`;
    const verdict = !l.judged ? `not judged (${escapeMarkdown(l.reason ?? '')})` : l.drift ? 'slower than CI ⚠️' : 'as CI';
    return `| ${escapeMarkdown(l.device)} | ${escapeMarkdown(l.target ?? '—')} | ${escapeMarkdown(l.label ?? '—')} | ${l.requests} | ${field} | ${l.ci ? `${ms(l.ci.p90Ms)} ms on ${escapeMarkdown(l.ci.label)}` : '—'} | ${verdict} |`;
  });
  return ['', `Latency: the field p90 (95% interval) against CI's p90 on the same label; slower when the interval lies above ${r.settings.latencyRatio}× CI's.`, '',
    '| device | target | label | requests | field p90 | CI p90 | latency |', '| :-- | :-- | :-- | --: | --: | --: | :-- |', ...rows];
}

export function driftCommand(): Command {
  return new Command('drift')
    .description('score telemetry windows against the reference profile; exit 1 when the trigger rule fires')
    .option('--reference <file>', "the reference profile ('edgeml profile'); without it each window is judged by the verdict its device made against its release's signed profile")
    .option('--telemetry <dir>', "the folder of telemetry windows ('edgeml serve --telemetry', 'edgeml agent --serve --telemetry')")
    .option('--broker <url>', "read the windows from the fleet's MQTT broker instead: the retained telemetry of 'edgeml agent --serve --broker' carries each device's last windows")
    .option('--fleet <name>', 'with --broker: the fleet (topics edgeml/<fleet>/<device>/telemetry)')
    .option('--cert <file>', "with --broker: an operator's certificate ('edgeml devices provision --operator NAME')")
    .option('--key <file>', "with --broker: the operator's private key")
    .option('--ca <file>', "with --broker: the fleet CA's certificate (ca.crt)")
    .option('--wait <time>', 'with --broker: read at most this long (it stops once the retained reports are in)', '10s')
    .option('--config <file>', 'read the thresholds and the trigger rule from monitoring: of this edgeml.yml')
    .option('--windows-in-a-row <n>', `drifted windows in a row that fire the trigger (default: monitoring.windows-in-a-row, else ${DRIFT_DEFAULTS.windowsInARow})`)
    .option('--json <file>', 'write the report here')
    .option('--markdown <file>', 'write the table as Markdown (a job summary or an issue)')
    .option('--dispatch <owner/repo>', 'when the trigger fires, send repository_dispatch (event_type edgeml-drift) to this repository, once per trigger (token in GITHUB_TOKEN or GH_TOKEN)')
    .option('--version <version>', 'with --dispatch: the release version the device runs, for the payload')
    .option('--cohort <name>', 'with --dispatch: the rollout cohort or channel of the devices, for the payload')
    .option('--dispatch-state <file>', 'with --dispatch: where the triggers already sent are kept (default: TELEMETRY/.edgeml-dispatched.json)')
    .action(async (flags: { reference?: string; telemetry?: string; broker?: string; fleet?: string; cert?: string; key?: string; ca?: string; wait: string; config?: string; windowsInARow?: string; json?: string; markdown?: string; dispatch?: string; version?: string; cohort?: string; dispatchState?: string }) => {
      const settings = monitoringSettings(flags.config ? loadConfig(flags.config).monitoring : {}, DRIFT_DEFAULTS, flags.config).drift;
      if (flags.windowsInARow !== undefined) settings.windowsInARow = parseWhole(flags.windowsInARow, '--windows-in-a-row', 1);
      const profile = flags.reference ? readProfile(flags.reference) : null;
      const { windows, skipped } = await windowsFrom(flags);
      const r = driftReport(profile, windows, settings, skipped);
      for (const k of skipped) process.stderr.write(`drift: ${k.file}:${k.line}: left out, ${k.reason}\n`);
      const md = driftMarkdown(r);
      if (flags.json) writeFileAtomic(flags.json, `${JSON.stringify(r, null, 2)}\n`);
      if (flags.markdown) writeFileAtomic(flags.markdown, md);
      process.stdout.write(md);
      if (flags.dispatch) {
        const state = flags.dispatchState ?? (flags.telemetry ? join(flags.telemetry, '.edgeml-dispatched.json') : undefined);
        if (!state) throw new UserError('--dispatch with --broker: give --dispatch-state FILE, where the triggers already sent are kept');
        await dispatchOnce(r, flags.dispatch, state, flags.version, flags.cohort);
      }
      if (r.triggered) process.exitCode = 1;
    });
}

/**
 * Sends the trigger to the repository unless this very trigger (model, device, the window that
 * completed the streak) was sent already: a drift is one event, not one per scheduled run.
 */
async function dispatchOnce(r: DriftReport, repository: string, stateFile: string, version: string | undefined, cohort: string | undefined): Promise<void> {
  if (!r.trigger) return;
  const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN;
  if (!token) throw new UserError(`--dispatch ${repository}: set GITHUB_TOKEN or GH_TOKEN to a token with contents: write on the repository`);
  const key = `${r.model.sha256}|${r.trigger.device}|${r.trigger.at}`;
  let sent: string[] = [];
  if (existsSync(stateFile)) {
    try {
      sent = JSON.parse(readFileSync(stateFile, 'utf8')) as string[];
      if (!Array.isArray(sent)) sent = [];
    } catch {
      throw new UserError(`--dispatch-state ${stateFile}: not JSON; remove it to start over`);
    }
  }
  if (sent.includes(key)) {
    process.stderr.write(`drift: already dispatched for ${r.trigger.device} at ${r.trigger.at}\n`);
    return;
  }
  const drifted = r.windows.filter((w) => w.drift);
  const devices = [...new Set(drifted.map((w) => w.device))];
  const payload = {
    model: r.model.name, version: version ?? null, sha256: r.model.sha256, cohort: cohort ?? null, metric: r.trigger.metric,
    score: Number(r.trigger.score.toFixed(4)), windows: r.trigger.windows, devices: devices.slice(0, 100), devicesTotal: devices.length, at: r.trigger.at,
  };
  const log = { info: (m: string) => process.stderr.write(`${m}\n`), warning: (m: string) => process.stderr.write(`warning: ${m}\n`), group: <T>(_n: string, fn: () => Promise<T>) => fn() };
  await sendDispatch(token, repository, 'edgeml-drift', payload, log as never);
  writeFileAtomic(stateFile, `${JSON.stringify([...sent, key].slice(-1000))}\n`);
  process.stderr.write(`drift: dispatched edgeml-drift to ${repository}\n`);
}
