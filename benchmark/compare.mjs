// npm run bench (compare part): how often `edgeml compare` cries wolf (A/A), how often it catches a
// real 10% slowdown (A/B), how long it takes, and the same measurements judged the way single-run
// benchmark actions judge them (one stored number, alert above a ratio). Writes RESULTS-compare.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const N = Number(process.env.EDGEML_BENCH_N ?? 20);
const A = 'test/fixtures/conv-10.onnx';
const B = 'test/fixtures/conv-11.onnx'; // one more conv layer: 10% more compute
const MAX = process.env.EDGEML_BENCH_MAX_DURATION ?? '30s';
const FLAGS = ['--threads', '1', '--warmup', '3', '--min-iterations', '10', '--min-duration', '200ms', '--max-duration', MAX, '--threshold', '5%'];
// The CLI bundle to measure (default this checkout's dist/; a copy keeps a long run safe from rebuilds).
const CLI = process.env.EDGEML_CLI ?? 'dist/cli/index.js';
const dir = mkdtempSync(join(os.tmpdir(), 'edgeml-bench-compare-'));

function compare(base, head, i) {
  const out = join(dir, `${String(i).replace(/\W+/g, "-")}.json`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'compare', '--base', base, '--head', head, ...FLAGS, '--json', out], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
  return { ...JSON.parse(readFileSync(out, 'utf8')), wallMs: Date.now() - t0 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function runSet(name, base, head) {
  const docs = [];
  for (let i = 0; i < N; i++) {
    const d = compare(base, head, `${name}-${i}`);
    docs.push(d);
    process.stderr.write(`${name} ${i + 1}/${N}: ${d.verdict} ${d.ratio.p50.estimate.toFixed(3)} [${d.ratio.p50.ci95?.map((x) => x.toFixed(3)).join(', ') ?? '-'}] ${d.rounds} rounds ${(d.wallMs / 1000).toFixed(1)} s\n`);
  }
  const count = (v) => docs.filter((d) => d.verdict === v).length;
  // The single-run policy on the same measurements: the first base run is the stored number, the
  // first head run the new one; alert when head/base exceeds the ratio. Also over every round.
  const naive = (ratio) => ({
    first: docs.filter((d) => d.measurements[0].head.p50 / d.measurements[0].base.p50 > ratio).length,
    rounds: docs.flatMap((d) => d.measurements).filter((m) => m.head.p50 / m.base.p50 > ratio).length,
    totalRounds: docs.reduce((s, d) => s + d.measurements.length, 0),
  });
  return {
    name, slower: count('slower'), faster: count('faster'), unchanged: count('unchanged'), inconclusive: count('inconclusive'),
    medianWallS: median(docs.map((d) => d.wallMs)) / 1000, medianRounds: median(docs.map((d) => d.rounds)),
    medianRatio: median(docs.map((d) => d.ratio.p50.estimate)), naive105: naive(1.05), naive200: naive(2),
  };
}

// A/B first: it is the one that needs a quiet machine to decide within --max-duration.
const ab = runSet('A/B', A, B);
const aa = runSet('A/A', A, A);
const cpu = os.cpus()[0]?.model ?? 'unknown';
const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const pct = (n, d) => `${n}/${d}`;
const md = `# edgeml compare: A/A and A/B

Written by \`npm run bench\` (\`node benchmark/compare.mjs\`, ${N} comparisons each) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version}, load average at the end ${load} (shared with other jobs: noisy on purpose).

Each comparison: \`edgeml compare --base A --head B ${FLAGS.join(' ')}\`
(A = \`${A}\`, 10 conv layers; B = \`${B}\`, 11 layers, 10% more compute). Verdict on p50.

| | A/A (model vs itself) | A/B (10% more compute) |
| :-- | --: | --: |
| \`slower\` (goal: A/A 0, A/B >= ${N - 1} of ${N}) | ${pct(aa.slower, N)} | ${pct(ab.slower, N)} |
| \`unchanged\` | ${pct(aa.unchanged, N)} | ${pct(ab.unchanged, N)} |
| \`inconclusive\` | ${pct(aa.inconclusive, N)} | ${pct(ab.inconclusive, N)} |
| \`faster\` | ${pct(aa.faster, N)} | ${pct(ab.faster, N)} |
| median head/base p50 | ${aa.medianRatio.toFixed(3)} | ${ab.medianRatio.toFixed(3)} |
| median wall time to a verdict | ${aa.medianWallS.toFixed(1)} s | ${ab.medianWallS.toFixed(1)} s |
| median rounds | ${aa.medianRounds} | ${ab.medianRounds} |

The same measurements judged by the single-run policy of today's benchmark actions (a stored
number from one run, the new number from one run, alert when new/stored exceeds a ratio):

| single-run policy | A/A false alarms | A/B alerts (misses = rest) |
| :-- | --: | --: |
| alert above 105%, first round of each comparison | ${pct(aa.naive105.first, N)} | ${pct(ab.naive105.first, N)} |
| alert above 105%, every round as a separate run | ${pct(aa.naive105.rounds, aa.naive105.totalRounds)} | ${pct(ab.naive105.rounds, ab.naive105.totalRounds)} |
| alert above 200% (github-action-benchmark's default), every round | ${pct(aa.naive200.rounds, aa.naive200.totalRounds)} | ${pct(ab.naive200.rounds, ab.naive200.totalRounds)} |
`;
writeFileSync('benchmark/RESULTS-compare.md', md);
process.stdout.write(md);
