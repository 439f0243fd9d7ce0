// The documents drift is judged on: a device's telemetry window, the thresholds, a histogram's scores.
import type { Histogram as LatencyHistogram } from '../fleet-status/index.js';

/** One telemetry window as a device writes it (a JSON line). */
export interface TelemetryWindow {
  model: string;
  sha256: string;
  device: string;
  start: string;
  end: string;
  requests: number;
  counts: Record<string, number[]>;
  /** The window's latencies; `histogram` is the mergeable log-bucket histogram (src/fleet-status). */
  latencyMs?: { p50: number; p90: number; p99: number; count: number; histogram?: LatencyHistogram };
  /** sha256 of the profile the counts were filled for; null when the release carries none (absent from older servers' windows). */
  profile?: string | null;
  /** The release's target, the device's label (as CI's runner labels) and the p90 CI measured on its label (from the evidence). */
  target?: string;
  label?: string | null;
  ci?: { p90Ms: number; label: string } | null;
  /** The device's own verdict against that profile (its thresholds; `edgeml drift` applies its own to the scores). */
  verdict?: { judged: boolean; drift: boolean; reason?: string; scores: HistogramScore[] };
}

/**
 * When a histogram counts as drifted. Both a size-aware test and an effect size must agree, so a
 * small window's noise stays quiet (KS p-value) and a huge window's trivial shift too (PSI/JS):
 * Evidently's defaults are KS p < 0.05 on small data and a Jensen-Shannon distance of 0.1 on
 * large; the PSI rule of thumb calls 0.1 to 0.2 moderate. Several histograms are tested per
 * window, so the p-value threshold is 0.01.
 */
export interface DriftSettings {
  ksAlpha: number;
  psi: number;
  jensenShannon: number;
  /** This many breached windows in a row fire the trigger. */
  windowsInARow: number;
  /** A window with fewer requests is not judged. */
  minRequests: number;
  /** Latency drift: the field p90's interval lies above CI's p90 times this. */
  latencyRatio: number;
}

export interface HistogramScore {
  key: string;
  psi: number;
  jensenShannon: number;
  ks: { statistic: number; pValue: number };
  drift: boolean;
}
