// `edgeml run`'s flags and the all-in-one action's inputs (./action.yml): one table (see
// src/settings/). The action adds the sticky comment's inputs and the ONNX Runtime it installs.
import { DEVICE_LABEL_HELP } from '../bench/settings.js';
import { COMMENT_SETTINGS } from '../report/settings.js';
import { RUNTIME_SETTINGS, type SettingsTable } from '../settings/index.js';

export const RUN_SETTINGS = {
  config: { kind: 'path', value: '<file>', default: 'edgeml.yml', help: 'the config file', input: { description: 'Path of edgeml.yml (models, targets, benchmark settings, datasets, budgets).' } },
  baseRef: {
    kind: 'string', value: '<ref>', help: 'compare each model with its version in this git commit (a pull request base)',
    input: {
      default: '${{ github.event.pull_request.base.sha }}',
      description: "Commit to compare each model with (its file is read with git show). Default: the pull request's base commit; empty on other events (no comparison).",
    },
  },
  baseModel: {
    kind: 'path', value: '<dir>', help: 'compare each model with the file at the same path under this folder',
    input: { description: 'A folder holding the base version of the models at the paths edgeml.yml names (instead of base-ref).' },
  },
  out: {
    kind: 'path', value: '<dir>', default: 'edgeml-results', help: 'the results folder',
    input: { description: 'The results folder: artifacts, results, comparisons, checks, report.md and summary.json.' },
  },
  deviceLabel: {
    kind: 'string', value: '<label>', help: DEVICE_LABEL_HELP,
    input: { description: 'Name of this device in reports (default: EDGEML_DEVICE_LABEL, else the runner name).' },
  },
  inspect: {
    kind: 'string', value: '<runtimes>', help: "operator compatibility runtimes instead of edgeml.yml's inspect: (nnapi,coreml,...), or false for none",
    input: {
      description: 'Operator compatibility runtimes to inspect each model for (nnapi, coreml, coreml-mlprogram, ort-mobile, tensorrt, openvino, tflite; comma-separated), instead of the inspect: key of edgeml.yml; '
        + 'false for none. Empty: as edgeml.yml says (the runtimes compat.* budgets name are always added unless false).',
    },
  },
  json: { kind: 'path', value: '<file>', help: 'also copy the run summary (verdict, rows, files) here' },
  ...COMMENT_SETTINGS,
  ...RUNTIME_SETTINGS,
} as const satisfies SettingsTable;
