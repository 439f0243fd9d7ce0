// Markdown of an optimize manifest: one row per target, its artifact or why it failed.
import type { OptimizeManifest } from '../optimize/index.js';
import { escapePlain } from './escape.js';
import type { Escape } from './types.js';

type Artifact = OptimizeManifest['artifacts'][number];

function row(a: Artifact, esc: Escape): string {
  const f = a.fidelity;
  // null: an output was NaN or infinite (the manifest is JSON, which has no Infinity).
  const fid = f
    ? `cos ${f.cosine.toFixed(5)} · max abs err ${f.maxAbsError === null ? 'not finite' : f.maxAbsError.toPrecision(3)}${f.top1Agreement === null ? '' : ` · top-1 agree ${(100 * f.top1Agreement).toFixed(2)}%`}`
    : '';
  const time = `${(a.durationMs / 1000).toFixed(1)} s`;
  const size = a.bytes === undefined ? '' : `${(a.bytes / 1024).toFixed(1)} KiB${a.sizeRatio === undefined ? '' : ` (${a.sizeRatio.toFixed(3)} of source)`}`;
  if (a.status === 'ok') return `| ${esc(a.target)} | ok | ${esc(a.path ?? '')} | ${size} | ${fid} | ${speedCell(a.speed)} | ${time} |`;
  return `| ${esc(a.target)} | **failed** | ${esc(a.reason ?? '')} | ${size} | ${fid} | | ${time} |`;
}

/** The quick timing against the source; an artifact that is not faster says so. */
function speedCell(s: Artifact['speed']): string {
  if (!s) return '';
  const x = `${s.speedup.toFixed(2)}x`;
  return s.speedup < 1 ? `${x} ⚠️ slower than the source on the optimizing machine` : x;
}

/** One line per artifact slower than its source where it was made, or none. */
export function slowerArtifacts(m: OptimizeManifest): string[] {
  return m.artifacts
    .filter((a) => a.status === 'ok' && a.speed && a.speed.speedup < 1)
    .map((a) => `${a.target} runs ${a.speed!.speedup.toFixed(2)}x the speed of the source on the machine that made it (${a.speed!.artifactMs.toFixed(2)} ms vs ${a.speed!.sourceMs.toFixed(2)} ms, 1 thread): smaller, not faster here`);
}

export function manifestMarkdown(m: OptimizeManifest, esc: Escape = escapePlain): string {
  return [
    `source ${esc(m.source.path)} (${(m.source.bytes / 1024).toFixed(1)} KiB, opset ${m.source.opset}); validated on ${m.validation.samples} ${esc(m.validation.inputs)} samples`,
    '',
    '| target | status | artifact | size | fidelity vs fp32 | speed vs source (1 thread, this machine) | time |',
    '| :-- | :-- | :-- | --: | :-- | :-- | --: |',
    ...m.artifacts.map((a) => row(a, esc)),
    ...slowerArtifacts(m).map((line, i) => `${i ? '' : '\n'}⚠️ ${esc(line)}`),
  ].join('\n');
}

/** Accuracy of the source model and of each artifact on the same labelled data (optimize action). */
export function accuracyMarkdown(rows: Array<{ target: string; samples: number; metrics: Record<string, number> }>, esc: Escape = escapePlain): string {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
  const cell = (name: string, v: number | undefined) => (v === undefined ? '' : name.startsWith('top') ? `${(100 * v).toFixed(2)}%` : v.toPrecision(4));
  return [
    `accuracy on ${rows[0]?.samples ?? 0} labelled samples`,
    '',
    `| model | ${names.map(esc).join(' | ')} |`,
    `| :-- | ${names.map(() => '--:').join(' | ')} |`,
    ...rows.map((r) => `| ${esc(r.target)} | ${names.map((n) => cell(n, r.metrics[n])).join(' | ')} |`),
  ].join('\n');
}
