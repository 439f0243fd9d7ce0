#!/usr/bin/env node
// Refreshes the operator support tables in data/compat/ from the files the vendors publish.
//
//   node scripts/compat-tables.mjs                 download each source at the commit in SOURCES
//   node scripts/compat-tables.mjs --ref main      download each source at a branch or commit
//   node scripts/compat-tables.mjs --from DIR      read the sources from DIR/<local> (offline)
//   node scripts/compat-tables.mjs --file nnapi=nnapi_supported_ops.md [--file ...]
//                                                  refresh only these tables, each from a local
//                                                  copy of its source (offline)
//   --ref COMMIT    the commit the sources are of (recorded in each table; default the pinned one)
//   --date DAY      the retrieval date recorded (default today, UTC)
//   --out DIR       write the tables there instead of data/compat/
//
// The tables are the vendors' facts; this script only turns each one into the same JSON shape:
// { target, title, source, version, retrieved, opsets, types, partitioned, ops[], unsupported[] }.
// A source whose layout changed (no table rows found) stops the script with the file named,
// and nothing is written for it.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const SOURCES = [
  {
    target: 'nnapi', local: 'nnapi.md', parse: 'ortEp', partitioned: true,
    title: 'ONNX Runtime NNAPI execution provider (Android)',
    repository: 'microsoft/onnxruntime', path: 'tools/ci_build/github/android/nnapi_supported_ops.md',
    commit: '5dae05e21e44e5bbe485beb765561dd808191fb2',
  },
  {
    target: 'coreml', local: 'coreml.md', parse: 'ortEp', partitioned: true,
    title: 'ONNX Runtime Core ML execution provider, NeuralNetwork format (the default)',
    repository: 'microsoft/onnxruntime', path: 'tools/ci_build/github/apple/coreml_supported_ops.md',
    commit: '424107a82a9aa018f2925406b34a39b11d1e02e8',
  },
  {
    target: 'coreml-mlprogram', local: 'coreml-mlprogram.md', parse: 'ortEp', partitioned: true,
    title: 'ONNX Runtime Core ML execution provider, MLProgram format',
    repository: 'microsoft/onnxruntime', path: 'tools/ci_build/github/apple/coreml_supported_mlprogram_ops.md',
    commit: '9969c9a116aaf0c7464582d8a99951e42b423b40',
  },
  {
    target: 'ort-mobile', local: 'ort-mobile.config', parse: 'ortConfig', partitioned: false,
    title: 'ONNX Runtime Mobile pre-built package (reduced operator and type set)',
    repository: 'microsoft/onnxruntime', path: 'tools/ci_build/github/android/mobile_package.required_operators.config',
    commit: 'aad67dc8fe785d9a359edbfaec4e6464be44079a',
  },
  {
    target: 'tensorrt', local: 'tensorrt.md', parse: 'tensorrt', partitioned: false,
    title: 'TensorRT ONNX parser (onnx-tensorrt)',
    repository: 'onnx/onnx-tensorrt', path: 'docs/operators.md',
    commit: '96e781103cfc4adf4a6bb557e94bac8e693f6f4c',
  },
  {
    target: 'openvino', local: 'openvino.md', parse: 'openvino', partitioned: false,
    title: 'OpenVINO ONNX frontend',
    repository: 'openvinotoolkit/openvino', path: 'src/frontends/onnx/docs/supported_ops.md',
    commit: 'b2cfecf892aeb3359ffa9e5df80bb98bb883a2f9',
  },
  {
    target: 'tflite', local: 'onnx2tf-README.md', parse: 'onnx2tf', partitioned: false,
    title: 'TFLite builtin operators through onnx2tf (flatbuffer_direct ONNX -> TFLite builtin mapping)',
    repository: 'PINTO0309/onnx2tf', path: 'README.md',
    commit: '2c0cb019b77bb7464828123eb3b708e05b4737a7',
  },
];

function fail(msg) {
  process.stderr.write(`compat-tables: ${msg}\n`);
  process.exit(2);
}

