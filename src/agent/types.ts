// What the device agent says of itself: its state and the status file it keeps (status.json),
// read by the fleet reporter and `edgeml agent --status`.
import type { Installed } from './slots.js';

export type AgentState = 'checking' | 'downloading' | 'verifying' | 'installing' | 'health-check' | 'success' | 'failure' | 'rolled-back' | 'idle';

export type PollResult = 'installed' | 'up-to-date' | 'not-in-rollout' | 'no-release' | 'health-check-failed' | 'rolled-back' | 'unreachable' | 'error';

export interface AgentStatus {
  schema: 'edgeml-agent-status/1';
  deviceId: string;
  channel: string;
  target: string;
  /** The model this device runs: --model, else the one it installed first (null before that). */
  model: string | null;
  current: Installed | null;
  previous: Installed | null;
  /** Where the poll is (or ended). */
  state: AgentState;
  lastCheck: string;
  lastResult: PollResult;
  lastError: string | null;
  /** A release that failed its health check: not downloaded again. */
  rejected: { release: number; sha256: string; version: string; reason: string } | null;
  /**
   * The last acceptance check of a release: which check (before or after the switch), its
   * agreement with CI and each latency budget judged on this device (null before any check).
   */
  acceptance?: Acceptance | null;
  /** The download under way (or cut short, resumed next poll); `source` says where the bytes came from. */
  download: { release: number; version: string; sha256: string; bytes: number; total: number; source?: 'channel' | 'oci-mirror' } | null;
}

/** The device's latency judged against a budget: the release's (CI's edgeml.yml budget) or --max-latency. */
export interface LatencyVerdict {
  key: 'latency.p50' | 'latency.p90' | 'latency.p99';
  limitMs: number;
  /** Where the limit came from: the release's signed budget, or --max-latency (which overrides it). */
  from: 'release' | '--max-latency';
  /** The percentile measured on this device (null when it could not be judged), over `runs` timed inferences. */
  measuredMs: number | null;
  runs: number;
  verdict: 'pass' | 'fail' | 'not judged';
  /** This device's label, and CI's label and figure for the same key (when the release carries them). */
  device: string;
  ciDevice: string | null;
  ciMs: number | null;
  /** One sentence: the figures, why it was not judged, or that CI measured on another device. */
  note: string;
}

/** One acceptance check of a release as status.json records it. */
export interface Acceptance {
  check: 'before-switch' | 'after-switch';
  release: number;
  version: string;
  ok: boolean;
  cosine: number | null;
  top1Agreement: number | null;
  latency: LatencyVerdict[];
}
