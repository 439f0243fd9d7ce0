// `edgeml serve`, `edgeml profile`, `edgeml drift`: the model on the device over the Open
// Inference Protocol, its reference profile, and drift of the telemetry windows against it.
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Command } from 'commander';
import { CheckFailure, UserError } from '../errors.js';
import { type DataSource, parseDataFlag } from '../tensors/index.js';
import { DRIFT_DEFAULTS, DRIFT_EVENT, DRIFT_SETTINGS, PROFILE_SETTINGS, dispatchPayload, driftReport, triggerKey, monitoringSettings, parseProfile, readTelemetry, windowsOfMessages, type DriftReport } from '../drift/index.js';
import { checkBrokerUrl } from '../devices/index.js';
import { collect as collectReports } from '../fleet-status/index.js';
import { checkFleet } from './agent-report.js';
import { loadConfig } from '../config/index.js';
import { profileModel } from '../drift/make.js';
import { SERVE_SETTINGS, serveModel, windowSettings } from '../serve/index.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { addSettings } from './settings.js';
import { escapeMarkdown } from '../report/index.js';
import { writeFileAtomic } from '../documents/index.js';
import { sendDispatch } from '../github/dispatch.js';

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
  const cmd = new Command('serve')
    .description('serve a model over the Open Inference Protocol v2 REST API (KServe, Triton, MLServer clients), with telemetry windows for drift');
  return addSettings(cmd, SERVE_SETTINGS).action(async (flags: Record<string, RawValue>) => {
    const v = parseSettings(SERVE_SETTINGS, flags, asFlag);
    if (!v.model) throw new UserError('--model is required: the ONNX model to serve');
    if (!v.telemetry) {
      const stray = v.reference ? '--reference' : v.window !== undefined ? '--window' : v.windowTime !== undefined ? '--window-time' : v.config ? '--config' : null;
      if (stray) throw new UserError(`${stray} is for the telemetry windows: give --telemetry DIR too`);
    }
    const w = windowSettings(v);
    const profile = v.reference ? readProfile(v.reference) : undefined;
    const server = await serveModel({
      model: v.model, name: v.name, listen: v.listen, profile, telemetryDir: v.telemetry, window: w.window, windowMs: w.windowMs ?? undefined, drift: w.drift,
      maxBodyBytes: v.maxBody, maxConcurrent: v.maxConcurrent, log: (line) => process.stderr.write(`${line}\n`),
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
  const cmd = new Command('profile')
    .description("a model's reference profile: histograms of its inputs and predictions on reference data, for drift on the device");
  return addSettings(cmd, PROFILE_SETTINGS).action(async (flags: Record<string, RawValue>) => {
    const v = parseSettings(PROFILE_SETTINGS, flags, asFlag);
    if (!v.model) throw new UserError('--model is required: the ONNX model to profile');
    if (!v.out) throw new UserError('--out is required: where to write the profile, e.g. --out profile.json');
    const data: Record<string, DataSource> = Object.fromEntries(v.data.map(parseDataFlag));
    const profile = await profileModel(v.model, v.name ?? basename(v.model, extname(v.model)), data);
    writeFileAtomic(v.out, `${JSON.stringify(profile, null, 1)}\n`);
    process.stdout.write(`${v.out}: ${profile.samples} samples, ${profile.histograms.map((h) => `${h.key} (${h.kind}, ${h.reference.length} bins)`).join(', ')}\n`);
  });
}

/** The windows from --telemetry DIR or from the fleet's broker (one of the two). */
async function windowsFrom(flags: { telemetry?: string; broker?: string; fleet?: string; cert?: string; key?: string; ca?: string; wait: number }) {
  if (flags.telemetry && flags.broker) throw new UserError('give --telemetry DIR or --broker URL, not both');
  if (flags.telemetry) return readTelemetry(flags.telemetry);
  if (!flags.broker) throw new UserError("give --telemetry DIR (the windows 'edgeml serve' wrote) or --broker URL --fleet NAME (the fleet's retained telemetry)");
  const url = checkBrokerUrl(flags.broker);
  const fleet = checkFleet(flags.fleet, '--fleet (drift over --broker)');
  const messages = await collectReports({ url, cert: flags.cert, key: flags.key, ca: flags.ca, fleet, waitMs: flags.wait });
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
  const cmd = new Command('drift').description('score telemetry windows against the reference profile; exit 1 when the trigger rule fires');
  return addSettings(cmd, DRIFT_SETTINGS).action(async (given: Record<string, RawValue>) => {
    const flags = parseSettings(DRIFT_SETTINGS, given, asFlag);
    const settings = monitoringSettings(flags.config ? loadConfig(flags.config).monitoring : {}, DRIFT_DEFAULTS, flags.config).drift;
    if (flags.windowsInARow !== undefined) settings.windowsInARow = flags.windowsInARow;
    const profile = flags.reference ? readProfile(flags.reference) : null;
    const dispatch = flags.dispatch ? dispatchTarget(flags.dispatch, flags) : null;
    const { windows, skipped } = await windowsFrom(flags);
    const r = driftReport(profile, windows, settings, skipped);
    for (const k of skipped) process.stderr.write(`drift: ${k.file}:${k.line}: left out, ${k.reason}\n`);
    const md = driftMarkdown(r);
    if (flags.json) writeFileAtomic(flags.json, `${JSON.stringify(r, null, 2)}\n`);
    if (flags.markdown) writeFileAtomic(flags.markdown, md);
    process.stdout.write(md);
    if (dispatch) await dispatchOnce(r, dispatch, flags.version, flags.cohort);
    if (r.triggered) throw new CheckFailure('drift: the trigger fired (windows in a row breached)');
  });
}

/** Where --dispatch sends, with what token, and where the triggers sent are kept: checked before any work. */
function dispatchTarget(repository: string, flags: { telemetry?: string; dispatchState?: string }): { repository: string; token: string; stateFile: string } {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) throw new UserError(`--dispatch ${JSON.stringify(repository)}: give OWNER/REPO, the repository whose retraining workflow receives the trigger`);
  const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN;
  if (!token) throw new UserError(`--dispatch ${repository}: set GITHUB_TOKEN or GH_TOKEN to a token with contents: write on the repository`);
  const stateFile = flags.dispatchState ?? (flags.telemetry ? join(flags.telemetry, '.edgeml-dispatched.json') : undefined);
  if (!stateFile) throw new UserError('--dispatch with --broker: give --dispatch-state FILE, where the triggers already sent are kept');
  return { repository, token, stateFile };
}

/**
 * Sends the trigger to the repository unless this very trigger (model, device, the window that
 * completed the streak) was sent already: a drift is one event, not one per scheduled run.
 */
async function dispatchOnce(r: DriftReport, to: { repository: string; token: string; stateFile: string }, version: string | undefined, cohort: string | undefined): Promise<void> {
  if (!r.trigger) return;
  const { repository, token, stateFile } = to;
  const key = triggerKey(r.model.sha256, r.trigger);
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
  const devices = [...new Set(r.windows.filter((w) => w.drift).map((w) => w.device))];
  const payload = dispatchPayload(r.model, r.trigger, devices, version ?? null, cohort ?? null);
  const log = { info: (m: string) => process.stderr.write(`${m}\n`), warning: (m: string) => process.stderr.write(`warning: ${m}\n`), group: <T>(_n: string, fn: () => Promise<T>) => fn() };
  await sendDispatch(token, repository, DRIFT_EVENT, payload, log as never);
  writeFileAtomic(stateFile, `${JSON.stringify([...sent, key].slice(-1000))}\n`);
  process.stderr.write(`drift: dispatched edgeml-drift to ${repository}\n`);
}
