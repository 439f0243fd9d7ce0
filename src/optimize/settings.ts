// `edgeml optimize`'s settings and the optimize action's inputs: one table (see src/settings/).
// The fidelity floors' defaults are tensors' DEFAULT_FLOOR (the bottom layer that compares outputs).
import { RUNTIME_SETTINGS, uploadSettings, type SettingsTable } from '../settings/index.js';
import { DEFAULT_FLOOR } from '../tensors/index.js';
import { CALIBRATION_METHODS, TARGETS } from './types.js';

export const OPTIMIZE_SETTINGS = {
  model: { kind: 'path', value: '<file>', help: 'the source .onnx model', input: { required: true, description: 'Path of the source .onnx model.' } },
  target: {
    kind: 'list', value: '<list>', help: `comma-separated targets: ${TARGETS.join(', ')}`,
    input: { required: true, description: `Targets, comma-separated or one per line: ${TARGETS.join(', ')}.` },
  },
  out: { kind: 'path', value: '<dir>', help: 'folder for the artifacts (created if missing)', input: { default: 'edgeml-artifacts', description: 'Folder for the artifacts and manifest.json.' } },
  calibration: {
    kind: 'pairs', value: '<name=file.npy>', help: 'calibration and validation samples for an input, N along the first axis (repeatable)',
    input: { description: 'Calibration and validation samples, one per line, as for `--calibration`: `x=calib.npy` (N samples along the first axis). Needed by int8-static.' },
  },
  calibrationMethod: { kind: 'enum', choices: CALIBRATION_METHODS, default: 'minmax', value: '<method>', help: 'int8-static activation ranges: minmax, percentile or entropy', input: {} },
  percentile: { kind: 'number', min: 0, above: true, max: 100, default: '99.999', value: '<p>', help: 'percentile of |x| kept by --calibration-method percentile', input: {} },
  calibrationCache: { kind: 'path', value: '<file>', help: 'keep int8-static calibration ranges in this file; reused while the model, data and settings are the same' },
  maxSamples: { kind: 'number', min: 0, above: true, default: '512', value: '<n>', help: 'calibration samples used at most', input: {} },
  excludeOp: { kind: 'list', value: '<types>', help: 'op types the int8 targets leave in float32 (comma-separated, repeatable)', input: {} },
  excludeNode: { kind: 'list', value: '<names>', help: 'node names the int8 targets leave in float32 (comma-separated, repeatable)', input: {} },
  fp16BlockOp: { kind: 'list', value: '<types>', help: 'op types fp16 keeps in float32 (replaces the default list)', input: {} },
  minCosine: { kind: 'number', min: 0, max: 1, default: String(DEFAULT_FLOOR.cosine), value: '<x>', help: 'fidelity floor: cosine similarity of the outputs with the fp32 model', input: {} },
  minTop1Agreement: { kind: 'number', min: 0, max: 1, default: String(DEFAULT_FLOOR.top1Agreement), value: '<x>', help: 'fidelity floor for classifiers: share of same top-1 answers', input: {} },
  absTolerance: { kind: 'number', min: 0, default: String(DEFAULT_FLOOR.absTolerance), value: '<x>', help: 'outputs within this max abs error of fp32 pass whatever their cosine', input: {} },
  input: {
    kind: 'pairs', value: '<name=shape>', help: 'shape of an input for the random validation inputs used without --calibration (repeatable)',
    input: { description: 'Input shapes for the random validation inputs used without calibration data, one per line: `x=1x3x224x224`.' },
  },
  data: {
    kind: 'pairs', value: '<name=file.npy|number>', help: 'feed an input that is not calibration data (a sample rate, a state) the same .npy array or number in every sample (repeatable)',
    input: { description: 'Inputs that are not calibration data (a sample rate, a recurrent state), fed the same value in every sample, one per line: `sr=16000` or `state=state.npy`.' },
  },
  dim: { kind: 'pairs', value: '<name=size>', help: 'size of a named dynamic dim for the random validation inputs (repeatable)', input: { description: 'Named dynamic dims for the random validation inputs, one per line: `sequence=128`.' } },
  precision: { kind: 'enum', choices: ['fp32', 'fp16', 'int8'], default: 'fp16', value: '<p>', help: 'precision of the tensorrt and openvino targets: fp32, fp16 or int8' },
  toolPath: { kind: 'path', value: '<file>', help: 'trtexec or ovc, when it is not on the PATH' },
  json: { kind: 'path', value: '<file>', help: 'write the manifest here (default: <out>/manifest.json)' },
  evalInputs: {
    kind: 'pairs', flag: false, help: 'labelled test samples',
    input: { description: 'Labelled test samples, one per line as for `edgeml eval --inputs`: `x=test_x.npy`. With eval-labels, the source and every artifact are scored on them (log group each, table in the job summary).' },
  },
  evalLabels: { kind: 'path', flag: false, help: 'labels of eval-inputs', input: { description: 'Labels of eval-inputs (.npy, one per sample): turns the evaluation on.' } },
  evalMetric: { kind: 'list', flag: false, default: 'top1', help: 'metrics of the evaluation: top1, top5, mae, rmse (comma-separated)', input: {} },
  ...uploadSettings('the artifacts and the manifest', 'edgeml-artifacts-<model>'),
  ...RUNTIME_SETTINGS,
} as const satisfies SettingsTable;
