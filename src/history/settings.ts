// `edgeml history append`'s flags and the history action's inputs, and `edgeml dashboard`'s flags:
// one table each (see src/settings/). The history folder is `data-dir` in all three (the flag was
// `--data`, which bench and optimize use for input data); the repeatable lines are `verdict` and
// `budget` in both (the inputs were `verdicts` and `budgets`).
import type { SettingsTable } from '../settings/index.js';

const DATA_DIR = { kind: 'path', value: '<dir>', deprecated: [{ name: 'data', until: '0.3.0', only: 'flag' }] } as const;

export const HISTORY_SETTINGS = {
  results: {
    kind: 'pairs', value: '<file...>', help: 'results documents written by edgeml bench --json (one device)',
    input: { required: true, description: 'Results documents of this job (written by the benchmark action or `edgeml bench --json`), one per line. One device per call.' },
  },
  branch: { kind: 'string', value: '<name>', default: 'edgeml-data', help: 'the data branch', input: { description: 'The data branch. Created (as an orphan branch holding only history) on first use.' } },
  remote: { kind: 'string', value: '<name>', default: 'origin', help: 'the git remote to push to', input: {} },
  repo: { kind: 'path', value: '<dir>', default: '.', help: 'the git checkout to push from', input: { description: 'The checkout to push from (needs push rights: `permissions: contents: write`).' } },
  dataDir: { ...DATA_DIR, help: 'append to this folder instead of a git branch', input: { description: 'Append to this folder instead of a branch (for other stores).' } },
  commit: { kind: 'string', value: '<sha>', help: 'the commit measured (default: GITHUB_SHA or HEAD)' },
  dashboard: {
    kind: 'boolean', help: 'with a branch: rebuild the dashboard (index.html) on it in the same commit',
    // The action rebuilds it unless told not to; the CLI only when asked.
    input: { default: 'true', description: 'Rebuild the dashboard (index.html) on the branch in the same commit.' },
  },
  title: { kind: 'string', value: '<text>', help: 'dashboard title', input: {} },
  modelName: { kind: 'string', value: '<name>', help: 'the model name in charts (default: file name)', input: { description: 'The model name in charts (default: the model file name).' } },
  target: { kind: 'string', value: '<name>', help: 'the target the results were measured as (default: onnx or ort)', input: {} },
  compare: {
    kind: 'pairs', value: '<files...>', help: 'compare documents of this commit (edgeml compare --json): slower points are marked',
    input: { description: 'Compare documents of this commit (`edgeml compare --json`), one per line: models it found slower are marked red.' },
  },
  check: {
    kind: 'path', value: '<file>', help: 'the check document of this commit (edgeml check --json): its limits are drawn as budget lines',
    input: { description: 'The check document of this commit (`edgeml check --json`): its latency, memory, size and throughput limits are drawn as budget lines.' },
  },
  verdict: {
    kind: 'pairs', value: '<model=verdict>', help: 'what edgeml compare said of a model on this commit (repeatable)',
    input: { description: 'What `edgeml compare` said on this commit, one `MODEL=slower|faster|unchanged|inconclusive` per line: slower points are marked red.' },
    deprecated: [{ name: 'verdicts', until: '0.3.0', only: 'input' }],
  },
  budget: {
    kind: 'pairs', value: '<metric=limit>', help: 'a budget line to draw, in the chart unit (repeatable)',
    input: { description: 'Budget lines to draw, one `METRIC=LIMIT` per line in the chart unit (latency in ms, memory and size in MiB).' },
    deprecated: [{ name: 'budgets', until: '0.3.0', only: 'input' }],
  },
} as const satisfies SettingsTable;

export const DASHBOARD_SETTINGS = {
  dataDir: { ...DATA_DIR, help: 'the history folder (a checkout of the data branch)' },
  out: { kind: 'path', value: '<dir>', help: 'where to write index.html' },
  title: { kind: 'string', value: '<text>', help: 'page title' },
} as const satisfies SettingsTable;
