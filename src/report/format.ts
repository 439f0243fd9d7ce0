// Numbers as reviewers read them. Always formatted from numbers, never from strings in documents.

/** A duration in ms with three significant figures, in µs below 1 ms (12.3 µs, 1.23 ms, 123 ms). */
export function fmtMs(ms: number | null): string {
  if (ms === null) return 'not reported';
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms === 0) return '0 ms';
  const sig3 = (v: number) => (v >= 100 ? v.toFixed(0) : v.toPrecision(3));
  return Math.abs(ms) < 1 ? `${sig3(ms * 1000)} µs` : `${sig3(ms)} ms`;
}

export function fmtBytes(bytes: number | null): string {
  if (bytes === null) return 'not reported';
  if (!Number.isFinite(bytes)) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${bytes < 0 ? '-' : ''}${u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

export function fmtRate(perSec: number | null, unit = 'samples/s'): string {
  if (perSec === null) return 'not reported';
  if (!Number.isFinite(perSec)) return 'n/a';
  return `${perSec >= 100 ? perSec.toFixed(0) : perSec.toPrecision(3)} ${unit}`;
}

export function fmtShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

export function fmtInterval(ci: [number, number] | null): string {
  return ci ? `${fmtMs(ci[0])} – ${fmtMs(ci[1])}` : 'too few queries';
}

/** A head/base ratio as a signed change: 1.1 -> "+10.0%", 0.95 -> "-5.0%". */
export function fmtChange(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  const pct = (ratio - 1) * 100;
  return `${pct >= 0 ? '+' : '-'}${Math.abs(pct).toFixed(1)}%`;
}

/** A number without a known unit (budget values and limits): up to four significant figures. */
export function fmtNumber(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  return String(Number(v.toPrecision(4)));
}
