// `edgeml bench`'s settings, the benchmark action's inputs and edgeml.yml's benchmark: keys: one
// table (see src/settings/). `edgeml compare` takes the measured ones with its own defaults.
import { RUNTIME_SETTINGS, uploadSettings, type SettingsTable } from '../settings/index.js';
import { PRECISIONS, RUNTIMES } from './backends/tools.js';
import type { OptLevel, Scenario } from './protocol.js';

export const OPT_LEVELS: OptLevel[] = ['disabled', 'basic', 'extended', 'layout', 'all'];
export const SCENARIOS: Scenario[] = ['single-stream', 'multi-stream', 'offline'];

/** What is measured: bench's and compare's (compare: from benchmark:, for both arms). */
export const MEASURE_SETTINGS = {
  input: {
    kind: 'pairs', value: '<name=shape>', help: 'fix an input shape, e.g. x=1x3x224x224 (repeatable)',
    input: { description: 'Input shapes, one per line or comma-separated, as for `edgeml bench --input`: `x=1x3x224x224`.' },
  },
  dim: { kind: 'pairs', value: '<name=size>', help: 'fix a named dynamic dim wherever it appears, e.g. sequence=512 (repeatable)', input: { description: 'Named dynamic dims, one per line, as for `--dim`: `sequence=512`.' } },
  data: {
    kind: 'pairs', value: '<name=file.npy|number>', help: 'feed an input from a .npy file or a constant (repeatable)',
    input: { description: 'Input data, one per line, as for `--data`: `x=inputs.npy` or `sr=16000`. Default: seeded random values.' },
  },
  threads: { kind: 'count', default: '0', value: '<n>', help: 'intra-op threads (0 = ONNX Runtime default)', config: 'benchmark', input: { description: "Intra-op threads; 0 keeps ONNX Runtime's default." } },
  ep: { kind: 'string', default: 'cpu', value: '<name>', help: 'execution provider', config: 'benchmark', input: { description: 'Execution provider (cpu, or another this onnxruntime-node offers).' } },
  optLevel: {
    kind: 'enum', choices: OPT_LEVELS, default: 'all', value: '<level>', help: 'graph optimization level', config: 'benchmark',
    input: { description: 'Graph optimization level: disabled, basic, extended, layout or all.' },
  },
  scenario: {
    kind: 'enum', choices: SCENARIOS, default: 'single-stream', value: '<name>', help: 'MLPerf scenario', config: 'benchmark',
    input: { description: 'MLPerf scenario: single-stream (headline p90), multi-stream (p99 of N-sample queries) or offline (throughput).' },
  },
  samplesPerQuery: { kind: 'count', min: 1, value: '<n>', help: 'samples in one query (multi-stream default 8, offline 32)', config: 'benchmark', input: {} },
  warmup: { kind: 'count', default: '10', value: '<n>', help: 'untimed queries before measuring', config: 'benchmark', input: {} },
} as const satisfies SettingsTable;

/** How long one measurement lasts (compare: from compare:, with shorter defaults). */
export const LENGTH_SETTINGS = {
  minIterations: {
    kind: 'count', min: 1, default: '100', value: '<n>', help: 'timed queries at least', config: 'benchmark',
    input: { description: 'Timed queries at least (MLPerf early stopping needs 64 for p90, 662 for p99).' },
  },
  maxIterations: { kind: 'count', default: '0', value: '<n>', help: 'timed queries at most (0 = no cap)', config: 'benchmark', input: { description: 'Timed queries at most; 0 for no cap.' } },
  minDuration: { kind: 'duration', default: '10s', value: '<time>', unit: 'ms', help: 'measure at least this long', config: 'benchmark', input: { description: 'Measure at least this long (10s, 500ms, 2m).' } },
  maxDuration: { kind: 'duration', default: '60s', value: '<time>', unit: 'ms', help: 'stop measuring after this long', config: 'benchmark', input: {} },
} as const satisfies SettingsTable;

/** The device label's fallback in deviceLabel's order (bench/device.ts): bench's, compare's and run's help. */
export const DEVICE_LABEL_HELP = 'name of this device in reports (default: EDGEML_DEVICE_LABEL, else the runner name in a workflow, else os-arch)';

export const SEED_SETTING = {
  seed: { kind: 'count', default: '1', value: '<n>', help: 'seed of the random inputs', config: 'benchmark', input: {} },
} as const satisfies SettingsTable;

export const BENCH_SETTINGS = {
  model: { kind: 'path', value: '<file>', help: 'the .onnx or .ort file (or give it as the argument)', input: { required: true, description: 'Path of the .onnx or .ort model to benchmark.' } },
  config: { kind: 'path', value: '<file>', help: 'take the settings from this edgeml.yml (benchmark:, and input, dim, data of the model at this path); flags given here win' },
  // The benchmark action's input was `results`: `results` names results documents to read (check,
  // report, history, publish), `json` where a command writes its own (as `--json` does everywhere).
  json: {
    kind: 'path', value: '<file>', help: 'write the results document here',
    input: { description: 'Where to write the results document (default: edgeml-results/<device>/<model>.json).' },
    deprecated: [{ name: 'results', until: '0.3.0', only: 'input' }],
  },
  ...MEASURE_SETTINGS,
  ...LENGTH_SETTINGS,
  ...SEED_SETTING,
  profile: {
    kind: 'boolean', help: 'also profile the model (in a separate run) and summarise time by op type',
    input: { description: 'Also profile the model in a separate run and report time by op type and the slowest nodes.' },
  },
  samples: { kind: 'boolean', help: 'keep the raw per-query latencies in the results document', input: {} },
  runtime: {
    kind: 'enum', choices: RUNTIMES, default: 'onnxruntime', value: '<name>', help: 'runtime: onnxruntime in process, or a vendor tool (trtexec, benchmark_app, benchmark_model)',
    input: { description: 'onnxruntime (in process, installed by this action), or tensorrt, openvino, tflite: measured by the vendor tool already installed on the runner (trtexec, benchmark_app, benchmark_model).' },
  },
  toolPath: {
    kind: 'path', value: '<path>', help: "the vendor tool's executable when it is not on the PATH",
    input: { description: 'Path of the vendor tool when it is not on the PATH, e.g. /usr/src/tensorrt/bin/trtexec on a Jetson.' },
  },
  precision: {
    kind: 'enum', choices: PRECISIONS, value: '<p>', help: 'precision asked of a vendor runtime',
    input: { description: 'Precision asked of a vendor runtime: fp32, fp16 or int8 (trtexec --fp16/--int8, benchmark_app -infer_precision).' },
  },
  deviceLabel: {
    kind: 'string', value: '<label>', help: DEVICE_LABEL_HELP,
    input: { description: 'Name of this device in reports and in the artifact name (default: EDGEML_DEVICE_LABEL, else the runner name).' },
  },
  runnerLabels: {
    kind: 'list', flag: false, help: 'labels of this runner, recorded in the results',
    input: { description: 'Labels of this runner, comma-separated, recorded in the results (steps cannot read them): e.g. `self-hosted, rpi5`.' },
  },
  ...uploadSettings('the results document', 'edgeml-results-<device>-<model>'),
  ...RUNTIME_SETTINGS,
} as const satisfies SettingsTable;
