// `edgeml agent` (the device side) and the hidden `edgeml agent-health` it runs in a child process.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { AgentServer, Dispatcher, MIN_INTERVAL_MS, checkModel, checkTrustedRoot, defaultDeviceId, exitWithParent, nextDelay, pollOnce, type AgentOptions, type AgentStatus } from '../agent/index.js';
import { reporterOf } from './agent-report.js';
import { CheckFailure, UserError } from '../errors.js';
import { checkChannel } from '../fleet/index.js';
import { parseDuration } from '../units.js';
import type { DriftSettings } from '../drift/index.js';
import { windowSettings } from '../serve/index.js';
import { AGENT_FLAGS, AGENT_REPORT_SETTINGS, AGENT_SERVE_SETTINGS, AGENT_SETTINGS } from '../agent/settings.js';
import { asFlag, parseSettings, type RawValue, type SettingValues } from '../settings/index.js';
import { addSettings } from './settings.js';

/** The typed flags (AGENT_FLAGS): durations in ms. */
type AgentFlags = SettingValues<typeof AGENT_FLAGS>;

const FAILED = new Set(['error', 'health-check-failed', 'rolled-back', 'unreachable']);

function line(s: AgentStatus): string {
  const cur = s.current ? `${s.current.model} ${s.current.version} (release ${s.current.release})` : 'no model';
  return `${s.lastCheck} ${s.lastResult}: ${cur}${s.lastError ? ` | ${s.lastError}` : ''}\n`;
}

