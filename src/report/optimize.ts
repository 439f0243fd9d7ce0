// Markdown of an optimize manifest: one row per target, its artifact or why it failed.
import type { OptimizeManifest } from '../optimize/index.js';
import { escapePlain, type Escape } from './escape.js';

type Artifact = OptimizeManifest['artifacts'][number];

function row(a: Artifact, esc: Escape): string {
  const fid = a.fidelity
    ? `cos ${a.fidelity.cosine.toFixed(5)} · max|err| ${a.fidelity.maxAbsError.toPrecision(3)}${a.fidelity.top1Agreement === null ? '' : ` · top-1 agree ${(100 * a.fidelity.top1Agreement).toFixed(2)}%`}`
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
