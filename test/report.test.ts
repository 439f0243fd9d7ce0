// The report: merged from many documents, escaped, fitted into a comment; and `edgeml report`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkView, compareView,
  buildReport, chartLabel, fitMarkdown, modelSvg, readReportInputs, reportMarkdown, reportSections, type ReportInputs,
} from '../src/report/index.js';
import type { HistoryEntry } from '../src/history/index.js';
import { edgeml, tempDir } from './helpers.js';
import { HOSTILE, HOSTILE_ESCAPED, benchDoc, checkDoc, compareDoc, writeJson } from './report-fixtures.js';

const inputs = (over: Partial<ReportInputs>): ReportInputs => ({ results: [], compare: [], check: [], ...over });
const r = (doc: ReturnType<typeof benchDoc>, file = 'r.json') => ({ file, doc });

describe('report model', () => {
  it('merges a device matrix into one table per model, rows target x device', () => {
    const report = buildReport(inputs({
      results: [
        r(benchDoc({ device: 'pi5', fingerprint: '1111111111111111' })),
        r(benchDoc({ device: 'jetson', fingerprint: '2222222222222222' })),
        r(benchDoc({ model: 'det.onnx', device: 'pi5' })),
      ],
    }));
    expect(report.status).toBe('none');
    expect(report.counts).toMatchObject({ results: 3, models: 2, devices: 2 });
    expect(report.models.map((m) => [m.name, m.rows.map((row) => `${row.target} ${row.device}`)])).toEqual([
      ['det.onnx', ['source pi5']],
      ['mlp.onnx', ['source jetson', 'source pi5']],
    ]);
    const md = reportMarkdown(report);
    expect(md.split('\n')[0]).toBe('### 📊 edgeml report: **measured** — 3 results, 2 models, 2 devices');
    expect(md).toContain('#### mlp&#46;onnx');
    expect(md).toMatch(/\| source \| jetson +\| +[\d.]+ µs \([\d.]+ µs – [\d.]+ µs\) \|/);
    expect(md).toContain('<details><summary>Details: profiles, comparisons, devices, settings</summary>');
    expect(md).toContain('`2222222222222222`');
    expect(md).toContain('| FusedGemm |');
  });

  it('keeps the newest of two results for the same cell and names the older file', () => {
    const report = buildReport(inputs({
      results: [r(benchDoc({ createdAt: '2026-01-01T00:00:00Z' }), 'old.json'), r(benchDoc({ createdAt: '2026-02-01T00:00:00Z', p90Scale: 2 }), 'new.json')],
    }));
    expect(report.models[0].rows).toHaveLength(1);
    expect(report.models[0].rows[0].bench?.createdAt).toBe('2026-02-01T00:00:00Z');
    expect(report.duplicates).toEqual(['old.json']);
    expect(reportMarkdown(report)).toContain('Left out as older duplicates: old&#46;json');
  });

  it('shows base, head, change with interval, verdict and budget icons; the headline counts them', () => {
    const base = benchDoc({ device: 'pi5' });
    const head = benchDoc({ device: 'pi5', p90Scale: 1.3 });
    const report = buildReport(inputs({
      results: [r(head)],
      compare: [{ file: 'c.json', doc: compareView(compareDoc(base, head, 'slower')) }],
      check: [{
        file: 'k.json',
        doc: checkView(checkDoc([
          { key: 'latency.p90', value: 0.1, limit: 0.2, status: 'pass', level: 'error', message: 'ok', model: 'mlp.onnx' },
          { key: 'size', value: 69572, limit: 50000, status: 'fail', level: 'error', message: 'too big', model: 'mlp.onnx', device: 'pi5' },
          { key: 'accuracy', value: null, limit: 0.9, status: 'inconclusive', level: 'warn', message: 'no dataset' },
        ])),
      }],
    }));
    expect(report.status).toBe('fail');
    const md = reportMarkdown(report);
    expect(md.split('\n')[0]).toBe(
      '### ❌ edgeml report: **fail** — budgets: 1 pass, 1 fail, 1 inconclusive · comparisons: 1 slower · 1 result, 1 model, 1 device',
    );
    expect(md).toMatch(/p50 base → head +\| +Δ p50 \(95% CI\) +\| +p90 base → head +\| +Δ p90 \(95% CI\)/);
    expect(md).toMatch(/\| +\+12\.0% \(\+5\.0% … \+20\.0%\) \|/);
    expect(md).toMatch(/\| +\+30\.0% \(\+10\.0% … \+52\.0%\) \|/);
    expect(md).toMatch(/❌ slower \| ❌ 1 ✅ 1 \|/);
    expect(md).toMatch(/\| mlp&#46;onnx \| source \| pi5 +\| `fb8809a182dd` \| `fb8809a182dd` \| 6 +\| ±5\.0% +\| ❌ slower \|/);
    expect(md).toMatch(/\| ❔ inconclusive \| accuracy +\| n\/a +\| ≤ 0&#46;9 +\| warn +\|/);
    expect(md).toContain('```mermaid\nxychart-beta\n  title "mlp.onnx p90 latency ms, bars head, line base"\n  x-axis ["pi5 / source"]');
  });

  it('says next to an artifact that it runs slower than its source on the same device, and not of a faster one', () => {
    const at = (target: string | undefined, p50: number, device = 'pi5') => {
      const doc = benchDoc({ device });
      if (target) doc.target = target;
      doc.latencyMs.p50 = p50;
      return doc;
    };
    const report = buildReport(inputs({
      results: [r(at(undefined, 2)), r(at('int8-static', 2.5)), r(at('int8-dynamic', 1)), r(at('fp16', 3, 'jetson'))],
    }));
    const md = reportMarkdown(report);
    expect(md).toMatch(/\| int8&#45;static +\| pi5 +\| +2\.50 ms .*⚠️ slower than the source here \(0\.80x its speed, source 2\.00 ms\) \|/);
    expect(md).not.toMatch(/int8&#45;dynamic[^\n]*slower/);
    // No source measured on that device: nothing to say, rather than a comparison across devices.
    expect(md).not.toMatch(/fp16[^\n]*slower/);
    expect(md).not.toMatch(/\| source [^\n]*slower/);
  });

  it('rates the report inconclusive, then pass, from the worst verdict', () => {
    const d = benchDoc();
    const status = (verdicts: Array<'faster' | 'unchanged' | 'inconclusive'>) =>
      buildReport(inputs({ compare: verdicts.map((v) => ({ file: 'c', doc: compareView(compareDoc(d, d, v)) })) })).status;
    expect(status(['faster', 'inconclusive'])).toBe('inconclusive');
    expect(status(['faster', 'unchanged'])).toBe('pass');
  });

  it('renders hostile strings from every document inert', () => {
    const hostile = benchDoc({ model: HOSTILE, device: HOSTILE });
    hostile.device.cpuModel = HOSTILE;
    hostile.runtime.executionProvider = HOSTILE;
    hostile.profile!.byOpType[0].opType = HOSTILE;
    const md = reportMarkdown(buildReport(inputs({
      results: [r(hostile)],
      compare: [{ file: 'c', doc: compareView(compareDoc(hostile, hostile)) }],
      check: [{ file: 'k', doc: checkView(checkDoc([{ key: HOSTILE, value: 1, limit: 2, status: 'warn', level: 'warn', message: HOSTILE, model: HOSTILE }])) }],
    })));
    expect(md).toContain(`#### ${HOSTILE_ESCAPED}`);
    expect(md).toContain(`| source onnx ${HOSTILE_ESCAPED} | ${HOSTILE_ESCAPED} |`);
    expect(md).toContain(`| ⚠️ fail (warn) | ${HOSTILE_ESCAPED} |`);
    expect(md).toMatch(/\| 1\.00 +\| ≤ 2 +\| warn +\| /);
    expect(md).toContain(`| warn  | ${HOSTILE_ESCAPED} | ${HOSTILE_ESCAPED} |`);
    expect(md).toContain(`**Top ops: ${HOSTILE_ESCAPED}, source onnx ${HOSTILE_ESCAPED} @ ${HOSTILE_ESCAPED}**`);
    // Charts keep a safe alphabet.
    expect(md).toContain(`x-axis ["${chartLabel(`${HOSTILE} / source onnx ${HOSTILE}`)}"]`);
    expect(chartLabel(HOSTILE)).toBe('_script_alert_1_/script_ _org/t_');
    for (const raw of ['<script', '<img', '@org', '](', 'tick`', '|pipe', 'alert(1)']) expect(md).not.toContain(raw);
    expect(md.split('\n').some((l) => l.startsWith('line2'))).toBe(false);
    const svg = modelSvg(buildReport(inputs({ results: [r(hostile)] })).models[0]);
    expect(svg).not.toMatch(/<script|<img|onerror=/);
  });

  it('cuts the details first, then the charts, to fit a comment, and says where the rest is', () => {
    const docs = Array.from({ length: 12 }, (_, i) => r(benchDoc({ device: `device-${i}`, fingerprint: `${i}`.padStart(16, '0') })));
    const sections = reportSections(buildReport(inputs({ results: docs })));
    const full = fitMarkdown(sections, 1_000_000);
    const tables = sections.filter((s) => s.kind === 'headline' || s.kind === 'model').map((s) => s.text).join('\n\n');
    const url = 'https://github.com/o/r/actions/runs/1';
    const noDetails = fitMarkdown(sections, full.length - 1, url);
    expect(noDetails).not.toContain('<summary>Details');
    expect(noDetails).toContain('```mermaid');
    expect(noDetails).toContain(`> Details cut to fit GitHub's comment limit: the full report is in the [job summary](${url}).`);
    const tablesOnly = fitMarkdown(sections, tables.length + 200, url);
    expect(tablesOnly).not.toContain('```mermaid');
    expect(tablesOnly.startsWith(tables)).toBe(true);
    expect(tablesOnly).toContain('> Details and charts cut');
    expect(fitMarkdown(sections, 500, url).length).toBeLessThanOrEqual(500);
  });
});

describe('reading report inputs', () => {
  const dir = tempDir();
  it('validates compare and check documents and names the file', () => {
    const bad = writeJson(dir, 'c.json', { ...compareDoc(benchDoc(), benchDoc()), verdict: 'worse' });
    expect(() => readReportInputs({ results: [], compare: [bad] })).toThrow(
      `${bad}: not an edgeml compare document (/verdict must be equal to one of the allowed values); regenerate it with 'edgeml compare --json'`,
    );
    const k = writeJson(dir, 'k.json', { kind: 'check', budgets: [{ key: 'x' }] });
    expect(() => readReportInputs({ results: [], compare: [writeJson(dir, 'ok.json', compareDoc(benchDoc(), benchDoc()))], check: [k] }))
      .toThrow(/k\.json: not an edgeml check document \(.+\); regenerate it with 'edgeml check --json'/);
  });
});

describe('edgeml report', () => {
  const dir = tempDir();
  const pi = writeJson(dir, 'pi.json', benchDoc({ device: 'pi5' }));
  const jetson = writeJson(dir, 'jetson.json', benchDoc({ device: 'jetson', fingerprint: 'abcdefabcdefabcd' }));
  const cmp = writeJson(dir, 'cmp.json', compareDoc(benchDoc({ device: 'pi5' }), benchDoc({ device: 'pi5' }), 'unchanged'));
  const chk = writeJson(dir, 'chk.json', checkDoc([{ key: 'latency.p90', value: 0.1, limit: 1, status: 'pass', level: 'error', message: 'ok' }]));

  it('writes the Markdown, the JSON verdict and SVG charts', () => {
    const out = join(dir, 'report.md');
    const json = join(dir, 'report.json');
    const res = edgeml(['report', '--results', pi, jetson, '--compare', cmp, '--check', chk, '--out', out, '--json', json, '--charts', join(dir, 'charts')]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md.split('\n')[0]).toBe('### ✅ edgeml report: **pass** — budgets: 1 pass · comparisons: 1 unchanged · 2 results, 1 model, 2 devices');
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc).toMatchObject({ schema: { name: 'edgeml-report', version: 1 }, status: 'pass', markdown: out });
    expect(doc.models[0].rows.map((x: { device: string; verdict?: string }) => [x.device, x.verdict])).toEqual([['jetson', undefined], ['pi5', 'unchanged']]);
    expect(readFileSync(join(dir, 'charts/latency-1.svg'), 'utf8')).toMatch(/^<svg /);
  });

  it('--devices names the expected devices without results, and a pass of the others is inconclusive', () => {
    const json = join(dir, 'devices.json');
    const res = edgeml(['report', '--results', pi, jetson, '--compare', cmp, '--check', chk, '--devices', 'pi5,jetson', 'rpi5', '--json', json]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const lines = res.stdout.split('\n');
    expect(lines[0]).toBe('### ❔ edgeml report: **inconclusive** — budgets: 1 pass · comparisons: 1 unchanged · 2 results, 1 model, 2 devices');
    expect(lines.slice(2, 5)).toEqual([
      '> ⚠️ **Not reported** (1 device): rpi5: no results: its job was skipped, cancelled or failed before writing them, or no runner with its label came online.',
      '>',
      '> The results below are from jetson, pi5 only.',
    ]);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ status: 'inconclusive', missing: [{ device: 'rpi5' }] });
    const none = edgeml(['report', '--devices', 'rpi5']);
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('> No device reported results.');
  });

  it('prints to standard output without --out', () => {
    const res = edgeml(['report', '--results', pi]);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('#### mlp&#46;onnx');
  });

  const notJson = join(dir, 'notes.json');
  writeFileSync(notJson, 'not json');
  const wrongKind = writeJson(dir, 'wrong.json', { ...benchDoc(), kind: 'compare' });
  const cases: Array<[string, string[], RegExp]> = [
    ['missing results file', ['--results', join(dir, 'gone.json')], /gone\.json: no such results file; give the file written by 'edgeml bench --json'$/],
    ['results not JSON', ['--results', notJson], /notes\.json: not JSON \(.+\); give the file written by 'edgeml bench --json'$/],
    ['results failing the schema', ['--results', wrongKind], /wrong\.json: not an edgeml results document \(\/kind must be equal to constant\); regenerate it with 'edgeml bench --json'$/],
    ['a bench doc given as --compare', ['--results', pi, '--compare', pi], /pi\.json: not an edgeml compare document \(.+\); regenerate it with 'edgeml compare --json'$/],
    ['missing check file', ['--results', pi, '--check', join(dir, 'nope.json')], /nope\.json: no such check file; give the file written by 'edgeml check --json'$/],
    ['no results', [], /no results given: pass --results with the files written by 'edgeml bench --json'$/],
    ['unknown option', ['--results', pi, '--format', 'html'], /unknown option '--format'/],
    ['--out into a missing folder', ['--results', pi, '--out', join(dir, 'no/such/r.md')], /--out .*r\.md: the folder .*such does not exist; create it first$/],
  ];
  it.each(cases)('exit 2 with one line: %s', (_name, args, expected) => {
    const res = edgeml(['report', ...args]);
    expect(res.status).toBe(2);
    const lines = res.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});

describe('trend and dashboard link', () => {
  it('adds a p90 trend per row from the same device fingerprint, and links the dashboard', () => {
    const doc = benchDoc();
    const entry = (commit: string, p90: number, fingerprint = doc.device.fingerprint): HistoryEntry => ({
      schema: { name: 'edgeml-history-entry', version: 1 }, commit, ref: 'main', timestamp: `2026-11-0${commit.length % 9}T00:00:00.000Z`,
      device: { label: 'x', fingerprint },
      results: [{ model: 'mlp', target: 'onnx', bench: { ...doc, latencyMs: { ...doc.latencyMs, p90 } } }],
    });
    const history = [entry('aaaaaaa', 1), entry('bbbbbbb', 2), entry('ccccccc', 3), entry('ddddddd', 99, '0123456789abcdef')];
    const report = buildReport(inputs({ results: [r(doc)] }), { history, dashboardUrl: 'https://acme.github.io/models/' });
    expect(report.models[0].rows[0].trend).toEqual([1, 2, 3]);
    const md = reportMarkdown(report);
    expect(md.split('\n')[0]).toMatch(/ · \[dashboard\]\(https:\/\/acme\.github\.io\/models\/\)$/);
    expect(md).toMatch(/\| +p90 trend \|/);
    expect(md).toContain('▁▅█ 3.00 ms');
  });
  it('refuses a dashboard URL that is not https, and a missing history folder', () => {
    const dir = tempDir();
    const pi = writeJson(dir, 'pi.json', benchDoc());
    const bad = edgeml(['report', '--results', pi, '--dashboard-url', 'javascript:alert(1)']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('edgeml: error: --dashboard-url "javascript:alert(1)": expected an https URL such as https://acme.github.io/models/');
    const none = edgeml(['report', '--results', pi, '--history', join(dir, 'nope')]);
    expect(none.status).toBe(2);
    expect(none.stderr.trim()).toMatch(/--history .*nope: no such folder; give a checkout of the data branch$/);
  });
});
