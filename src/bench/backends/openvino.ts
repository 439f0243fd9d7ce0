// OpenVINO's benchmark_app, Python (pip install openvino) and C++ builds, 2022.1 to 2025.x.
import { UserError } from '../../errors.js';
import { NO_LATENCY, missing, num, toMs, type ToolReport } from './report.js';

const FIGURE = String.raw`([\d.eE+-]+)\s*(ms|us|µs|s)\b`;

function ms(text: string, label: string): number | null {
  const m = text.match(new RegExp(`${label}:?\\s+${FIGURE}`, 'm'));
  const v = num(m?.[1]);
  return v === null || !m ? null : toMs(v, m[2]);
}

/**
 * Parses benchmark_app's output. Its statistics give median, average, min and max latency per
 * inference request (or "N percentile" in place of the median with -latency_percentile N);
 * load time is reading plus compiling the model.
 */
export function parseBenchmarkApp(text: string): ToolReport {
  if (/^\[ ERROR \]/m.test(text) && !/Dumping statistics report/.test(text)) {
    const err = text.split('\n').find((l) => l.startsWith('[ ERROR ]'))!.replace('[ ERROR ]', '').trim();
    throw new UserError(`benchmark_app failed: ${err.slice(0, 300)}`);
  }
  const at = text.indexOf('Dumping statistics report');
  if (at < 0) throw missing('benchmark_app', "'Dumping statistics report' step", text);
  const stats = text.slice(at);
  const count = stats.match(/Count:\s+(\d+) iterations/);
  if (!count) throw missing('benchmark_app', "'Count: N iterations' line", text);
  const latency = stats.indexOf('Latency:');
  if (latency < 0) throw missing('benchmark_app', "'Latency:' block", text);
  // Only the overall block: C++ builds add per-shape-group blocks after it for dynamic models.
  const block = stats.slice(latency).split(/Latency for each data shape group|Throughput:/)[0];
  const latencyMs = { ...NO_LATENCY };
  latencyMs.p50 = ms(block, 'Median');
  latencyMs.mean = ms(block, '(?:Average|Avg)');
  latencyMs.min = ms(block, 'Min');
  latencyMs.max = ms(block, 'Max');
  for (const m of block.matchAll(new RegExp(`(\\d+) percentile:\\s+${FIGURE}`, 'g'))) {
    const v = toMs(Number(m[2]), m[3]);
    if (m[1] === '50') latencyMs.p50 = v;
    else if (m[1] === '90') latencyMs.p90 = v;
    else if (m[1] === '95') latencyMs.p95 = v;
    else if (m[1] === '99') latencyMs.p99 = v;
  }
  if (latencyMs.mean === null || (latencyMs.p50 === null && latencyMs.p90 === null && latencyMs.p99 === null)) {
    throw missing('benchmark_app', 'average and median (or percentile) latency', text);
  }
  const fps = stats.match(/Throughput:\s+([\d.eE+-]+)\s*FPS/);
  const read = ms(text, 'Read model took');
  const compile = ms(text, 'Compile model took') ?? ms(text, 'Load network took');
  const build = text.match(/^\[ INFO \] Build \.+ (\S+)/m)?.[1] ?? text.match(/^\[ INFO \] Build\s+:\s*(\S+)/m)?.[1] ?? null;
  const devices = stats.match(/Execution Devices:\s*\[?'?([^'\]\n]+)/)?.[1].trim() ?? text.match(/^\[ INFO \] Device info:\s*\n\[ INFO \] (\S+)/m)?.[1] ?? null;
  return {
    tool: 'benchmark_app',
    toolVersion: build,
    runtimeVersion: build ? build.split('-')[0] : null,
    loadMs: read === null && compile === null ? null : (read ?? 0) + (compile ?? 0),
    firstRunMs: ms(text, 'First inference took'),
    iterations: Number(count[1]),
    durationMs: ms(stats, 'Duration'),
    latencyMs,
    throughputPerSec: fps ? Number(fps[1]) : null,
    modelMemoryBytes: null,
    device: devices,
  };
}
