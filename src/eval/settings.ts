// `edgeml eval`'s flags: one table (see src/settings/). The optimize action's eval-* inputs are
// OPTIMIZE_SETTINGS' own (they score every artifact it makes). The image preprocessing flags are
// PREPROCESS_SETTINGS (src/eval/preprocess.ts), beside their parser.
import type { SettingsTable } from '../settings/index.js';
import { PREPROCESS_SETTINGS } from './preprocess.js';
import { METRICS } from './types.js';

export const EVAL_SETTINGS = {
  model: { kind: 'path', value: '<file>', help: 'the model to evaluate (.onnx or .ort)' },
  inputs: { kind: 'pairs', value: '<[name=]file.npy>', help: 'samples along the first axis; NAME= when the model has several inputs (repeatable)' },
  labels: { kind: 'path', value: '<file.npy>', help: 'one label per sample: class ids (top1/top5) or targets shaped like the output (mae/rmse)' },
  metric: { kind: 'list', value: '<names>', help: `${METRICS.join(', ')} (comma-separated, repeatable)` },
  reference: { kind: 'path', value: '<file>', help: 'a reference model (the fp32 source): adds fidelity {cosine, maxAbsError, top1Agreement}' },
  batchSize: { kind: 'count', min: 1, default: '64', value: '<n>', help: 'samples per run' },
  dataset: { kind: 'string', value: '<manifest.jsonl|name>', help: 'an image dataset: a JSONL manifest, one {"image": "a.png", "label": 3} a line; or a dataset of --config by name' },
  config: { kind: 'path', value: '<file>', help: 'edgeml.yml whose datasets --dataset names' },
  ...PREPROCESS_SETTINGS,
  json: { kind: 'path', value: '<file>', help: 'write the results here' },
  results: { kind: 'path', value: '<file>', help: "merge accuracy and fidelity into this results document of 'edgeml bench --json' (same model file), for budgets accuracy.<metric> and fidelity.<metric>" },
} as const satisfies SettingsTable;