function cells(line) {
  const t = line.trim();
  if (!t.startsWith('|')) return null;
  const parts = t.split('|').map((c) => c.trim());
  parts.shift();
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

const isRule = (c) => c.every((x) => /^:?-*:?$/.test(x));
const clean = (s) => s.replace(/<br\s*\/?>/gi, ' ').replace(/\s+/g, ' ').trim();

/** ORT's EP tables: `|domain:Op|note|` (one row spells the domain `ai.onnx.ReduceSum`). */
function parseOrtEp(text) {
  const ops = [];
  for (const line of text.split('\n')) {
    const c = cells(line);
    if (!c || c.length < 2 || isRule(c)) continue;
    const m = /^(ai\.onnx|com\.microsoft)[:.]([A-Za-z0-9_]+)$/.exec(c[0]);
    if (!m) continue;
    ops.push({ domain: m[1] === 'ai.onnx' ? '' : m[1], op: m[2], note: clean(c[1]) });
  }
  return { ops, unsupported: [], opsets: null, types: null, version: null };
}

/** ORT's reduced-build config: `domain;opset;Op,Op` lines and `!globally_allowed_types;t,t`. */
function parseOrtConfig(text) {
  const byOp = new Map();
  let types = null;
  const opsets = new Set();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('!globally_allowed_types;')) {
      types = line.split(';')[1].split(',').map((t) => t.trim().replace(/_t$/, ''));
      continue;
    }
    const [domain, opset, list] = line.split(';');
    if (!list) continue;
    const d = domain === 'ai.onnx' ? '' : domain;
    if (!d) opsets.add(Number(opset));
    for (const op of list.split(',').map((s) => s.trim()).filter(Boolean)) {
      const key = `${d}:${op}`;
      const e = byOp.get(key) ?? { domain: d, op, note: '', opsets: [] };
      if (!e.opsets.includes(Number(opset))) e.opsets.push(Number(opset));
      byOp.set(key, e);
    }
  }
  const list = [...opsets].sort((a, b) => a - b);
  return { ops: [...byOp.values()], unsupported: [], opsets: list.length ? [list[0], list[list.length - 1]] : null, types, version: null };
}

/** onnx-tensorrt's matrix: `| Op | Y/N | types | restrictions |` and the opset range in the prose. */
function parseTensorrt(text) {
  const ops = [];
  const unsupported = [];
  const range = /opset (\d+) to opset (\d+)/.exec(text);
  const version = /TensorRT (\d+(?:\.\d+)*) supports operators/.exec(text);
  for (const line of text.split('\n')) {
    const c = cells(line);
    if (!c || c.length < 2 || isRule(c) || c[0] === 'Operator') continue;
    if (!/^[A-Za-z0-9_]+$/.test(c[0]) || !/^[YN]$/.test(c[1])) continue;
    // The table spells INT64 'INF64' in one row (ConstantOfShape): read it as the type it means.
    const types = (c[2] ?? '').split(',').map((t) => t.trim().replace(/^INF64$/, 'INT64')).filter(Boolean);
    const entry = { domain: '', op: c[0], note: clean(c[3] ?? '') };
    if (c[1] === 'Y') ops.push({ ...entry, types });
    else unsupported.push(entry);
  }
  return {
    ops, unsupported, opsets: range ? [Number(range[1]), Number(range[2])] : null, types: null,
    version: version ? `TensorRT ${version[1]}` : null,
  };
}

/** OpenVINO's frontend list: `|domain|Op|supported versions|defined versions|limitation|`. */
function parseOpenvino(text) {
  const ops = [];
  const unsupported = [];
  for (const line of text.split('\n')) {
    const c = cells(line);
    if (!c || c.length < 4 || isRule(c) || c[1] === 'Operation Name') continue;
    const nums = (s) => s.split(',').map((x) => Number(x.trim())).filter((x) => Number.isInteger(x) && x > 0).sort((a, b) => a - b);
    const entry = { domain: c[0], op: c[1], note: clean(c[4] ?? '') };
    const supported = nums(c[2]);
    const defined = nums(c[3]);
    if (supported.length) ops.push({ ...entry, since: supported, defined });
    else unsupported.push({ ...entry, defined });
  }
  return { ops, unsupported, opsets: null, types: null, version: null };
}

