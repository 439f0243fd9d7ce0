// Markdown of an optimize manifest: one row per target, its artifact or why it failed.
import type { OptimizeManifest } from '../optimize/index.js';
import { escapePlain, type Escape } from './escape.js';

type Artifact = OptimizeManifest['artifacts'][number];

function row(a: Artifact, esc: Escape): string {
  const f = a.fidelity;
  // null: an output was NaN or infinite (the manifest is JSON, which has no Infinity).
  const fid = f
    ? `cos ${f.cosine.toFixed(5)} · max abs err ${f.maxAbsError === null ? 'not finite' : f.maxAbsError.toPrecision(3)}${f.top1Agreement === null ? '' : ` · top-1 agree ${(100 * f.top1Agreement).toFixed(2)}%`}`
    : '';
  const time = `${(a.durationMs / 1000).toFixed(1)} s`;
  if (a.status === 'ok') return `| ${esc(a.target)} | ok | ${esc(a.path ?? '')} | ${((a.bytes ?? 0) / 1024).toFixed(1)} KiB | ${fid} | ${time} |`;
  return `| ${esc(a.target)} | **failed** | ${esc(a.reason ?? '')} | | ${fid} | ${time} |`;
}

export function manifestMarkdown(m: OptimizeManifest, esc: Escape = escapePlain): string {
  return [
    `source ${esc(m.source.path)} (${(m.source.bytes / 1024).toFixed(1)} KiB, opset ${m.source.opset}); validated on ${m.validation.samples} ${esc(m.validation.inputs)} samples`,
    '',
    '| target | status | artifact | size | fidelity vs fp32 | time |',
    '| :-- | :-- | :-- | --: | :-- | --: |',
    ...m.artifacts.map((a) => row(a, esc)),
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
