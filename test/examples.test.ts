// The example workflows use our actions only with inputs those actions declare.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Array<{ id?: string; uses?: string; with?: Record<string, unknown> }> }>;
}
const dir = join(ROOT, 'examples/workflows');
const load = (name: string) => parse(readFileSync(join(dir, name), 'utf8')) as Workflow;

describe('examples/workflows', () => {
  it.each(readdirSync(dir))('%s passes only declared inputs to edge-ml-actions', (name) => {
    for (const job of Object.values(load(name).jobs)) {
      for (const step of job.steps) {
        const m = /^edge-ml-actions\/edge-ml-actions\/actions\/([\w-]+)@/.exec(step.uses ?? '');
        if (!m) continue;
        const action = parse(readFileSync(join(ROOT, 'actions', m[1], 'action.yml'), 'utf8')) as { inputs: Record<string, { required?: boolean }> };
        for (const key of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), `${name}: ${m[1]} input ${key}`).toContain(key);
        for (const [key, spec] of Object.entries(action.inputs)) if (spec.required) expect(step.with, `${name}: ${m[1]} needs ${key}`).toHaveProperty(key);
      }
    }
  });

  // An old name still works until it goes, but the examples are what users copy: the current names only.
  it.each(readdirSync(dir))('%s uses no deprecated input or output of edge-ml-actions', (name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    for (const job of Object.values(load(name).jobs)) {
      for (const step of job.steps) {
        const m = /^edge-ml-actions\/edge-ml-actions(?:\/actions\/([\w-]+))?@/.exec(step.uses ?? '');
        if (!m) continue;
        const file = m[1] ? join('actions', m[1], 'action.yml') : 'action.yml';
        const action = parse(readFileSync(join(ROOT, file), 'utf8')) as { inputs: Record<string, { deprecationMessage?: string }>; outputs: Record<string, { description: string }> };
        for (const key of Object.keys(step.with ?? {})) expect(action.inputs[key]?.deprecationMessage, `${name}: ${file} input ${key}`).toBeUndefined();
        if (!step.id) continue;
        for (const [, output] of text.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, 'g'))) {
          expect(Object.keys(action.outputs), `${name}: ${file} output ${output}`).toContain(output);
          expect(action.outputs[output].description, `${name}: ${file} output ${output}`).not.toMatch(/^Deprecated/);
        }
      }
    }
  });

  it.each([['edgeml-publish.yml', 'git:gh-pages'], ['edgeml-release.yml', 'release:edgeml-channel']])(
    '%s publishes on a tag what the same job made, to %s', (name, store) => {
      const wf = load(name);
      expect(wf.on).toEqual({ push: { tags: ['v*'] } });
      expect(wf.permissions).toEqual({ contents: 'write' });
      const [job] = Object.values(wf.jobs);
      const at = job.steps.findIndex((s) => /\/actions\/publish@/.test(s.uses ?? ''));
      const publish = job.steps[at].with!;
      expect(publish.store).toBe(store);
      if (store.startsWith('release:')) expect(publish['github-token']).toBe('${{ github.token }}');
      const made = job.steps.slice(0, at).map((s) => s.id).filter(Boolean);
      for (const key of ['manifest', 'check']) {
        const id = /^\$\{\{ steps\.([\w-]+)\.outputs\./.exec(String(publish[key]))?.[1];
        expect(made, `${name}: ${key} comes from an earlier step of the job`).toContain(id);
      }
    });

  it('measures untrusted code with a read-only token and posts from workflow_run', () => {
    const measure = load('edgeml-measure.yml');
    expect(Object.keys(measure.on)).toEqual(['pull_request']);
    expect(measure.permissions).toEqual({ contents: 'read' });
    const report = load('edgeml-report.yml');
    expect(Object.keys(report.on)).toEqual(['workflow_run']);
    expect(report.permissions['pull-requests']).toBe('write');
    const uses = Object.values(report.jobs).flatMap((j) => j.steps.map((s) => s.uses ?? ''));
    expect(uses.some((u) => u.startsWith('actions/checkout'))).toBe(false);
    // The measure side does what edgeml-pr.yml does, minus the comment: the root action on edgeml.yml.
    const steps = Object.values(measure.jobs).flatMap((j) => j.steps);
    expect(steps.find((s) => (s.uses ?? '').startsWith('edge-ml-actions/edge-ml-actions@'))?.with).toMatchObject({ config: 'edgeml.yml', comment: false });
    const pr = load('edgeml-pr.yml');
    expect(Object.values(pr.jobs)[0].steps.find((s) => (s.uses ?? '').startsWith('edge-ml-actions/edge-ml-actions@'))?.with).toMatchObject({ config: 'edgeml.yml' });
  });

  // Actions on Node 20 are retired on GitHub-hosted runners: each actions/* step at the first major on node24.
  const NODE24 = { checkout: 5, 'setup-node': 5, cache: 5, 'upload-artifact': 6, 'download-artifact': 7 } as Record<string, number>;
  it.each([...readdirSync(dir).map((f) => `examples/workflows/${f}`), 'action.yml', ...readdirSync(join(ROOT, 'actions')).map((a) => `actions/${a}/action.yml`)])(
    '%s pins actions/* at majors that run on Node 24', (file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, name, major] of text.matchAll(/uses:\s*actions\/([\w-]+)@v(\d+)/g)) {
        expect(NODE24[name], `${file}: actions/${name} is not known here`).toBeDefined();
        expect(Number(major), `${file}: actions/${name}@v${major}`).toBeGreaterThanOrEqual(NODE24[name]);
      }
    });
});
