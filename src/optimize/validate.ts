// What optimize checks of an artifact besides its fidelity (src/tensors/outputs.ts): a quick
// timing against its source, and that a target meant to be smaller is.
import type * as Ort from 'onnxruntime-node';
import { type Feeds, loadOrt } from '../tensors/index.js';

/** A short timing of an artifact against its source on the machine that made it (not a benchmark). */
export interface QuickSpeed {
  /** source median / artifact median: above 1 the artifact is faster. */
  speedup: number;
  sourceMs: number;
  artifactMs: number;
  rounds: number;
  threads: 1;
  /** Always 'optimizing machine': the device that runs the artifact may differ. */
  measuredOn: 'optimizing machine';
}

/**
 * Interleaved single-thread timing (source, artifact, source, ...) on one batch of the validation
 * inputs, for about `budgetMs` after a warm-up; medians of the per-round times. Machine noise falls
 * on both sides alike, but it is a quick check, not `edgeml bench`.
 */
export async function quickSpeed(source: string, artifact: string, feeds: Feeds, budgetMs = 1500, maxRounds = 60): Promise<QuickSpeed> {
  const ort = loadOrt();
  // 4 (fatal only): a failed run is one exception, not ORT log lines on stderr as well.
  const opts: Ort.InferenceSession.SessionOptions = { logSeverityLevel: 4, intraOpNumThreads: 1, interOpNumThreads: 1 };
  const sessions = [await ort.InferenceSession.create(source, opts), await ort.InferenceSession.create(artifact, opts)];
  try {
    const times: number[][] = [[], []];
    const once = async (s: Ort.InferenceSession) => {
      const t0 = performance.now();
      await s.run(feeds);
      return performance.now() - t0;
    };
    for (const s of sessions) for (let i = 0; i < 3; i++) await once(s);
    const started = performance.now();
    while (times[0].length < maxRounds && (times[0].length < 5 || performance.now() - started < budgetMs)) {
      for (let k = 0; k < 2; k++) times[k].push(await once(sessions[k]));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const [sourceMs, artifactMs] = times.map(median);
    return { speedup: artifactMs > 0 ? sourceMs / artifactMs : 1, sourceMs, artifactMs, rounds: times[0].length, threads: 1, measuredOn: 'optimizing machine' };
  } finally {
    for (const s of sessions) await s.release();
  }
}

/** Targets whose whole point is a smaller file: one that is not smaller is refused. */
export const SMALLER_TARGETS = ['fp16', 'int8-dynamic', 'int8-static'] as const;

/** Why an artifact of `target` is refused for its size, or null: `bytes / source bytes` in the message. */
export function sizeProblem(target: string, bytes: number, sourceBytes: number): string | null {
  if (!(SMALLER_TARGETS as readonly string[]).includes(target) || bytes < sourceBytes) return null;
  return `${bytes} bytes, ${(bytes / sourceBytes).toFixed(3)} of the source's ${sourceBytes}: a ${target} artifact must be smaller than its source; not shipped`;
}
