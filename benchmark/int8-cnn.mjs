// The CNN int8-static goals of #23 on this machine: "CNNs no slower than today". For the ResNet-18
// and MobileNetV2 class nets (benchmark/make-cnn.py), side by side in one interleaved run, one
// thread: fp32; the int8-static artifact of today's optimizer; the one of the optimizer before the
// #23 work (EDGEML_OLD_CLI, a dist/cli/index.js built from that commit); and the choices ONNX
// Runtime's quantizer offers, each changing one thing (benchmark/int8-variants.py: U8U8 weights,
// reduce_range, per-tensor weights; optimize's own --exclude-op / --exclude-node: which ops).
// usage: npm run build && nice -n -20 node benchmark/int8-cnn.mjs   (ROUNDS, EDGEML_OLD_CLI)
// Prints a markdown section for benchmark/RESULTS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
// The CLI bundle to measure (default this checkout's dist/; a copy keeps a long run safe from rebuilds).
const CLI = process.env.EDGEML_CLI ? join(ROOT, process.env.EDGEML_CLI) : join(ROOT, 'dist/cli/index.js');
const OLD = process.env.EDGEML_OLD_CLI;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const ARCHS = (process.env.ARCHS ?? 'resnet18,mobilenetv2').split(',');
const work = mkdtempSync(join(tmpdir(), 'edgeml-bench-int8-cnn-'));
if (OLD && !existsSync(OLD)) throw new Error(`EDGEML_OLD_CLI=${OLD}: no such file (build the old commit first)`);

const run = (cli, args, allowed = [0, 1]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, maxBuffer: 1 << 26 });
  if (!allowed.includes(r.status)) throw new Error(`${cli} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r;
};
const json = (f) => JSON.parse(readFileSync(f, 'utf8'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const SHAPE = ['--input', 'images=1x3x224x224'];

function optimize(cli, model, calib, out, extra = []) {
  run(cli, ['optimize', '--model', model, '--target', 'int8-static', '--out', out, '--calibration', `images=${calib}`, '--min-top1-agreement', '0', ...SHAPE, ...extra], [0, 1, 2]);
  const a = json(join(out, 'manifest.json')).artifacts[0];
  if (a.status !== 'ok') throw new Error(`${cli} optimize ${model} ${extra.join(' ')}: ${a.reason}`);
  return { file: join(out, a.path), fidelity: a.fidelity, quick: a.speed?.speedup, summary: a.speed };
}

function bench(model) {
  const out = join(work, `b-${Math.random().toString(36).slice(2)}.json`);
  run(CLI, ['bench', model, '--threads', '1', '--warmup', '10', '--min-iterations', '30', '--min-duration', '2s', '--json', out, ...SHAPE]);
  return json(out).latencyMs.p50;
}

const NON_WEIGHTED = 'Add,Mul,Relu,Clip,LeakyRelu,MaxPool,AveragePool,GlobalAveragePool,Concat,Sigmoid,Resize,Transpose,Reshape,Flatten,Squeeze,Unsqueeze';
const lines = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};
say(`Machine: ${cpus()[0]?.model}, ${cpus().length} cores; ROUNDS=${ROUNDS}; \`edgeml bench --threads 1 --warmup 10 --min-iterations 30 --min-duration 2s\`, each in a fresh process, all rows of a model interleaved round by round (median of the per-run p50).`);
say();
for (const arch of ARCHS) {
  execFileSync('/usr/bin/python3', [join(ROOT, 'benchmark/make-cnn.py'), work, arch]);
  const model = join(work, `${arch}.onnx`);
  const calib = join(work, `${arch}_calib.npy`);
  const rows = [{ name: 'fp32 source', file: model }];
  const today = optimize(CLI, model, calib, join(work, `${arch}-today`));
  rows.push({ name: "today's optimizer (QDQ, U8S8, per-channel Conv, Conv/Add/Relu/pools quantized)", ...today });
  if (OLD) rows.push({ name: 'optimizer before #23 (6a66afb)', ...optimize(OLD, model, calib, join(work, `${arch}-old`)) });
  execFileSync('/usr/bin/python3', [join(ROOT, 'benchmark/int8-variants.py'), today.file, work]);
  for (const [v, what] of [['u8u8', 'weights uint8 (U8U8 kernels)'], ['reduce', 'weights 7-bit (reduce_range)'], ['pertensor', 'Conv weights per tensor']]) {
    const file = join(work, `${arch}-${v}.onnx`);
    execFileSync('mv', [join(work, `${v}.onnx`), file]);
    rows.push({ name: `today's, ${what}`, file });
  }
  rows.push({ name: "today's, only Conv/Gemm quantized (--exclude-op the rest)", ...optimize(CLI, model, calib, join(work, `${arch}-convonly`), ['--exclude-op', NON_WEIGHTED]) });
  const depthwise = execFileSync('/usr/bin/python3', ['-c', `import onnx\nm = onnx.load('${model}')\nprint(','.join(n.name for n in m.graph.node if n.op_type == 'Conv' and any(a.name == 'group' and a.i > 1 for a in n.attribute)))`], { encoding: 'utf8' }).trim();
  if (depthwise) rows.push({ name: "today's, depthwise Conv left in float (--exclude-node)", ...optimize(CLI, model, calib, join(work, `${arch}-dwfloat`), ['--exclude-node', depthwise]) });

  const before = load();
  const t = rows.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    rows.forEach((row, i) => t[i].push(bench(row.file)));
    process.stderr.write(`${arch} round ${r + 1}/${ROUNDS}: ${t.map((x) => x.at(-1).toFixed(1)).join(' ')} ms, load ${load()}\n`);
  }
  const after = load();
  const fp32 = median(t[0]);
  const bytes0 = statSync(model).size;
  say(`### ${arch} (load average 1/5/15 min before ${before}, after ${after})`);
  say();
  say('| artifact | bytes / fp32 | p50 (per round) | speed-up vs fp32 | fidelity cosine | optimize quick check |');
  say('| :-- | --: | --: | --: | --: | --: |');
  rows.forEach((row, i) => {
    const p = median(t[i]);
    say(`| ${row.name} | ${(statSync(row.file).size / bytes0).toFixed(3)} | ${p.toFixed(1)} ms (${t[i].map((x) => x.toFixed(0)).join(', ')}) | ${(fp32 / p).toFixed(2)}x | ${row.fidelity ? row.fidelity.cosine.toFixed(5) : ''} | ${row.quick ? `${row.quick.toFixed(2)}x` : ''} |`);
  });
  say();
}
