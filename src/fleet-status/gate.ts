// The rollout gate (hawkBit's thresholds): a release goes further only when the devices of its
// current stage report it — at least N of them, a success share of at least X% — and an error
// share above Y% stops it (and, with --auto-rollback, rolls the channel back).
import { UserError } from '../errors.js';
import type { DeviceRow, FleetStatus, GateThresholds, GateVerdict, GateResult } from './types.js';

const SUCCEEDED = new Set(['success', 'already-installed']);

/** Devices whose desired release is `version` (on `channel` when given): the stage being judged. */
function stageOf(s: FleetStatus, version: string, channel: string | undefined): DeviceRow[] {
  return s.devices.filter((d) => d.desired === version && (!channel || d.channel === channel));
}

export function evaluateGate(s: FleetStatus, version: string, t: GateThresholds, channel?: string): GateResult {
  const stage = stageOf(s, version, channel);
  const live = stage.filter((d) => !d.silent);
  const channels = [...new Set(live.map((d) => d.channel ?? '?'))];
  if (!channel && channels.length > 1) {
    throw new UserError(`devices report ${version} on several channels (${channels.join(', ')}): give --from CHANNEL, the channel whose stage the gate judges`);
  }
  const succeeded = live.filter((d) => d.installed === version && SUCCEEDED.has(d.state) && !d.error).length;
  const failed = live.filter((d) => d.failing).length;
  const n = live.length;
  const pct = (x: number) => (n ? Math.round((x / n) * 1000) / 10 : 0);
  const base = { version, channel: channel ?? channels[0] ?? null, thresholds: t, reporting: n, succeeded, failed, pending: n - succeeded - failed, silent: stage.length - n, successPercent: pct(succeeded), errorPercent: pct(failed) };
  const figures = `${n} reporting devices, ${base.successPercent}% succeeded, ${base.errorPercent}% failed`;
  let verdict: GateVerdict;
  let line: string;
  if (n > 0 && base.errorPercent > t.errorThreshold) {
    verdict = 'error-threshold-crossed';
    line = `gate: ${version} crossed the error threshold: ${failed} of ${n} devices failed (${base.errorPercent}% > ${t.errorThreshold}%)`;
  } else if (n < t.minDevices) {
    verdict = 'too-few-devices';
    line = `gate: ${version} is not judged yet: ${n} of the ${t.minDevices} devices needed report it (${figures})`;
  } else if (base.successPercent < t.successThreshold) {
    verdict = 'below-success-threshold';
    line = `gate: ${version} is below the success threshold: ${base.successPercent}% < ${t.successThreshold}% (${figures})`;
  } else {
    verdict = 'pass';
    line = `gate: ${version} passes: ${figures} (needs ${t.minDevices} devices, ${t.successThreshold}% success, at most ${t.errorThreshold}% failed)`;
  }
  return { ...base, verdict, line };
}
