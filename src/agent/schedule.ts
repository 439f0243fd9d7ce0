// When the agent polls next: the interval after a poll that reached the channel; after polls that
// failed to (unreachable, refused, broken metadata) an exponential backoff with full jitter,
// bounded, and reset by the first poll that succeeds. A dead channel is not hammered, and a fleet
// that lost it does not come back all in the same second.

/** The shortest --interval accepted: below it a device would spin against its channel. */
export const MIN_INTERVAL_MS = 1000;
/** Backoff never waits longer than this (or the interval, when that is longer). */
export const MAX_BACKOFF_MS = 60 * 60 * 1000;

/**
 * The wait before the next poll. `failures` counts the polls in a row that did not reach the
 * channel (0 after a success); `random` is in [0, 1).
 */
export function nextDelay(intervalMs: number, failures: number, random: () => number = Math.random): number {
  if (failures <= 0) return intervalMs;
  const cap = Math.max(intervalMs, MAX_BACKOFF_MS);
  const ceiling = Math.min(cap, intervalMs * 2 ** Math.min(failures, 30));
  // Full jitter over the upper half: at least half the ceiling, so the backoff still grows.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
