// Reading edgeml.yml with the `yaml` package's Document API (keeps every node's offset, mapped to
// line:col by a LineCounter) and checking it with ajv against schemas/config.schema.json.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { UserError, isUserError, oneLine } from '../errors.js';
import { deprecationWarning, warnOnce } from '../settings/index.js';
import { EXPECTED, parseBytes, parseDuration, parseFraction, parseLatency, parsePercent, parseRate, parseShare } from '../units.js';
import schema from '../../schemas/config.schema.json' with { type: 'json' };
import { didYouMean } from './suggest.js';
import type { Budget, BudgetLimit, EdgemlConfig, Position, RolloutPlan, RolloutStage } from './types.js';

export { schema as configSchema };

type Path = Array<string | number>;

let validator: ReturnType<Ajv2020['compile']> | undefined;
function compiled(): ReturnType<Ajv2020['compile']> {
  validator ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true }).compile(schema);
  return validator;
}

/** budgets[0].limits.latency.p90 */
function keyName(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i ? '.' : ''}${s}`)).join('') || '(top level)';
}

function pointerToPath(pointer: string): Path {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Where a path is in the file: the key's position when `atKey`, else the value's. */
function locate(doc: Document, lc: LineCounter, file: string, path: Path, atKey = false): Position {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number] } | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      const keyRange = (pair.key as { range?: [number] } | null)?.range;
      if (i === path.length - 1 && atKey && keyRange) {
        offset = keyRange[0];
        break;
      }
      node = pair.value;
      offset = (node as { range?: [number] } | null)?.range?.[0] ?? keyRange?.[0] ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      offset = (node as { range?: [number] } | null)?.range?.[0] ?? offset;
    } else break;
  }
  const { line, col } = lc.linePos(offset);
  return { file, line, col };
}

const where = (p: Position) => `${p.file}:${p.line}:${p.col}`;

const DEF_EXPECTED: Record<string, string> = {
  duration: EXPECTED.duration, bytes: EXPECTED.bytes, percent: EXPECTED.percent, rate: EXPECTED.rate, fraction: EXPECTED.fraction, count: 'a whole number, e.g. 1',
  share: 'a whole percentage from 0 to 100, e.g. 10 or 10%', period: 'a time with its unit, e.g. 30m, 4h or 90s',
};

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

/** One ajv error as `file:line:col: key: what was expected`, with a suggestion for typos. */
function explain(e: ErrorObject, doc: Document, lc: LineCounter, file: string): { at: Position; text: string } {
  const path = pointerToPath(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const extra = String(e.params.additionalProperty);
    const parent = e.parentSchema as { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown> };
    const allowed = Object.keys(parent.properties ?? {});
    // Pattern keys (accuracy.<metric>) are suggested with the metric the user wrote.
    const rest = extra.includes('.') ? extra.slice(extra.indexOf('.') + 1) : 'metric';
    const patterns = [...new Set(Object.keys(parent.patternProperties ?? {}).map((p) => p.replace(/^\^/, '').replace(/\\\..*$/, '')))].filter((p) => p !== 'compat');
    const guess = didYouMean(extra, [...allowed, ...patterns.map((p) => `${p}.${rest}`)]);
    const compat = Object.keys(parent.patternProperties ?? {}).some((p) => p.startsWith('^compat')) ? ['compat.<runtime>.coverage|partitions|unsupported'] : [];
    const listed = [...allowed, ...patterns.map((p) => `${p}.<metric>`), ...compat].join(', ');
    return {
      at: locate(doc, lc, file, [...path, extra], true),
      text: `${keyName([...path, extra])}: unknown key; expected one of ${listed}${guess ? ` (did you mean '${guess}'?)` : ''}`,
    };
  }
  const at = locate(doc, lc, file, path, false);
  const key = keyName(path);
  const got = describeValue(e.data);
  switch (e.keyword) {
    case 'required':
      return { at, text: `${key}: missing key '${e.params.missingProperty}'` };
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const guess = typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined;
      return { at, text: `${key}: expected one of ${allowed.join(', ')}, got ${got}${guess ? ` (did you mean '${guess}'?)` : ''}` };
    }
    case 'const':
      return { at, text: `${key}: expected ${JSON.stringify(e.params.allowedValue)}, got ${got}` };
    case 'type': {
      const def = /#\/\$defs\/(\w+)\//.exec(e.schemaPath)?.[1];
      if (def && DEF_EXPECTED[def]) return { at, text: `${key}: expected ${DEF_EXPECTED[def]}, got ${got}` };
      return { at, text: `${key}: expected ${String(e.params.type).replace(',', ' or ')}, got ${got}` };
    }
    case 'pattern': {
      const def = /#\/\$defs\/(\w+)\//.exec(e.schemaPath)?.[1];
      const expected = def ? DEF_EXPECTED[def] : ((e.parentSchema as { description?: string }).description ?? `text matching ${e.params.pattern}`);
      return { at, text: `${key}: expected ${expected}, got ${got}` };
    }
    default:
      return { at, text: `${key}: ${e.message ?? 'invalid'}${e.data !== undefined && typeof e.data !== 'object' ? `, got ${got}` : ''}` };
  }
}

const PARSERS: Array<[RegExp, (text: string, what: string) => number, 'max' | 'min', string]> = [
  [/^latency\./, parseLatency, 'max', EXPECTED.duration],
  [/^throughput$/, parseRate, 'min', EXPECTED.rate],
  [/^(memory\.peak|size)$/, parseBytes, 'max', EXPECTED.bytes],
  [/^regression\./, parsePercent, 'max', EXPECTED.percent],
  [/^(accuracy|fidelity)\./, parseFraction, 'min', EXPECTED.fraction],
  // compat.<runtime>.*: judged from `edgeml inspect` documents (src/budgets/compat.ts).
  [/^compat\.[a-z-]+\.coverage(\.compute)?$/, parseFraction, 'min', EXPECTED.fraction],
  [/^compat\.[a-z-]+\.(partitions|unsupported)$/, parseCount, 'max', 'a whole number, e.g. 1'],
];

function parseCount(text: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new UserError(`${what} ${JSON.stringify(text)}: expected a whole number, e.g. 1`);
  return Number(text);
}

function parseLimit(key: string, raw: unknown, at: Position, name: string): BudgetLimit {
  const text = String(raw).trim();
  const [, parse, direction, expected] = PARSERS.find(([re]) => re.test(key)) as (typeof PARSERS)[number];
  let dir = direction;
  let body = text;
  const op = /^(>=|<=)\s*/.exec(text);
  if (op) {
    dir = op[1] === '>=' ? 'min' : 'max';
    body = text.slice(op[0].length);
  } else if (/^fidelity\..*(error|mae|rmse|mse|loss)/i.test(key)) dir = 'max';
  try {
    return { key, text, value: parse(body, key), direction: dir, at };
  } catch (e) {
    if (!isUserError(e)) throw e;
    throw new UserError(`${where(at)}: ${name}: expected ${expected}, got ${JSON.stringify(text)}`);
  }
}

/** Parses and validates edgeml.yml text; `file` names it in messages. */
export function parseConfig(text: string, file: string): EdgemlConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const err = doc.errors[0];
    const { line, col } = lc.linePos(err.pos[0]);
    throw new UserError(`${file}:${line}:${col}: not valid YAML: ${oneLine(err.message.split('\n')[0])}`);
  }
  if (doc.contents === null || (isMap(doc.contents) && doc.contents.items.length === 0)) {
    throw new UserError(`${file}: the config is empty (nothing but comments); add models: (name: { path: model.onnx }) and budgets: (see docs/budgets.md)`);
  }
  let data: unknown;
  try {
    // Aliases are expanded here: `maxAliasCount` stops a billion-laughs file before it eats the memory.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (!/alias/i.test(String((e as Error).message))) throw e;
    throw new UserError(`${file}: too many YAML aliases (*name) expanded: write the values out (at most 100 alias expansions)`);
  }
  const validate = compiled();
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map((e) => ({ ...explain(e, doc, lc, file), typo: e.keyword === 'additionalProperties' }));
    // At one place, a misspelt key comes first: it explains the key said to be missing there.
    problems.sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col || Number(b.typo) - Number(a.typo));
    const first = problems[0];
    const more = problems.length > 1 ? ` (${problems.length - 1} more ${problems.length === 2 ? 'problem' : 'problems'} after this)` : '';
    throw new UserError(`${where(first.at)}: ${first.text}${more}`);
  }
  const raw = data as {
    version?: 1; models?: EdgemlConfig['models']; targets?: Array<string | { target: string; optional?: boolean }>;
    inspect?: boolean | Array<string | { target: string; optional?: boolean }>; benchmark?: EdgemlConfig['benchmark'];
    compare?: EdgemlConfig['compare'] & { artifacts?: boolean }; datasets?: EdgemlConfig['datasets']; monitoring?: EdgemlConfig['monitoring']; rollout?: RawRollout;
    budgets?: Array<{ model?: string; target?: string; device?: string; level?: Budget['level']; inconclusive?: Budget['inconclusive']; optional?: boolean; message?: string; limits: Record<string, unknown> }>;
  };
  const models = raw.models ?? {};
  /** A name under models:, or a UserError at `path` naming the models there are. */
  const knownModel = (name: string, path: Path) => {
    if (name in models) return;
    const known = Object.keys(models);
    const guess = didYouMean(name, known);
    throw new UserError(
      `${where(locate(doc, lc, file, path))}: ${keyName(path)}: '${name}' is not a model under models${known.length ? ` (${known.join(', ')})` : ''}${guess ? `; did you mean '${guess}'?` : '; add it under models'}`,
    );
  };
  const budgets: Budget[] = (raw.budgets ?? []).map((b, index) => {
    const at = locate(doc, lc, file, ['budgets', index]);
    if (b.model !== undefined) knownModel(b.model, ['budgets', index, 'model']);
    return {
      index,
      ...(b.model !== undefined ? { model: b.model } : {}),
      ...(b.target !== undefined ? { target: b.target } : {}),
      ...(b.device !== undefined ? { device: b.device } : {}),
      level: b.level ?? 'error',
      inconclusive: b.inconclusive ?? 'warn',
      ...(b.optional ? { optional: true } : {}),
      ...(b.message !== undefined ? { message: b.message } : {}),
      limits: Object.entries(b.limits).map(([key, value]) => parseLimit(key, value, locate(doc, lc, file, ['budgets', index, 'limits', key], true), keyName(['budgets', index, 'limits', key]))),
      at,
    };
  });
  type TargetEntry = string | { target: string; optional?: boolean };
  const entries = (list: TargetEntry[] | undefined) => (list ?? []).map((t) => (typeof t === 'string' ? { target: t } : t));
  const modelTargets = Object.values(models).flatMap((m) => entries((m as { targets?: TargetEntry[] }).targets));
  const located = Object.fromEntries(
    Object.entries(models).map(([name, m]) => {
      const own = (m as { targets?: TargetEntry[] }).targets;
      return [name, { ...m, ...(own ? { targets: entries(own).map((t) => t.target) } : {}), at: locate(doc, lc, file, ['models', name, 'path']) }];
    }),
  ) as EdgemlConfig['models'];
  const datasets = Object.fromEntries(
    Object.entries(raw.datasets ?? {}).map(([name, d]) => {
      (d.models ?? []).forEach((m, i) => knownModel(m, ['datasets', name, 'models', i]));
      return [name, { ...d, at: locate(doc, lc, file, ['datasets', name, 'inputs']) }];
    }),
  ) as EdgemlConfig['datasets'];
  const targets = entries(raw.targets);
  const settingsAt: Record<string, Position> = {};
  const sections: Array<[Path, object | undefined]> = [
    [['benchmark'], raw.benchmark],
    [['compare'], raw.compare],
    [['monitoring'], raw.monitoring],
    ...Object.entries(models).map(([name, m]): [Path, object] => [['models', name], m]),
  ];
  for (const [path, section] of sections) {
    for (const key of Object.keys(section ?? {})) settingsAt[keyName([...path, key])] = locate(doc, lc, file, [...path, key]);
  }
  renameDeprecated(raw as Record<string, Record<string, unknown> | undefined>, settingsAt);
  return {
    file,
    ...(raw.version ? { version: raw.version } : {}),
    models: located,
    targets: targets.map((t) => t.target),
    optionalTargets: [...new Set([...targets, ...modelTargets].filter((t) => t.optional).map((t) => t.target))],
    ...(raw.inspect !== undefined ? { inspect: inspectSetting(raw.inspect, locate(doc, lc, file, ['inspect'])) } : {}),
    benchmark: raw.benchmark ?? {},
    compare: Object.fromEntries(Object.entries(raw.compare ?? {}).filter(([k]) => k !== 'artifacts')) as EdgemlConfig['compare'],
    compareArtifacts: raw.compare?.artifacts === true,
    datasets,
    budgets,
    monitoring: raw.monitoring ?? {},
    settingsAt,
    ...(raw.rollout ? { rollout: rolloutPlan(raw.rollout, (path) => locate(doc, lc, file, path)) } : {}),
  };
}

/** inspect: as written: a list of runtimes (some optional), or false. */
function inspectSetting(raw: boolean | Array<string | { target: string; optional?: boolean }>, at: Position): NonNullable<EdgemlConfig['inspect']> {
  if (raw === true) throw new UserError(`${where(at)}: inspect: true: name the runtimes (inspect: [nnapi, coreml]), or write false for none`);
  if (raw === false) return { targets: [], optional: [], off: true, at };
  const list = raw.map((t) => (typeof t === 'string' ? { target: t } : t));
  return { targets: [...new Set(list.map((t) => t.target))], optional: list.filter((t) => t.optional).map((t) => t.target), off: false, at };
}

interface RawGate { 'min-devices'?: number | string; 'success-threshold'?: string; 'error-threshold'?: string; soak?: string }
type RawRollout = RawGate & { 'auto-rollback'?: boolean; stages: Array<RawGate & { channel: RolloutStage['channel']; percent?: number | string }> };

const CHANNEL_ORDER = ['canary', 'beta', 'stable'];

/** `rollout:` after the schema: units parsed, and the stages checked to go forward (channel by channel, widening). */
function rolloutPlan(raw: RawRollout, at: (path: Path) => Position): RolloutPlan {
  const gate = (g: RawGate) => ({
    ...(g['min-devices'] !== undefined ? { minDevices: Number(g['min-devices']) } : {}),
    ...(g['success-threshold'] !== undefined ? { successThreshold: parseShare(g['success-threshold'], 'success-threshold') } : {}),
    ...(g['error-threshold'] !== undefined ? { errorThreshold: parseShare(g['error-threshold'], 'error-threshold') } : {}),
    ...(g.soak !== undefined ? { soakMs: parseDuration(g.soak, 'soak') } : {}),
  });
  const positions: Record<string, Position> = {};
  const note = (path: Path, obj: object) => {
    for (const k of Object.keys(obj)) positions[keyName([...path, k])] = at([...path, k]);
  };
  note(['rollout'], raw);
  const stages = raw.stages.map((s, i): RolloutStage => {
    note(['rollout', 'stages', i], s);
    return { channel: s.channel, percent: s.percent === undefined ? 100 : parseShare(String(s.percent), 'percent', true), ...gate(s), at: at(['rollout', 'stages', i]) };
  });
  for (let i = 1; i < stages.length; i++) {
    const [a, b] = [stages[i - 1], stages[i]];
    const order = CHANNEL_ORDER.indexOf(b.channel) - CHANNEL_ORDER.indexOf(a.channel);
    if (order < 0 || (order === 0 && b.percent <= a.percent)) {
      throw new UserError(`${where(b.at)}: rollout.stages[${i}]: ${b.channel} ${b.percent}% comes after ${a.channel} ${a.percent}%; list the stages from the first to the last (canary, beta, stable; a channel's percentages growing)`);
    }
  }
  return { stages, ...gate(raw), ...(raw['auto-rollback'] !== undefined ? { autoRollback: raw['auto-rollback'] } : {}), at: positions };
}

