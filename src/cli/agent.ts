// `edgeml agent` (the device side) and the hidden `edgeml agent-health` it runs in a child process.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { MIN_INTERVAL_MS, checkModel, checkTrustedRoot, defaultDeviceId, exitWithParent, nextDelay, pollOnce, type AgentOptions, type AgentStatus } from '../agent/index.js';
import { reporterOf, withReportOptions, type ReportFlags } from './agent-report.js';
import { CheckFailure, UserError } from '../errors.js';
import { checkChannel } from '../fleet/index.js';
import { parseDuration } from '../units.js';

interface AgentFlags extends ReportFlags {
  channelUrl?: string; root?: string; channel: string; target?: string; dir?: string; deviceId?: string; model?: string;
  accelerator: string; maxLatency?: string; once?: boolean; interval: string; timeout: string; ociMirror?: string;
}

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
    maxLatencyMs: flags.maxLatency ? parseDuration(flags.maxLatency, '--max-latency') : null,
    cli: process.argv[1], fetchTimeoutMs: parseDuration(flags.timeout, '--timeout'), ociMirror: flags.ociMirror ?? null,
  };
}

export function agentCommand(): Command {
  return withReportOptions(new Command('agent'))
    .description('keep a device on the newest verified release of its channel (TUF, staged rollout, A/B slots)')
    .option('--channel-url <url>', 'where the channel is served (static HTTP; a GitHub release download URL, .../releases/download/TAG, reads a release store)')
    .option('--root <file>', "the channel's trusted root.json, shipped with the device")
    .option('--oci-mirror <url>', 'a registry mirroring the releases pushed with publish --oci (http://HOST:PORT): the model bytes come from it by digest, verified against the channel; the channel is used when it fails')
    .option('--channel <name>', 'canary, beta or stable', 'stable')
    .option('--target <name>', 'the artifact target this device runs, e.g. cpu-int8')
    .option('--dir <dir>', 'state folder: slots, current -> slots/a|b, status.json')
    .option('--device-id <id>', 'decides the rollout cohort (default: EDGEML_DEVICE_ID or /etc/machine-id)')
    .option('--model <name>', 'the model, when the channel holds several')
    .option('--accelerator <name>', 'what this device has beyond a CPU (cuda, tensorrt, openvino...)', 'none')
    .option('--max-latency <time>', 'acceptance: one inference on the release\'s inputs must take at most this long, e.g. 50ms')
    .option('--once', 'poll once and exit: 0 up to date or installed, 1 refused, failed, rolled back or unreachable')
    .option('--interval <time>', 'time between polls (at least 1s); after polls that fail to reach the channel, an exponential backoff with jitter, up to 1h', '5m')
    .option('--timeout <time>', 'give up on a download (or a metadata request) that gets no data this long; a cut download resumes on the next poll', '60s')
    .action(async (flags: AgentFlags) => {
      const opts = options(flags);
      // Every flag is checked before the broker is dialled.
      const interval = parseDuration(flags.interval, '--interval');
      if (!flags.once && interval < MIN_INTERVAL_MS) throw new UserError(`--interval ${flags.interval}: below the minimum of ${MIN_INTERVAL_MS / 1000}s; a device would spin against its channel (the default is 5m)`);
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
      for (let failures = 0; ;) {
        const s = await pollOnce(opts);
        process.stdout.write(line(s));
        await reporter?.polled(s);
        if (FAILED.has(s.lastResult)) process.stderr.write(`edgeml agent: ${s.lastResult}: ${s.lastError ?? ''}\n`);
        failures = s.lastResult === 'unreachable' || s.lastResult === 'error' ? failures + 1 : 0;
        await new Promise((r) => setTimeout(r, nextDelay(interval, failures)));
      }
    });
}

export function agentHealthCommand(): Command {
  return new Command('agent-health')
    .argument('<model>')
    .option('--max-latency <time>')
    .option('--evidence <file>')
    .action(async (model: string, flags: { maxLatency?: string; evidence?: string }) => {
      exitWithParent();
      const r = await checkModel(model, flags.maxLatency ? parseDuration(flags.maxLatency, '--max-latency') : null, flags.evidence ?? null);
      process.stdout.write(`${JSON.stringify(r)}\n`);
      if (!r.ok) throw new CheckFailure('agent-health: the model failed its health check');
    });
}

export function agentCommands(): Array<[Command, boolean]> {
  return [[agentCommand(), false], [agentHealthCommand(), true]];
}
