// What a vendor benchmark tool tells us, in our units (ms, bytes), before it becomes a results
// document. A figure the tool does not print is null, never a guess.
import type { ReportedLatencySummary } from '../../results/index.js';
import { UserError } from '../../errors.js';

export type VendorTool = 'trtexec' | 'benchmark_app' | 'benchmark_model';

/** The results document's latency figures: null where the tool does not print one. */
export type ReportedLatency = ReportedLatencySummary;

export interface ToolReport {
  tool: VendorTool;
  /** The tool's own version string as it prints it (trtexec "v101601"), null when it prints none. */
  toolVersion: string | null;
  /** The runtime's version (TensorRT 10.16.1, OpenVINO build), null when not printed. */
  runtimeVersion: string | null;
  /** Engine build or deserialize (TensorRT), read + compile (OpenVINO), init (TFLite). */
  loadMs: number | null;
  firstRunMs: number | null;
  /** Timed iterations (queries). */
  iterations: number;
  durationMs: number | null;
  latencyMs: ReportedLatency;
  throughputPerSec: number | null;
  /** Memory the tool itself reports for the model (TFLite's footprint delta), bytes. */
  modelMemoryBytes: number | null;
  /** Where the tool ran the model, as it names it (CPU, GPU.0, an NVIDIA GPU, XNNPACK). */
  device: string | null;
}

export const TOOL_RUNTIME: Record<VendorTool, string> = {
  trtexec: 'TensorRT',
  benchmark_app: 'OpenVINO',
  benchmark_model: 'TensorFlow Lite',
};

/**
 * The error for output a parser cannot use: it names the tool, what was missing, and the last
 * lines the tool printed (where a failed run says why).
 */
export function missing(tool: VendorTool, what: string, text: string): UserError {
  const tail = text.trim().split('\n').map((l) => l.trim()).filter(Boolean).slice(-2).join(' | ').slice(0, 300);
  return new UserError(
    `${tool} output has no ${what} (the run failed or its output was cut short)${tail ? `; it ended with: ${tail}` : '; it printed nothing'}`,
  );
}

/** A number as these tools print it: 12, 0.0441, 1.24027e+06. */
export function num(text: string | undefined): number | null {
  if (text === undefined) return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

/** Milliseconds from a value and a unit the tools use (us, µs, ms, s, sec). */
export function toMs(value: number, unit: string): number {
  const u = unit.toLowerCase();
  if (u === 'us' || u === 'µs') return value / 1000;
  if (u === 's' || u === 'sec' || u === 'seconds') return value * 1000;
  return value;
}

export const NO_LATENCY: ReportedLatency = { mean: null, stddev: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null };
