// The reporter made from the agent's reporting flags (--broker, --cert, --key, --ca, --fleet,
// --report-queue, --metrics: AGENT_REPORT_SETTINGS, src/agent/settings.ts).
import { runtimeVersion, type AgentOptions } from '../agent/index.js';
import { metricsRegistry, serveMetrics } from '../agent/metrics.js';
import { Reporter } from '../agent/report.js';
import type { AGENT_REPORT_SETTINGS } from '../agent/settings.js';
import { checkBrokerUrl, readIdentity } from '../devices/index.js';
import { UserError } from '../errors.js';
import { checkFleet } from '../fleet-status/index.js';
import type { SettingValues } from '../settings/index.js';

export { checkFleet };

/** The typed report flags (AGENT_REPORT_SETTINGS). */
export type ReportFlags = SettingValues<typeof AGENT_REPORT_SETTINGS>;

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
    channel: opts.channel, target: opts.target, runtimeVersion: runtimeVersion(), queueLimit: flags.reportQueue,
    connectTimeoutMs: Math.min(opts.fetchTimeoutMs, 30_000), log: (l) => process.stderr.write(`${l}\n`),
  });
  if (flags.metrics) {
    const server = await serveMetrics(metricsRegistry(() => reporter.figures, { deviceId: opts.deviceId, fleet, dir: opts.dir }), flags.metrics);
    server.unref();
  }
  return reporter;
}
