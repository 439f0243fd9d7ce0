// The note that names the devices of a matrix that did not report, so that a report merged from
// the devices that did is never read as covering all of them.
import type { Escape, Report } from './types.js';

/**
 * One quoted line per reason (the workflow's own words, not a document's), naming its devices, and one
 * naming the devices the report does hold; '' when none is missing. Labels are escaped.
 */
export function missingDevicesNote(r: Report, e: Escape): string {
  if (!r.missing?.length) return '';
  const byReason = new Map<string, string[]>();
  for (const m of r.missing) byReason.set(m.reason, [...(byReason.get(m.reason) ?? []), m.device]);
  const reported = [...new Set(r.models.flatMap((m) => m.rows.map((row) => row.device)))].sort();
  const lines = [...byReason].map(([reason, devices]) => `> ⚠️ **Not reported** (${devices.length === 1 ? '1 device' : `${devices.length} devices`}): ${devices.map((d) => e(d)).join(', ')}: ${reason}.`);
  lines.push(`> ${reported.length ? `The results below are from ${reported.map((d) => e(d)).join(', ')} only.` : 'No device reported results.'}`);
  return lines.join('\n>\n');
}

/** Why an expected device has no results, as the report says it. */
export const MISSING_REASON = {
  noResults: 'no results: its job was skipped, cancelled or failed before writing them, or no runner with its label came online',
  fork: "not measured: this pull request comes from a fork, and self-hosted devices run only the repository's own pull requests",
} as const;
