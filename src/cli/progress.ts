// Progress of a long measurement: a bar on an interactive terminal, nothing in logs and pipes.
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../bench/index.js';

export interface Progress {
  update(p: ProgressEvent & { step: string }): void;
  stop(): void;
}

export function terminalProgress(totalMs: number, minIterations: number): Progress {
  if (!process.stderr.isTTY || process.env.CI) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {step} [{bar}] {percentage}% | {phase} {done} | {seconds}s',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { step: 'measure', phase: 'load', done: 0, seconds: '0.0' });
  return {
    update(p) {
      const byTime = totalMs > 0 ? p.elapsedMs / totalMs : 1;
      const byCount = minIterations > 0 ? p.done / minIterations : 1;
      const pct = p.phase === 'measure' ? Math.min(99, Math.floor(100 * Math.min(byTime, byCount))) : 0;
      bar.update(pct, { step: p.step, phase: p.phase, done: p.done, seconds: (p.elapsedMs / 1000).toFixed(1) });
    },
    stop() {
      bar.stop();
    },
  };
}