/** onnx2tf's README: the "Builtin supported (ONNX -> TFLite)" table, `|Op|TFLite ops|constraints|`. */
function parseOnnx2tf(text) {
  const start = text.indexOf('|ONNX OP|TFLite OP|');
  if (start < 0) return { ops: [], unsupported: [], opsets: null, types: null, version: null };
  const ops = [];
  for (const line of text.slice(start).split('\n').slice(1)) {
    const c = cells(line);
    if (!c) break;
    if (isRule(c)) continue;
    if (!/^[A-Za-z0-9_]+$/.test(c[0])) continue;
    ops.push({ domain: '', op: c[0], note: clean(`${c[1]}: ${c[2] === '-' ? 'no constraints listed' : c[2]}`).replace(/`/g, '') });
  }
  return { ops, unsupported: [], opsets: null, types: null, version: null };
}

const PARSERS = { ortEp: parseOrtEp, ortConfig: parseOrtConfig, tensorrt: parseTensorrt, openvino: parseOpenvino, onnx2tf: parseOnnx2tf };

async function readSource(src, from, ref, file) {
  if (file) {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      fail(`--file ${src.target}=${file}: cannot read it (${e.code}); give a local copy of the ${src.repository} file ${src.path}`);
    }
  }
  if (from) {
    try {
      return readFileSync(join(from, src.local), 'utf8');
    } catch (e) {
      fail(`${join(from, src.local)}: cannot read it (${e.code}); put the ${src.repository} file ${src.path} there`);
    }
  }
  const url = `https://raw.githubusercontent.com/${src.repository}/${ref ?? src.commit}/${src.path}`;
  const res = await fetch(url);
  if (!res.ok) fail(`${url}: HTTP ${res.status}`);
  return res.text();
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const from = opt('--from');
  const ref = opt('--ref');
  const out = opt('--out') ?? join(ROOT, 'data/compat');
  const retrieved = opt('--date') ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(retrieved)) fail(`--date ${retrieved}: expected a day as YYYY-MM-DD`);
  const files = new Map();
  args.forEach((a, i) => {
    if (a !== '--file') return;
    const v = args[i + 1] ?? '';
    const at = v.indexOf('=');
    const target = v.slice(0, at);
    if (at <= 0 || at === v.length - 1) fail(`--file ${v}: expected TARGET=FILE, e.g. --file nnapi=nnapi_supported_ops.md`);
    if (!SOURCES.some((src) => src.target === target)) fail(`--file ${v}: no table '${target}'; the tables are ${SOURCES.map((src) => src.target).join(', ')}`);
    files.set(target, v.slice(at + 1));
  });
  if (files.size && from) fail('--file and --from: give one of them');
  const tables = [];
  for (const src of SOURCES.filter((x) => !files.size || files.has(x.target))) {
    const text = await readSource(src, from, ref, files.get(src.target));
    const parsed = PARSERS[src.parse](text);
    if (parsed.ops.length === 0) fail(`${src.repository}/${src.path}: no supported-operator rows found; its layout changed, update the '${src.parse}' parser`);
    const commit = ref ?? src.commit;
    tables.push({
      target: src.target,
      title: src.title,
      source: {
        repository: src.repository,
        path: src.path,
        commit,
        url: `https://github.com/${src.repository}/blob/${commit}/${src.path}`,
      },
      version: parsed.version ? `${parsed.version} (${src.repository}@${commit.slice(0, 7)})` : `${src.repository}@${commit.slice(0, 7)}`,
      retrieved,
      partitioned: src.partitioned,
      opsets: parsed.opsets,
      types: parsed.types,
      ops: parsed.ops.sort((a, b) => `${a.domain}:${a.op}`.localeCompare(`${b.domain}:${b.op}`)),
      unsupported: parsed.unsupported,
    });
  }
  // Every source read and parsed before anything is written: a bad one leaves every table as it was.
  mkdirSync(out, { recursive: true });
  for (const t of tables) {
    writeFileSync(join(out, `${t.target}.json`), `${JSON.stringify(t, null, 1)}\n`);
    process.stdout.write(`${t.target}: ${t.ops.length} supported, ${t.unsupported.length} listed unsupported (${t.version})\n`);
  }
}

main().catch((e) => fail(e instanceof Error ? e.message : String(e)));
