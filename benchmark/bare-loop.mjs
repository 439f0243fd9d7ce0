// The baseline edgeml bench is held against: the loop a user would write by hand.
// node benchmark/bare-loop.mjs MODEL INPUT_NAME 1x3x48x192 THREADS WARMUP ITERATIONS
import ort from 'onnxruntime-node';
const [model, name, shape, threads, warmup, iterations] = process.argv.slice(2);
const dims = shape.split('x').map(Number);
const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => Math.random());
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: Number(threads), graphOptimizationLevel: 'all' });
const feeds = { [name]: new ort.Tensor('float32', data, dims) };
for (let i = 0; i < Number(warmup); i++) await session.run(feeds);
const times = [];
for (let i = 0; i < Number(iterations); i++) {
  const t0 = performance.now();
  await session.run(feeds);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const at = (p) => times[Math.floor((times.length - 1) * p)] + ((times.length - 1) * p % 1) * (times[Math.ceil((times.length - 1) * p)] - times[Math.floor((times.length - 1) * p)]);
process.stdout.write(JSON.stringify({ p50: at(0.5), p90: at(0.9) }) + '\n');