function options(flags: AgentFlags): AgentOptions {
  if (!flags.channelUrl) throw new UserError('--channel-url is required: the HTTP(S) address the channel is served from');
  if (!/^https?:\/\//.test(flags.channelUrl)) throw new UserError(`--channel-url ${flags.channelUrl}: use an http:// or https:// address`);
  if (!flags.root) throw new UserError("--root is required: the channel's root.json shipped with the device");
  if (!existsSync(flags.root) || !statSync(flags.root).isFile()) throw new UserError(`--root ${flags.root}: no such file; ship the channel's 1.root.json with the device`);
  if (!flags.target) throw new UserError('--target is required: the artifact target this device runs, e.g. cpu-int8');
  if (!flags.dir) throw new UserError('--dir is required: where the agent keeps models and status, e.g. /var/lib/edgeml');
  if (existsSync(flags.dir) && !statSync(flags.dir).isDirectory()) throw new UserError(`--dir ${flags.dir}: is a file, not a folder; give the folder the agent keeps its state in, e.g. /var/lib/edgeml`);
  if (flags.ociMirror && !/^https?:\/\/[^/]+\/?$/.test(flags.ociMirror)) {
    throw new UserError(`--oci-mirror ${flags.ociMirror}: give the registry as http://HOST:PORT or https://HOST (a mirror of the releases' OCI repository)`);
  }
  checkTrustedRoot(flags.root);
  return {
    channelUrl: flags.channelUrl, root: resolve(flags.root), channel: checkChannel(flags.channel), target: flags.target, dir: resolve(flags.dir),
    deviceId: flags.deviceId ?? defaultDeviceId(), model: flags.model, accelerator: flags.accelerator,
    maxLatencyMs: flags.maxLatency ?? null, cli: process.argv[1], fetchTimeoutMs: flags.timeout, ociMirror: flags.ociMirror ?? null,
  };
}

export function agentCommand(): Command {
  const cmd = new Command('agent').description('keep a device on the newest verified release of its channel (TUF, staged rollout, A/B slots)');
  for (const table of [AGENT_REPORT_SETTINGS, AGENT_SETTINGS, AGENT_SERVE_SETTINGS]) addSettings(cmd, table);
  return cmd.action(async (raw: Record<string, RawValue>) => {
    const flags = parseSettings(AGENT_FLAGS, raw, asFlag);
    const opts = options(flags);
    // Every flag is checked before the broker is dialled.
    if (!flags.once && flags.interval < MIN_INTERVAL_MS) throw new UserError(`--interval ${String(raw.interval)}: below the minimum of ${MIN_INTERVAL_MS / 1000}s; a device would spin against its channel (the default is ${AGENT_SETTINGS.interval.default})`);
    const serve = serveOptions(flags);
    const log = (l: string) => process.stderr.write(`${l}\n`);
    const dispatcher = serve?.dispatch ? new Dispatcher({ ...serve.dispatch, dir: opts.dir, drift: serve.drift, cohort: opts.channel, log }) : undefined;
    const reporter = await reporterOf(flags, opts, !flags.once);
    if (reporter) opts.observe = (e) => reporter.observe(e);
    if (flags.once) {
      const s = await pollOnce(opts);
      process.stdout.write(line(s));
      await reporter?.polled(s);
      await reporter?.close();
      if (FAILED.has(s.lastResult)) throw new CheckFailure(s.lastError ?? s.lastResult);
      return;
    }
    const server = serve
      ? await AgentServer.start(opts.dir, { ...serve, name: opts.model, deviceId: opts.deviceId, label: flags.label, onWindow: reporter ? (w) => reporter.servedWindow(w) : undefined, dispatcher, log })
      : null;
    for (let failures = 0; ;) {
      const s = await pollOnce(opts);
      await server?.sync(s.current);
      process.stdout.write(line(s));
      await reporter?.polled(s);
      if (FAILED.has(s.lastResult)) process.stderr.write(`edgeml agent: ${s.lastResult}: ${s.lastError ?? ''}\n`);
      failures = s.lastResult === 'unreachable' || s.lastResult === 'error' ? failures + 1 : 0;
      await new Promise((r) => setTimeout(r, nextDelay(flags.interval, failures)));
    }
  });
}

/** The --serve flags, checked before anything starts (--serve keeps running: not with --once). */
function serveOptions(flags: AgentFlags): { listen: string; telemetryDir?: string; window: number; windowMs?: number; drift: DriftSettings; dispatch?: { repository: string; tokenFile: string } } | null {
  if (!flags.serve) {
    const stray = flags.telemetry ? '--telemetry' : flags.label ? '--label' : flags.windowTime !== undefined ? '--window-time' : flags.window !== undefined ? '--window' : flags.config ? '--config' : flags.dispatch ? '--dispatch' : null;
    if (stray) throw new UserError(`${stray} is for the served model's telemetry: give --serve HOST:PORT too`);
    if (flags.tokenFile) throw new UserError('--token-file is for --dispatch: give --serve HOST:PORT and --dispatch OWNER/REPO too');
    return null;
  }
  if (flags.once) throw new UserError('--serve keeps serving the installed model: not with --once (run the agent as a service)');
  if (!/^.+:\d{1,5}$/.test(flags.serve)) throw new UserError(`--serve ${JSON.stringify(flags.serve)}: give HOST:PORT, e.g. 0.0.0.0:8080`);
  if (flags.dispatch && !flags.tokenFile) throw new UserError(`--dispatch ${flags.dispatch}: give --token-file FILE, a file (mode 600) holding a GitHub token with contents: write on the repository`);
  if (flags.tokenFile && !flags.dispatch) throw new UserError('--token-file is for --dispatch: give --dispatch OWNER/REPO too');
  const w = windowSettings(flags);
  return {
    listen: flags.serve, telemetryDir: flags.telemetry ? resolve(flags.telemetry) : undefined, window: w.window, windowMs: w.windowMs ?? undefined, drift: w.drift,
    ...(flags.dispatch ? { dispatch: { repository: flags.dispatch, tokenFile: flags.tokenFile! } } : {}),
  };
}

export function agentHealthCommand(): Command {
  return new Command('agent-health')
    .argument('<model>')
    .option('--max-latency <time>')
    .option('--evidence <file>')
    .option('--test-slow <ms>')
    .action(async (model: string, flags: { maxLatency?: string; evidence?: string; testSlow?: string }) => {
      exitWithParent();
      const r = await checkModel(model, flags.maxLatency ? parseDuration(flags.maxLatency, '--max-latency') : null, flags.evidence ?? null, Number(flags.testSlow ?? 0) || 0);
      process.stdout.write(`${JSON.stringify(r)}\n`);
      if (!r.ok) throw new CheckFailure('agent-health: the model failed its health check');
    });
}

export function agentCommands(): Array<[Command, boolean]> {
  return [[agentCommand(), false], [agentHealthCommand(), true]];
}
