// edgeml.yml and `edgeml check` as users run them (the CLI bundle and the check action bundle):
// every bad input ends with exit 2, one line `file:line:col: key: expected ...`, nothing written.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { globMatch } from '../src/budgets/index.js';
import { parseBytes, parseFraction, parseLatency, parsePercent, parseRate } from '../src/units.js';
import { ACTION_NODE, MODELS, ROOT, edgeml, tempDir } from './helpers.js';

const dir = tempDir();
const results = join(dir, 'r.json');
const FAST = ['--warmup', '1', '--min-iterations', '80', '--min-duration', '0', '--threads', '1'];
expect(edgeml(['bench', MODELS.conv1, ...FAST, '--json', results]).status).toBe(0);

const GOOD = `version: 1
models:
  conv:
    path: conv-1.onnx
budgets:
  - model: conv
    message: Keep it real-time.
    limits:
      latency.p50: 10s
      memory.peak: 8GiB
      size: 1MB
  - model: conv
    level: warn
    limits:
      regression.latency.p50: 5%
`;

function config(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('units as people write them', () => {
  it.each([
    [parseLatency('10ms', 'k'), 10], [parseLatency('250us', 'k'), 0.25], [parseLatency('1.5s', 'k'), 1500],
    [parseBytes('200MB', 'k'), 200e6], [parseBytes('1.5GiB', 'k'), 1.5 * 2 ** 30], [parseBytes('512', 'k'), 512],
    [parsePercent('5%', 'k'), 0.05], [parseFraction('97%', 'k'), 0.97], [parseFraction('0.97', 'k'), 0.97],
    [parseRate('120/s', 'k'), 120], [parseRate('120 samples/s', 'k'), 120],
  ])('%d = %d', (got, want) => expect(got).toBeCloseTo(want as number, 9));
  it('refuses a latency without its unit and a percent without its sign', () => {
    expect(() => parseLatency('10', 'latency.p90')).toThrow('latency.p90 "10": expected a duration such as 10ms, 250us or 1.5s');
    expect(() => parsePercent('0.05', '--threshold')).toThrow('expected a percentage such as 5%');
  });
  it('matches device globs', () => {
    expect(globMatch('jetson-*', 'jetson-orin')).toBe(true);
    expect(globMatch('jetson-*', 'pi-5')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
  });
});

describe('edgeml.yml', () => {
  it('keeps the line and column of every limit', () => {
    const c = parseConfig(GOOD, 'edgeml.yml');
    expect(c.budgets[0].limits.map((l) => [l.key, l.value, l.at.line, l.at.col])).toEqual([
      ['latency.p50', 10_000, 9, 7], ['memory.peak', 8 * 2 ** 30, 10, 7], ['size', 1e6, 11, 7],
    ]);
    expect(c.budgets[1].level).toBe('warn');
    expect(c.budgets[0].inconclusive).toBe('warn');
  });
  it('ships a schema editors can use, and that the edgeml.yml example of docs/workflow-author.md passes', () => {
    const readme = readFileSync(join(ROOT, 'docs/workflow-author.md'), 'utf8');
    const example = /```yaml\n# edgeml\.yml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(parseConfig(example!, 'docs/workflow-author.md').budgets.length).toBeGreaterThan(0);
  });
});

describe('edgeml check', () => {
  it('passes, with a table of every budget; a regression budget without a compare document is not judged, and says why', () => {
    const out = join(dir, 'k.json');
    const r = edgeml(['check', '--config', config('good.yml', GOOD), '--results', results, '--json', out]);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\*\*budgets: pass\*\* · 3 pass, 0 fail, 0 inconclusive, 1 not judged/);
    expect(r.stdout).not.toMatch(/first run/);
    expect(r.stdout).toMatch(/\| regression\.latency\.p50 .*\| 🚫 not judged +\| warn /);
    expect(r.stdout).toContain('> regression.latency.p50 (conv source): not judged: no compare document given: give --compare');
    // The value in the limit's unit (seconds here), never µs beside a limit in s.
    expect(r.stdout).toMatch(/\| latency\.p50 +\| conv-1\.onnx source on \S+ +\| +[\d.e-]+ s \| +[\d.e-]+ s – [\d.e-]+ s \| +≤ 10 s \| ✅ pass/);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.verdict).toBe('pass');
    expect(doc.checks).toHaveLength(4);
  });

  it('fails (exit 1) on a budget at level error; warns only at level warn', () => {
    const fail = GOOD.replace('latency.p50: 10s', 'latency.p50: 1us');
    const r = edgeml(['check', '--config', config('fail.yml', fail), '--results', results]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\| latency\.p50 .*\| ❌ fail +\| error/);
    expect(r.stdout).toContain('Keep it real-time.');
    const warn = GOOD.replace('  - model: conv\n    message', '  - model: conv\n    level: warn\n    message').replace('latency.p50: 10s', 'latency.p50: 1us');
    expect(edgeml(['check', '--config', config('warn.yml', warn), '--results', results]).status).toBe(0);
  });

  it('judges latency with its interval: inconclusive when the limit is inside it', () => {
    const doc = JSON.parse(readFileSync(results, 'utf8'));
    const [lo, hi] = doc.latencyCi95Ms.p50;
    const mid = `${((lo + hi) / 2) * 1000}us`;
    const r = edgeml(['check', '--config', config('mid.yml', GOOD.replace('latency.p50: 10s', `latency.p50: ${mid}`)), '--results', results]);
    if (hi > lo) {
      expect(r.stdout).toMatch(/\| latency\.p50 .*\| ❔ inconclusive/);
      expect(r.status).toBe(0); // inconclusive is a warning by default
      const strict = GOOD.replace('latency.p50: 10s', `latency.p50: ${mid}`).replace('message: Keep', 'inconclusive: error\n    message: Keep');
      expect(edgeml(['check', '--config', config('strict.yml', strict), '--results', results]).status).toBe(1);
    }
  });

  it('is inconclusive on too few queries for the percentile', () => {
    const few = join(dir, 'few.json');
    expect(edgeml(['bench', MODELS.conv1, '--warmup', '1', '--min-iterations', '10', '--max-iterations', '10', '--min-duration', '0', '--json', few]).status).toBe(0);
    const r = edgeml(['check', '--config', config('p90.yml', GOOD.replace('latency.p50: 10s', 'latency.p90: 10s')), '--results', few]);
    expect(r.stdout).toMatch(/\| latency\.p90 .*\| ❔ inconclusive/);
    expect(r.stdout).toContain('10 queries are too few for p90 (MLPerf early stopping needs 64): raise --min-iterations');
  });

  it('holds regression budgets against a compare document; a slower verdict fails without one', () => {
    const cmp = join(dir, 'c.json');
    edgeml(['compare', '--base', MODELS.conv1, '--head', MODELS.conv10, ...FAST, '--min-iterations', '5', '--min-rounds', '7', '--json', cmp]);
    const withBudget = edgeml(['check', '--config', config('reg.yml', GOOD.replace('  - model: conv\n    level: warn', '  - level: error')), '--results', results, '--compare', cmp]);
    expect(withBudget.status).toBe(1);
    expect(withBudget.stdout).toMatch(/\| regression\.latency\.p50 \| conv-10\.onnx vs conv-1\.onnx +\| +\+[\d.]+% \|.*❌ fail/);
    const noBudget = GOOD.slice(0, GOOD.indexOf('  - model: conv\n    level: warn'));
    const r = edgeml(['check', '--config', config('noreg.yml', noBudget), '--results', results, '--compare', cmp]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('compare: slower');
  });
});

describe('edgeml check on bad input: exit 2, one line with file:line:col, nothing written', () => {
  const notResults = join(dir, 'not-results.json');
  writeFileSync(notResults, '{"kind": "bench"}');
  const otherCompare = join(dir, 'not-compare.json');
  writeFileSync(otherCompare, '{"kind": "compare"}');
  const cases: Array<[string, string, RegExp, string[]?]> = [
    ['bad YAML', 'budgets:\n  - limits: [\n', /bad-YAML\.yml:3:1: not valid YAML: .+$/],
    ['duplicate key', 'version: 1\nversion: 1\n', /duplicate-key\.yml:2:1: not valid YAML: Map keys must be unique$/],
    ['misspelt top-level key', 'budget:\n  - limits: {size: 1MB}\n', /misspelt-top-level-key\.yml:1:1: budget: unknown key; expected one of version, models, targets, inspect, benchmark, compare, datasets, budgets, rollout, monitoring \(did you mean 'budgets'\?\)$/],
    ['misspelt limit', 'budgets:\n  - limits:\n      latency.p95: 10ms\n', /misspelt-limit\.yml:3:7: budgets\[0\]\.limits\.latency\.p95: unknown key; expected one of latency\.p50, .*accuracy\.<metric>, fidelity\.<metric>, compat\.<runtime>\.coverage\|partitions\|unsupported \(did you mean 'latency\.p90'\?\)$/],
    ['misspelt metric family', 'budgets:\n  - limits:\n      acuracy.top1: 97%\n', /:3:7: budgets\[0\]\.limits\.acuracy\.top1: unknown key; .* \(did you mean 'accuracy\.top1'\?\)$/],
    ['latency without a unit', 'budgets:\n  - limits:\n      latency.p90: 10\n', /latency-without-a-unit\.yml:3:20: budgets\[0\]\.limits\.latency\.p90: expected a duration such as 10ms, 250us or 1\.5s, got 10$/],
    ['wrong unit', 'budgets:\n  - limits:\n      memory.peak: 200 parsecs\n', /wrong-unit\.yml:3:20: budgets\[0\]\.limits\.memory\.peak: expected a size such as 200MB, 1\.5GiB or 512KB, got "200 parsecs"$/],
    ['accuracy over 100%', 'budgets:\n  - limits:\n      accuracy.top1: 150%\n', /:3:7: budgets\[0\]\.limits\.accuracy\.top1: expected a fraction such as 0\.97 or 97%, got "150%"$/],
    ['misspelt level', 'budgets:\n  - level: eror\n    limits: {size: 1MB}\n', /:2:12: budgets\[0\]\.level: expected one of error, warn, got "eror" \(did you mean 'error'\?\)$/],
    ['unknown model', 'models:\n  detector: {path: d.onnx}\nbudgets:\n  - model: detectr\n    limits: {size: 1MB}\n', /:4:12: budgets\[0\]\.model: 'detectr' is not a model under models \(detector\); did you mean 'detector'\?$/],
    ['missing limits', 'budgets:\n  - model: x\n', /:2:5: budgets\[0\]: missing key 'limits'$/],
    ['missing config', '', /nowhere\.yml: no such config file; create it \(see the edgeml\.yml section of docs\/workflow-author\.md\) or give its path with --config$/, ['--config', join(dir, 'nowhere.yml')]],
    ['missing results file', GOOD, /gone\.json: no such results file; give the file written by 'edgeml bench --json'$/, ['--results', join(dir, 'gone.json')]],
    ['results failing their schema', GOOD, /not-results\.json: not an edgeml results document \(.+\); regenerate it with 'edgeml bench --json'$/, ['--results', notResults]],
    ['compare failing its schema', GOOD, /not-compare\.json: not an edgeml compare document \(.+\); regenerate it with 'edgeml compare --json'$/, ['--results', results, '--compare', otherCompare]],
    ['no results', GOOD, /no results given: edgeml check --config edgeml\.yml --results results\.json$/, []],
  ];
  it.each(cases)('%s', (name, text, expected, args) => {
    const file = config(`${name.replace(/\W+/g, '-')}.yml`, text);
    const out = join(dir, 'existing.json');
    writeFileSync(out, '{"keep": "me"}');
    const r = edgeml(['check', '--config', file, ...(args ?? ['--results', results]), '--json', out]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe('{"keep": "me"}');
  });
});

describe('the check action', () => {
  const action = readFileSync(join(ROOT, 'actions/check/action.yml'), 'utf8');
  function runBundle(inputs: Record<string, string>) {
    const files = { GITHUB_OUTPUT: join(dir, 'gh-output'), GITHUB_STEP_SUMMARY: join(dir, 'gh-summary.md') };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...files, GITHUB_WORKSPACE: dir };
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    const r = spawnSync(ACTION_NODE, [join(ROOT, 'dist/check/index.js')], { cwd: dir, env, encoding: 'utf8' });
    return { ...r, output: readFileSync(files.GITHUB_OUTPUT, 'utf8'), summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') };
  }
  it('is a node24 JavaScript action running the check bundle', () => {
    expect(action).toContain('using: node24');
    expect(action).toContain('main: ../../dist/check/index.js');
  });
  it('annotates the line of edgeml.yml holding the failed budget and fails the step', () => {
    config('edgeml.yml', GOOD.replace('size: 1MB', 'size: 1KB'));
    const out = join(dir, 'check.json');
    const r = runBundle({ config: 'edgeml.yml', results, json: out });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^::error title=edgeml budget size,file=edgeml\.yml,line=11,col=7::size fail on conv-1\.onnx source on \S+: 3\d\.\d KB, limit 1KB\. Keep it real-time\.$/m);
    expect(r.stdout).toContain('::error::edgeml check: 1 budget row(s) failed or not judged');
    expect(r.output).toMatch(/verdict<<.*\nfail\n/);
    expect(r.summary).toContain('### edgeml check');
    expect(JSON.parse(readFileSync(out, 'utf8')).verdict).toBe('fail');
  });
  it('fails with one line on a bad config, and writes nothing', () => {
    config('bad.yml', 'budgets:\n  - limits:\n      latency.p95: 10ms\n');
    const out = join(dir, 'never.json');
    const r = runBundle({ config: 'bad.yml', results, json: out });
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n').filter((l) => l.startsWith('::error'))).toEqual([
      "::error::bad.yml:3:7: budgets[0].limits.latency.p95: unknown key; expected one of latency.p50, latency.p90, latency.p99, throughput, memory.peak, size, regression.latency.p50, regression.latency.p90, accuracy.<metric>, fidelity.<metric>, compat.<runtime>.coverage|partitions|unsupported (did you mean 'latency.p90'?)",
    ]);
    expect(existsSync(out)).toBe(false);
  });
});
