// TensorFlow Lite / LiteRT benchmark_model (TF 2.4 to 2.18+; "INFO: " prefixes or none).
import { UserError } from '../../errors.js';
import { missing, num, type ToolReport } from './report.js';

const MB = 2 ** 20;

/**
 * Parses benchmark_model's output. Timings are printed in microseconds. The timed runs are the
 * last "count=N first=... avg=..." line; newer builds add p5/median/p95 to it. Memory is the
 * tool's own estimate for the model ("Peak memory footprint" in older builds, "Memory footprint
 * delta from the start of the tool" in newer ones), overall, in MB.
 */
export function parseBenchmarkModel(text: string): ToolReport {
  if (/Benchmarking failed/.test(text)) {
    const err = text.split('\n').filter((l) => /^(ERROR: |Failed)/.test(l.trim())).map((l) => l.trim())[0];
    throw new UserError(`benchmark_model failed${err ? `: ${err.replace(/^ERROR: /, '').slice(0, 300)}` : ''}`);
  }
  const summary = text.match(/Inference timings in us: Init: ([\d.eE+-]+), First inference: ([\d.eE+-]+), Warmup \(avg\): ([\d.eE+-]+), Inference \(avg\): ([\d.eE+-]+)/);
  if (!summary) throw missing('benchmark_model', "'Inference timings in us:' line", text);
  const runs = [...text.matchAll(/count=(\d+) first=\S+ curr=\S+ min=(\S+) max=(\S+) avg=(\S+) std=(\S+)(?: p5=\S+ median=(\S+) p95=(\S+))?/g)].pop();
  if (!runs) throw missing('benchmark_model', "'count=N ... avg=... std=...' line for the timed runs", text);
  const us = (s: string | undefined) => {
    const v = num(s);
    return v === null ? null : v / 1000;
  };
  const mem = text.match(/(?:Peak memory footprint|Memory footprint delta from the start of the tool) \(MB\): init=[\d.eE+-]+ overall=([\d.eE+-]+)/)
    ?? text.match(/Overall peak memory footprint \(MB\) via periodic monitoring: ([\d.eE+-]+)/);
  const mean = us(runs[4]);
  const delegates = [...text.matchAll(/Created TensorFlow Lite (?:(\w+) )?delegate for (\w+)/g)].map((m) => m[1] ?? m[2]);
  return {
    tool: 'benchmark_model',
    toolVersion: null,
    runtimeVersion: null,
    loadMs: us(summary[1]),
    firstRunMs: us(summary[2]),
    iterations: Number(runs[1]),
    durationMs: null,
    latencyMs: { mean, stddev: us(runs[5]), min: us(runs[2]), max: us(runs[3]), p50: us(runs[6]), p90: null, p95: us(runs[7]), p99: null },
    throughputPerSec: null,
    modelMemoryBytes: mem ? Math.round(Number(mem[1]) * MB) : null,
    device: delegates.length ? delegates.join('+') : 'CPU',
  };
}
