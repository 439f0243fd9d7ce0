// The README is a doorway (at most 250 lines) and docs/ the house behind it: every relative link
// and anchor in them resolves, every example shown as "the whole file" is that file byte for
// byte, and the Quickstart's edgeml.yml is one the CLI accepts.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { DIGITS, ROOT, tempDir } from './helpers.js';

const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');

/** Lines outside fenced code blocks. */
function prose(text: string): string[] {
  let fence = false;
  return text.split('\n').filter((l) => {
    if (l.startsWith('```')) fence = !fence;
    return !fence && !l.startsWith('```');
  });
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to '-', repeats numbered. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const l of prose(text)) {
    const m = /^#{1,6} (.*)$/.exec(l);
    if (!m) continue;
    const base = m[1].trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Broken relative links of one page: a missing file, or an anchor no heading of the target has. */
function brokenLinks(page: string): string[] {
  const broken: string[] = [];
  for (const line of prose(read(page))) {
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^(https?:|mailto:)/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const file = path ? normalize(join(dirname(page), path)) : page;
      if (!existsSync(join(ROOT, file))) {
        broken.push(`${page}: ${target} (no ${file})`);
        continue;
      }
      if (anchor && file.endsWith('.md') && !anchors(read(file)).has(anchor)) broken.push(`${page}: ${target} (no heading #${anchor} in ${file})`);
    }
  }
  return broken;
}

describe('README and docs/', () => {
  it('the README is at most 250 lines and sends each reader to a page', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    expect(readme).toContain('docs/example-comment.png');
    for (const page of ['workflow-author', 'reviewer', 'release-manager', 'device-operator', 'reference']) {
      expect(readme).toContain(`](docs/${page}.md)`);
    }
  });

  it('the link check finds a missing file and a missing anchor', () => {
    const dir = join(ROOT, 'docs');
    expect(anchors('# A\n## Update channel: `edgeml keys / publish`\n## A\n')).toEqual(new Set(['a', 'update-channel-edgeml-keys--publish', 'a-1']));
    expect(existsSync(dir)).toBe(true);
  });

  it.each(PAGES)('%s: every relative link and anchor resolves', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  it.each(PAGES)('%s: every example shown as "the whole file" is that file', (page) => {
    const text = read(page);
    const lines = text.split('\n');
    let marked = 0;
    lines.forEach((l, i) => {
      const m = /^<!-- whole file: (\S+) -->$/.exec(l);
      if (!m) return;
      marked++;
      expect(lines[i + 1], `${page}:${i + 2}: a fence must follow the marker`).toMatch(/^```/);
      const end = lines.indexOf('```', i + 2);
      expect(end, `${page}:${i + 2}: unclosed fence`).toBeGreaterThan(i);
      expect(`${lines.slice(i + 2, end).join('\n')}\n`, `${page}:${i + 1}: the block is not ${m[1]}`).toBe(read(m[1]));
    });
    // A claim of "the whole file" anywhere else is an example nobody checks.
    const claims = (text.match(/the whole file/gi) ?? []).length;
    expect(claims, `${page}: "the whole file" without a <!-- whole file: PATH --> marker`).toBe(0);
    if (page === 'README.md') expect(marked).toBe(1);
  });

  it("the Quickstart's edgeml.yml is accepted by edgeml", () => {
    const yaml = /1\. Describe your models[\s\S]*?```yaml\n([\s\S]*?)```/.exec(read('README.md'))?.[1];
    expect(yaml).toBeDefined();
    const dir = tempDir('edgeml-quickstart-');
    mkdirSync(join(dir, 'models'));
    copyFileSync(join(DIGITS, 'mlp.onnx'), join(dir, 'models/mlp.onnx'));
    copyFileSync(join(DIGITS, 'test_inputs.npy'), join(dir, 'models/test_inputs.npy'));
    writeFileSync(join(dir, 'edgeml.yml'), (yaml as string).replace(/^ {3}/gm, ''));
    expect(loadConfig(join(dir, 'edgeml.yml')).models.digits).toBeDefined();
  });
});
