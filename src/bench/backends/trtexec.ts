// TensorRT's trtexec: its log (any verbosity, TensorRT 8.4 to 10.x) and its --exportTimes JSON.
import { UserError } from '../../errors.js';
import { NO_LATENCY, missing, num, toMs, type ReportedLatency, type ToolReport } from './report.js';

const INFO = String.raw`(?:^|\]\s)`; // lines read "[date] [I] Message"

function find(text: string, re: RegExp): RegExpMatchArray | null {
  return text.match(re);
}

/** "min = 0.04 ms, max = 0.14 ms, mean = ..., median = ..., percentile(90%) = ... ms". */
function latencyFields(line: string): ReportedLatency {
  const out: ReportedLatency = { ...NO_LATENCY };
  for (const m of line.matchAll(/(min|max|mean|median|percentile\((\d+(?:\.\d+)?)%\))\s*=\s*([-\d.eE+]+)\s*(ms|us|µs|s)\b/g)) {
    const v = num(m[3]);
    if (v === null) continue;
    const ms = toMs(v, m[4]);
    if (m[1] === 'min') out.min = ms;
    else if (m[1] === 'max') out.max = ms;
    else if (m[1] === 'mean') out.mean = ms;
    else if (m[1] === 'median') out.p50 = ms;
    else if (m[2] === '90') out.p90 = ms;
    else if (m[2] === '95') out.p95 = ms;
    else if (m[2] === '99') out.p99 = ms;
  }
  return out;
}

/**
 * Parses trtexec's output. Latency is the host latency of one query (H2D + compute + D2H), the
 * figure trtexec's "Latency:" summary line gives; load time is the engine build (from ONNX) plus
 * reading and deserializing the engine.
 */
export function parseTrtexec(text: string): ToolReport {
  if (/^&&&& FAILED/m.test(text)) {
    const err = text.split('\n').filter((l) => /\[E\]|Error|error/.test(l)).slice(-1)[0]?.trim();
    throw new UserError(`trtexec failed${err ? `: ${err.slice(0, 300)}` : ''}`);
  }
  const summary = text.indexOf('=== Performance summary ===');
  if (summary < 0) throw missing('trtexec', "'=== Performance summary ===' section", text);
  const after = text.slice(summary);
  const latLine = find(after, new RegExp(`${INFO}Latency: (min = .*)$`, 'm'));
  if (!latLine) throw missing('trtexec', "'Latency:' line in its performance summary", text);
  const latencyMs = latencyFields(latLine[1]);
  if (latencyMs.mean === null || latencyMs.p50 === null) throw missing('trtexec', 'mean and median on its Latency line', text);
  const trace = find(text, /Timing trace has (\d+) queries over ([\d.eE+]+) s/);
  if (!trace) throw missing('trtexec', "'Timing trace has N queries' line", text);
  const walltime = find(after, /Total Host Walltime: ([\d.eE+]+) (s|ms)/);
  const qps = find(after, /Throughput: ([\d.eE+]+) qps/);
  const secs = (re: RegExp) => {
    const m = find(text, re);
    return m ? (num(m[1]) ?? 0) * 1000 : null;
  };
  const parts = [secs(/Engine built in ([\d.eE+-]+) sec/), secs(/Engine loaded in ([\d.eE+-]+) sec/), secs(/Engine deserialized in ([\d.eE+-]+) sec/)];
  const known = parts.filter((p): p is number => p !== null);
  return {
    tool: 'trtexec',
    toolVersion: find(text, /TensorRT\.trtexec \[TensorRT (v\d+)\]/)?.[1] ?? null,
    runtimeVersion: find(text, /TensorRT version: ([\w.]+)/)?.[1] ?? null,
    loadMs: known.length ? known.reduce((a, b) => a + b, 0) : null,
    firstRunMs: null,
    iterations: Number(trace[1]),
    durationMs: walltime ? toMs(Number(walltime[1]), walltime[2]) : Number(trace[2]) * 1000,
    latencyMs,
    throughputPerSec: qps ? Number(qps[1]) : null,
    modelMemoryBytes: null,
    device: find(text, /Selected Device: (.+)$/m)?.[1].trim() ?? null,
  };
}

/**
 * Per-query host latencies (ms) from the file `trtexec --exportTimes=FILE` writes: a JSON array
 * with one object per query whose `latencyMs` is that query's host latency.
 */
export function parseTrtexecTimes(json: string, file = '--exportTimes file'): number[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new UserError(`trtexec ${file} is not JSON (the run failed or the file was cut short)`);
  }
  if (!Array.isArray(doc) || doc.length === 0) throw new UserError(`trtexec ${file} holds no queries: expected a JSON array of timings`);
  return doc.map((q, i) => {
    const v = (q as { latencyMs?: unknown })?.latencyMs;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new UserError(`trtexec ${file}: query ${i} has no latencyMs; expected the format of trtexec --exportTimes`);
    }
    return v;
  });
}
