// scripts/compat-tables.mjs offline: each vendored table, written back out in its vendor's source
// layout (ONNX Runtime's op tables and reduced-build config, onnx-tensorrt's matrix, OpenVINO's
// frontend list, onnx2tf's README table), is read back by the script from that file alone and
// comes out byte for byte as vendored: the parsers read the layouts, and nothing needs a network.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SupportTable, TableOp } from '../src/compat/index.js';
import { ROOT, tempDir } from './helpers.js';

const SCRIPT = join(ROOT, 'scripts/compat-tables.mjs');
const TARGETS = ['nnapi', 'coreml', 'coreml-mlprogram', 'ort-mobile', 'tensorrt', 'openvino', 'tflite'];
const table = (name: string): SupportTable => JSON.parse(readFileSync(join(ROOT, 'data/compat', `${name}.json`), 'utf8'));
const script = (args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });

/** The table in the layout of the file it came from (what the vendor publishes, with our rows). */
function sourceText(t: SupportTable): string {
  const row = (cells: string[]) => `|${cells.join('|')}|`;
  switch (t.target) {
    case 'nnapi': case 'coreml': case 'coreml-mlprogram':
      return ['|Operator|Note|', '|--------|------|', ...t.ops.map((o) => row([`${o.domain || 'ai.onnx'}:${o.op}`, o.note]))].join('\n');
    case 'ort-mobile': {
      const lines = new Map<string, string[]>();
      for (const o of t.ops) for (const v of o.opsets!) lines.set(`${o.domain || 'ai.onnx'};${v}`, [...(lines.get(`${o.domain || 'ai.onnx'};${v}`) ?? []), o.op]);
      return ['# a reduced build', ...[...lines].map(([k, ops]) => `${k};${ops.join(',')}`), `!globally_allowed_types;${t.types!.map((x) => (x === 'float' ? x : `${x}_t`)).join(',')}`].join('\n');
    }
    case 'tensorrt':
      return [
        `${t.version.split(' (')[0]} supports operators from opset ${t.opsets![0]} to opset ${t.opsets![1]}.`, '',
        '| Operator | Supported | Supported Types | Restrictions |', '|---|---|---|---|',
        ...t.ops.map((o) => row([` ${o.op} `, ' Y ', ` ${o.types!.join(', ')} `, ` ${o.note} `])),
        ...t.unsupported.map((o) => row([` ${o.op} `, ' N ', ' ', ` ${o.note} `])),
      ].join('\n');
    case 'openvino':
      return [
        '|Domain|Operation Name|Supported Version|Defined Version|Limitation|', '|--|--|--|--|--|',
        ...t.ops.map((o) => row([o.domain, o.op, o.since!.join(', '), o.defined!.join(', '), o.note])),
        ...t.unsupported.map((o) => row([o.domain, o.op, '', o.defined!.join(', '), o.note])),
      ].join('\n');
    case 'tflite': {
      const cells = (o: TableOp) => {
        const at = o.note.indexOf(': ');
        const rest = o.note.slice(at + 2);
        return [o.op, o.note.slice(0, at), rest === 'no constraints listed' ? '-' : rest];
      };
      return ['# onnx2tf', '', '|ONNX OP|TFLite OP|Key constraints|', '|:-|:-|:-|', ...t.ops.map((o) => row(cells(o))), '', 'after the table'].join('\n');
    }
    default:
      throw new Error(t.target);
  }
}

describe('the refresh script, offline, from given files', () => {
  it('reads each table back from a file in its source layout, byte for byte as vendored, and writes it where --out says', () => {
    const dir = tempDir('edgeml-tables-src-');
    const out = tempDir('edgeml-tables-out-');
    const files = TARGETS.flatMap((name) => {
      const file = join(dir, `${name}.txt`);
      writeFileSync(file, `${sourceText(table(name))}\n`);
      return ['--file', `${name}=${file}`];
    });
    const r = script([...files, '--date', table('nnapi').retrieved, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('tensorrt: 150 supported, 46 listed unsupported (TensorRT 10.0 (onnx/onnx-tensorrt@96e7811))');
    for (const name of TARGETS) expect(readFileSync(join(out, `${name}.json`), 'utf8'), name).toBe(readFileSync(join(ROOT, 'data/compat', `${name}.json`), 'utf8'));
  });

  it('--file refreshes only the tables it names; --ref records the commit the copy is of', () => {
    const dir = tempDir('edgeml-tables-one-');
    const out = tempDir('edgeml-tables-one-out-');
    writeFileSync(join(dir, 'nnapi.md'), sourceText(table('nnapi')));
    const commit = 'f'.repeat(40);
    const r = script(['--file', `nnapi=${join(dir, 'nnapi.md')}`, '--ref', commit, '--date', '2027-01-02', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['nnapi.json']);
    const t = JSON.parse(readFileSync(join(out, 'nnapi.json'), 'utf8')) as SupportTable;
    expect(t).toMatchObject({ version: 'microsoft/onnxruntime@fffffff', retrieved: '2027-01-02', source: { commit, url: expect.stringContaining(commit) } });
    expect(t.ops).toEqual(table('nnapi').ops);
  });

  it.each([
    [['--file', 'nnapi'], /--file nnapi: expected TARGET=FILE/],
    [['--file', 'hexagon=x.md'], /--file hexagon=x\.md: no table 'hexagon'; the tables are nnapi, /],
    [['--file', 'nnapi=/nonexistent/nnapi.md'], /--file nnapi=\/nonexistent\/nnapi\.md: cannot read it \(ENOENT\); give a local copy of the microsoft\/onnxruntime file tools\/ci_build\/github\/android\/nnapi_supported_ops\.md/],
    [['--date', 'yesterday'], /--date yesterday: expected a day as YYYY-MM-DD/],
  ])('stops with one line and writes nothing for %j', (args, message) => {
    const out = join(tempDir(), 'tables');
    const r = script([...args, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    expect(existsSync(out)).toBe(false);
  });

  it('a file whose layout changed stops it, naming the source and the parser, and no table is written', () => {
    const dir = tempDir('edgeml-tables-bad-');
    writeFileSync(join(dir, 'nnapi.md'), sourceText(table('nnapi')));
    writeFileSync(join(dir, 'tensorrt.md'), '# Supported operators\n\nSee the new page.\n');
    const out = join(tempDir(), 'tables');
    const r = script(['--file', `nnapi=${join(dir, 'nnapi.md')}`, '--file', `tensorrt=${join(dir, 'tensorrt.md')}`, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("compat-tables: onnx/onnx-tensorrt/docs/operators.md: no supported-operator rows found; its layout changed, update the 'tensorrt' parser");
    expect(existsSync(out)).toBe(false);
  });
});
