// The report action as the runner drives it: the built bundle (dist/report) with INPUT_* variables,
// the event file and the GITHUB_* files, against the GitHub API stand-in (test/github-server.ts).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { GitHubServer } from './github-server.js';
import { ACTION_NODE, ROOT, tempDir } from './helpers.js';

interface ActionYml {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
}
export const action = parse(readFileSync(join(ROOT, 'actions/report/action.yml'), 'utf8')) as ActionYml;

export const REPO = 'acme/models';
export const PR = `${REPO}#7`;

export interface Run {
  status: number | null;
  stdout: string;
  summary: string;
  outputs: Record<string, string>;
  dir: string;
}

/** Runs dist/report/index.js as a `node24` action step: every input, its default filled in. */
export function runReportAction(gh: GitHubServer, inputs: Record<string, string>, event: { name: string; payload: object } = { name: 'pull_request', payload: { pull_request: { number: 7 } } }, extraEnv: Record<string, string> = {}): Promise<Run> {
  const work = tempDir('edgeml-report-run-');
  const files = { GITHUB_OUTPUT: join(work, 'output'), GITHUB_STEP_SUMMARY: join(work, 'summary.md'), GITHUB_EVENT_PATH: join(work, 'event.json') };
  writeFileSync(files.GITHUB_OUTPUT, '');
  writeFileSync(files.GITHUB_STEP_SUMMARY, '');
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(event.payload));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...files,
    GITHUB_EVENT_NAME: event.name, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '99', GITHUB_WORKFLOW: 'models', GITHUB_JOB: 'report', GITHUB_ACTIONS: 'true', ...extraEnv,
  };
  const defaults: Record<string, string> = { token: 'ghs_test' }; // what ${{ github.token }} gives
  for (const [name, spec] of Object.entries(action.inputs)) env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? defaults[name] ?? spec.default ?? '';
  return new Promise((resolve, reject) => {
    const child = spawn(ACTION_NODE, [join(ROOT, action.runs.main.replace('../../', ''))], { cwd: work, env });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stdout += d));
    child.on('error', reject);
    child.on('close', (status) => {
      const outputs: Record<string, string> = {};
      for (const m of readFileSync(files.GITHUB_OUTPUT, 'utf8').matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
      resolve({ status, stdout, outputs, dir: work, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') });
    });
  });
}