/** Reads and validates a config file. */
export function loadConfig(file: string): EdgemlConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `${file}: no such config file; create it (see the edgeml.yml section of docs/workflow-author.md) or give its path with --config`
        : code === 'EISDIR' ? `${file}: is a directory; give the path of edgeml.yml with --config` : `${file}: cannot read it (${code})`,
    );
  }
  return parseConfig(text, file);
}

/**
 * Keys renamed in a minor release (the `deprecated` names of the settings tables, e.g.
 * COMPARE_SETTINGS.statistic): the old key still works, warns once naming the new one, and yields
 * to the new key when both are written.
 */
const RENAMED: Array<{ section: string; old: string; now: string; until: string }> = [
  { section: 'compare', old: 'metric', now: 'statistic', until: '0.3.0' },
];

function renameDeprecated(raw: Record<string, Record<string, unknown> | undefined>, settingsAt: Record<string, Position>): void {
  for (const r of RENAMED) {
    const section = raw[r.section];
    if (!section || !(r.old in section)) continue;
    const at = settingsAt[`${r.section}.${r.old}`];
    warnOnce(`${where(at)}: ${deprecationWarning(`${r.section}.${r.old}`, `${r.section}.${r.now}`, r.until)}\n`, (line) => process.stderr.write(line));
    if (!(r.now in section)) {
      section[r.now] = section[r.old];
      settingsAt[`${r.section}.${r.now}`] = at;
    }
    delete section[r.old];
    delete settingsAt[`${r.section}.${r.old}`];
  }
}
