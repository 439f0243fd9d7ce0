// `edgeml report`'s flags and the report action's inputs: one table (see src/settings/). The sticky
// comment's inputs are shared with the all-in-one action (RUN_SETTINGS).
import type { SettingsTable } from '../settings/index.js';

/** The pull request comment: action inputs only (the CLI writes files and stdout). */
export const COMMENT_SETTINGS = {
  comment: {
    kind: 'boolean', flag: false, help: 'post the report as one sticky comment on the pull request',
    input: { default: 'true', description: 'Post the report as one sticky comment on the pull request, updated in place on re-runs (true), or only write the job summary and the file (false).' },
  },
  reportId: {
    kind: 'string', flag: false, help: 'the id of the sticky comment',
    input: { description: 'Identifies the sticky comment; one comment per pull request and id. Default the workflow name and job id; in a matrix that posts from each job, add the matrix key.' },
  },
  token: {
    kind: 'string', flag: false, help: 'token for the comment',
    input: { default: '${{ github.token }}', description: 'Token for the comment (needs pull-requests: write). Without one, or without permission (fork pull requests), the report goes to the job summary only, with a warning.' },
  },
  commentAuthor: {
    kind: 'string', flag: false, help: 'the login the token writes comments as',
    input: {
      description: "The login the token writes comments as: only its comments count as the report's own, and one that someone else starts with the marker is never edited or deleted. "
        + "Default the token's own: github-actions[bot] for the workflow's token, the user's login for a personal access token (GET /user). "
        + 'A GitHub App\'s token writes as `<app-slug>[bot]`: give that (a wrong or missing one is corrected from the comment the step creates, with a warning).',
    },
  },
} as const satisfies SettingsTable;

export const REPORT_SETTINGS = {
  results: {
    kind: 'pairs', value: '<files...>', help: "results documents written by 'edgeml bench --json' (one per device of a matrix)",
    input: { required: true, description: 'Results documents written by the benchmark action or `edgeml bench --json`; paths or glob patterns, one per line or comma-separated.' },
  },
  compare: {
    kind: 'pairs', value: '<files...>', help: "comparison documents written by 'edgeml compare --json'",
    input: { description: 'Comparison documents written by `edgeml compare --json` (paths or globs).' },
  },
  check: {
    kind: 'pairs', value: '<files...>', help: "budget documents written by 'edgeml check --json'",
    input: { description: 'Budget documents written by `edgeml check --json` (paths or globs); failing and warning budgets also become annotations.' },
  },
  compat: {
    kind: 'pairs', value: '<files...>', help: "operator compatibility: compat/*.json written by 'edgeml run' (or inspect documents of 'edgeml inspect --json')",
    input: {
      description: 'Operator compatibility documents written by `edgeml run` (its `compat/*.json`; paths or globs), or inspect documents of `edgeml inspect --json`: the compatibility table per model with its '
        + '"vs base" column, as `edgeml run` shows it. A pattern that matches no files is no error (a model nobody inspected has none); a compat.* budget whose model has no document here reads '
        + 'not judged, and fails as a budget not judged fails.',
    },
  },
  devices: {
    kind: 'list', value: '<labels...>', help: 'the device labels that should report (a matrix): one without results is named as not reported',
    input: {
      description: 'The device labels that should report (the labels of a device matrix), one per line or comma-separated. A device with no results is named in the report as not reported '
        + '(on a pull request from a fork: not measured, as self-hosted jobs do not run for forks), a pass of the others reads inconclusive, and a results, compare or check pattern that matches no files is no error.',
    },
  },
  history: {
    kind: 'path', value: '<dir>', help: 'a checkout of the benchmark history (data branch): adds a p90 trend per row',
    input: { description: 'A checkout of the benchmark history (the data branch the history action writes), to show a p90 trend of the last main-branch runs per row, from the same device fingerprint only.' },
  },
  dashboardUrl: { kind: 'string', value: '<url>', help: 'link the benchmark dashboard (https) from the headline', input: { description: "The benchmark dashboard (https), linked from the report's headline." } },
  ...COMMENT_SETTINGS,
  prNumber: {
    kind: 'string', flag: false, help: 'the pull request to comment on',
    input: { description: 'The pull request to comment on, for a workflow_run workflow posting for a fork (read from the artifact the pull_request workflow uploaded; checked against the run\'s head commit).' },
  },
  out: { kind: 'path', value: '<file>', help: 'write the Markdown here (default: standard output)', input: { default: 'edgeml-report.md', description: 'Where to write the full Markdown report.' } },
  json: { kind: 'path', value: '<file>', help: 'write the verdict, counts and rows as JSON here' },
  charts: { kind: 'path', value: '<dir>', help: 'also write one SVG latency chart per model into this folder' },
} as const satisfies SettingsTable;
