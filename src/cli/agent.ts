// `edgeml agent` (the device side) and the hidden `edgeml agent-health` it runs in a child process.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { checkModel, defaultDeviceId, pollOnce, type AgentOptions, type AgentStatus } from '../agent/index.js';
import { reporterOf, withReportOptions, type ReportFlags } from './agent-report.js';
import { CheckFailure, UserError } from '../errors.js';
import { checkChannel } from '../fleet/index.js';
import { parseDuration } from '../units.js';

interface AgentFlags extends ReportFlags {
  channelUrl?: string; root?: string; channel: string; target?: string; dir?: string; deviceId?: string; model?: string;
  accelerator: string; maxLatency?: string; once?: boolean; interval: string; timeout: string;
}

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
  return {
    channelUrl: flags.channelUrl, root: resolve(flags.root), channel: checkChannel(flags.channel), target: flags.target, dir: resolve(flags.dir),
    deviceId: flags.deviceId ?? defaultDeviceId(), model: flags.model, accelerator: flags.accelerator,
    maxLatencyMs: flags.maxLatency ? parseDuration(flags.maxLatency, '--max-latency') : null,
    cli: process.argv[1], fetchTimeoutMs: parseDuration(flags.timeout, '--timeout'),
  };
}

export function agentCommand(): Command {
  return withReportOptions(new Command('agent'))
    .description('keep a device on the newest verified release of its channel (TUF, staged rollout, A/B slots)')
    .option('--channel-url <url>', 'where the channel is served (static HTTP; a GitHub release download URL, .../releases/download/TAG, reads a release store)')
    .option('--root <file>', "the channel's trusted root.json, shipped with the device")
    .option('--channel <name>', 'canary, beta or stable', 'stable')
    .option('--target <name>', 'the artifact target this device runs, e.g. cpu-int8')
    .option('--dir <dir>', 'state folder: slots, current -> slots/a|b, status.json')
    .option('--device-id <id>', 'decides the rollout cohort (default: EDGEML_DEVICE_ID or /etc/machine-id)')
    .option('--model <name>', 'the model, when the channel holds several')
    .option('--accelerator <name>', 'what this device has beyond a CPU (cuda, tensorrt, openvino...)', 'none')
    .option('--max-latency <time>', 'health check: one inference must take at most this long, e.g. 50ms')
    .option('--once', 'poll once and exit: 0 up to date or installed, 1 refused, failed or unreachable')
    .option('--interval <time>', 'time between polls', '5m')
    .option('--timeout <time>', 'give up on a download that stalls this long', '60s')
    .action(async (flags: AgentFlags) => {
      const opts = options(flags);
      const reporter = await reporterOf(flags, opts, !flags.once);
      if (reporter) opts.observe = (e) => reporter.observe(e);
      if (flags.once) {
        const s = await pollOnce(opts);
        process.stdout.write(line(s));
        await reporter?.polled(s);
        await reporter?.close();
        if (s.lastResult === 'error' || s.lastResult === 'health-check-failed' || s.lastResult === 'unreachable') throw new CheckFailure(s.lastError ?? s.lastResult);
        return;
      }
      const interval = parseDuration(flags.interval, '--interval');
      for (;;) {
        const s = await pollOnce(opts);
        process.stdout.write(line(s));
        await reporter?.polled(s);
        await new Promise((r) => setTimeout(r, interval));
      }
    });
}

export function agentHealthCommand(): Command {
  return new Command('agent-health')
    .argument('<model>')
    .option('--max-latency <time>')
    .action(async (model: string, flags: { maxLatency?: string }) => {
      const r = await checkModel(model, flags.maxLatency ? parseDuration(flags.maxLatency, '--max-latency') : null);
      process.stdout.write(`${JSON.stringify(r)}\n`);
      if (!r.ok) process.exitCode = 1;
    });
}

export function agentCommands(): Array<[Command, boolean]> {
  return [[agentCommand(), false], [agentHealthCommand(), true]];
}
