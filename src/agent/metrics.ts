// `edgeml agent --metrics ADDR`: the reporter's figures as a Prometheus endpoint (prom-client),
// for fleets on Kubernetes edge distributions scraped by Prometheus. Read at scrape time from the
// reporter, so the endpoint and the MQTT reports never disagree.
import { createServer, type Server } from 'node:http';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { UserError } from '../errors.js';
import { STATES } from '../fleet-status/index.js';
import type { Figures } from './report.js';

export function parseListen(addr: string, flag = '--metrics'): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/.exec(addr.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UserError(`${flag} ${JSON.stringify(addr)}: give HOST:PORT or PORT, e.g. 127.0.0.1:9464 or :9464`);
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

export function metricsRegistry(figures: () => Figures, labels: { deviceId: string; fleet: string; dir: string }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ device: labels.deviceId, fleet: labels.fleet });
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) =>
    new Gauge({ name, help, labelNames, registers: [registry], collect() { this.reset(); collect(this); } });
  gauge('edgeml_agent_state', 'The device\'s deployment state (1 for the current one)', ['state'], (g) => {
    for (const s of STATES) g.set({ state: s }, figures().state === s ? 1 : 0);
  });
  gauge('edgeml_agent_polls', 'Polls since the agent started, by result', ['result'], (g) => {
    for (const [result, n] of Object.entries(figures().polls)) g.set({ result }, n);
  });
  gauge('edgeml_agent_installed_info', 'The installed release (value 1)', ['model', 'version', 'channel'], (g) => {
    const s = figures().status;
    if (s?.installed) g.set({ model: s.model ?? '', version: s.installed.version, channel: s.channel ?? '' }, 1);
  });
  gauge('edgeml_agent_reports_queued', 'Reports waiting on disk for the broker', [], (g) => g.set(figures().queued));
  gauge('edgeml_agent_reports_dropped', 'Reports the full outbox dropped (oldest first)', [], (g) => g.set(figures().dropped));
  gauge('edgeml_agent_reports_sent', 'Reports the broker acknowledged since the agent started', [], (g) => g.set(figures().sent));
  gauge('edgeml_model_latency_seconds', 'Model latency on the device in the last telemetry window', ['quantile'], (g) => {
    const l = figures().telemetry?.latency;
    for (const [q, v] of [['0.5', l?.p50Ms], ['0.9', l?.p90Ms], ['0.99', l?.p99Ms]] as const) if (typeof v === 'number') g.set({ quantile: q }, v / 1000);
  });
  // Labelled, so that a figure the device cannot measure has no sample at all rather than a 0.
  gauge('edgeml_device_disk_free_bytes', 'Free space where the agent keeps its models', ['path'], (g) => {
    const v = figures().telemetry?.diskFreeBytes;
    if (typeof v === 'number') g.set({ path: labels.dir }, v);
  });
  gauge('edgeml_device_cpu_temperature_celsius', 'The hottest thermal zone the OS exposes', ['zone'], (g) => {
    const v = figures().telemetry?.cpuTempC;
    if (typeof v === 'number') g.set({ zone: 'hottest' }, v);
  });
  return registry;
}

/** Serves GET /metrics; resolves once listening. */
export function serveMetrics(registry: Registry, addr: string): Promise<Server> {
  const { host, port } = parseListen(addr);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(e)}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new UserError(`--metrics ${addr}: cannot listen there (${e.code ?? e.message})`)));
    server.listen(port, host, () => resolve(server));
  });
}
