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
  /** The download under way (or cut short, resumed next poll); `source` says where the bytes came from. */
  download: { release: number; version: string; sha256: string; bytes: number; total: number; source?: 'channel' | 'oci-mirror' } | null;
}
