// Staged rollout: a device is in when sha256(device id + salt) mod 100 < percent. The salt and the
// percent are signed metadata, so a mirror cannot widen a rollout; a new salt per release spreads
// the early-adopter burden across the fleet, and widening a rollout keeps everyone already in.
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import type { Rollout } from './types.js';

/** The device's bucket for a salt, 0..99. */
export function cohortBucket(deviceId: string, salt: string): number {
  const digest = createHash('sha256').update(`${deviceId}${salt}`).digest('hex');
  return Number(BigInt(`0x${digest}`) % 100n);
}

export function inRollout(deviceId: string, rollout: Rollout, now = new Date()): boolean {
  if (rollout.notBefore && Date.parse(rollout.notBefore) > now.getTime()) return false;
  return cohortBucket(deviceId, rollout.salt) < rollout.percent;
}

export function parseNotBefore(text: string | undefined, flag = '--not-before'): string | null {
  if (!text) return null;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UserError(`${flag} ${JSON.stringify(text)}: not a date; use ISO 8601, e.g. 2025-07-01T08:00:00Z`);
  return new Date(t).toISOString();
}
