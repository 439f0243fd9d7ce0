// The agent's reporting flags (--broker, --cert, --key, --ca, --fleet, --report-queue, --metrics)
// and the reporter made from them.
import { Command } from 'commander';
import { runtimeVersion, type AgentOptions } from '../agent/index.js';
import { metricsRegistry, serveMetrics } from '../agent/metrics.js';
import { Reporter } from '../agent/report.js';
import { checkBrokerUrl, readIdentity } from '../devices/index.js';
import { UserError } from '../errors.js';
import { checkFleet } from '../fleet-status/index.js';

export { checkFleet };
import { parseWhole } from '../units.js';

export interface ReportFlags { broker?: string; cert?: string; key?: string; ca?: string; fleet?: string; reportQueue: string; metrics?: string }

export function withReportOptions(cmd: Command): Command {
  return cmd
    .option('--broker <url>', 'report status and telemetry to this MQTT broker, e.g. mqtts://broker:8883')
    .option('--cert <file>', "with --broker mqtts://: this device's certificate (client.crt from 'edgeml devices provision')")
    .option('--key <file>', "with --broker mqtts://: this device's private key (client.key)")
    .option('--ca <file>', "with --broker mqtts://: the fleet CA's certificate (ca.crt)")
    .option('--fleet <name>', 'with --broker: the fleet the device reports in (topics edgeml/<fleet>/<device>/...)')
    .option('--report-queue <n>', 'with --broker: reports kept on disk under --dir while the broker is unreachable (the oldest go first)', '1000')
    .option('--metrics <addr>', 'serve the same figures for Prometheus at http://ADDR/metrics, e.g. 127.0.0.1:9464 (not with --once)');
}

/** The reporter for these flags, or null without --broker. A bad flag or certificate is exit 2 before the first poll. */
export async function reporterOf(flags: ReportFlags, opts: AgentOptions, loop: boolean): Promise<Reporter | null> {
  if (!flags.broker) {
    for (const f of ['cert', 'key', 'ca', 'fleet', 'metrics'] as const) if (flags[f]) throw new UserError(`--${f} needs --broker: the MQTT broker the device reports to`);
    return null;
  }
  const broker = checkBrokerUrl(flags.broker);
  const fleet = checkFleet(flags.fleet);
  if (broker.startsWith('mqtts:')) {
    const id = readIdentity(flags);
    if (id.commonName !== opts.deviceId) throw new UserError(`--cert ${flags.cert}: issued to ${JSON.stringify(id.commonName)}, not to this device (${opts.deviceId}); the broker files reports under the certificate's name, so give --device-id ${id.commonName} or this device's own certificate`);
  }
  if (flags.metrics && !loop) throw new UserError('--metrics needs a running agent: leave out --once');
  const reporter = new Reporter({
    broker, cert: flags.cert, key: flags.key, ca: flags.ca, fleet, deviceId: opts.deviceId, dir: opts.dir, model: opts.model,
    channel: opts.channel, target: opts.target, runtimeVersion: runtimeVersion(), queueLimit: parseWhole(flags.reportQueue, '--report-queue', 1),
    connectTimeoutMs: Math.min(opts.fetchTimeoutMs, 30_000), log: (l) => process.stderr.write(`${l}\n`),
  });
  if (flags.metrics) {
    const server = await serveMetrics(metricsRegistry(() => reporter.figures, { deviceId: opts.deviceId, fleet, dir: opts.dir }), flags.metrics);
    server.unref();
  }
  return reporter;
}
