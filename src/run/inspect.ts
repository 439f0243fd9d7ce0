// Operator compatibility in `edgeml run`: which runtimes each model is inspected for (edgeml.yml's
// inspect:, or the flag/input, plus the runtimes compat.* budgets name), the inspection of the
// head and of the base model, and why a runtime could not be inspected (never a silent pass).
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isCompatKey } from '../budgets/index.js';
import { TARGETS, runInspect, type InspectFailure, type InspectOutcome, type InspectRunOptions } from '../compat/index.js';
import { didYouMean, type EdgemlConfig } from '../config/index.js';
import { UserError, oneLine } from '../errors.js';
import { toolLogName } from '../optimize/index.js';
import type { ModelPlan } from './plan.js';
import type { RunOptions } from './types.js';

export interface InspectPlan {
  /** The runtimes to inspect the model for, known names only. */
  targets: string[];
  /** Those written { target, optional: true }: not inspected is a notice, not a failure. */
  optional: string[];
  /** Runtimes named only by budgets: their not-judged budget rows carry the failure. */
  fromBudgets: string[];
  /** Runtimes that cannot be inspected before anything runs (a budget's runtime without a table, inspection off). */
  failed: InspectFailure[];
}

/** The runtimes of `list` that edgeml inspect has tables for, or a UserError naming `from` and the fix. */
export function knownRuntimes(list: string[], from: string): string[] {
  for (const name of list) {
    if (TARGETS.includes(name)) continue;
    const guess = didYouMean(name, TARGETS);
    throw new UserError(`${from}: '${name}' is not a runtime edgeml inspect has a table for (${TARGETS.join(', ')})${guess ? `; did you mean '${guess}'?` : ''}`);
  }
  return list;
}

const where = (at: { file: string; line: number; col: number }) => `${at.file}:${at.line}:${at.col}`;

/** The runtimes compat.* budgets judge on model `name` (those without a model judge every model). */
function budgetRuntimes(config: EdgemlConfig, name: string): string[] {
  const keys = config.budgets.filter((b) => b.model === undefined || b.model === name).flatMap((b) => b.limits.map((l) => l.key).filter(isCompatKey));
  return [...new Set(keys.map((k) => k.split('.')[1]))];
}

/**
 * What to inspect model `name` for. An unknown name in inspect: (or the flag) is bad input, found
 * before any work; one in a budget key is that budget's `not judged` row, as is every compat
 * budget when inspection is turned off.
 */
export function inspectPlan(config: EdgemlConfig, name: string, override?: { value: string[] | false; from: string }): InspectPlan {
  const setting = config.inspect;
  const off = override ? override.value === false : !!setting?.off;
  const offBy = override ? override.from : setting ? `inspect: false in ${where(setting.at)}` : '';
  const listed = override ? (override.value || []) : (setting?.targets ?? []);
  const from = override ? override.from : setting ? `${where(setting.at)}: inspect` : 'inspect';
  const targets = off ? [] : [...knownRuntimes(listed, from)];
  const optional = override ? [] : (setting?.optional ?? []);
  const failed: InspectFailure[] = [];
  const fromBudgets: string[] = [];
  for (const runtime of budgetRuntimes(config, name)) {
    if (targets.includes(runtime)) continue;
    if (off) {
      failed.push({ model: name, target: runtime, reason: `inspection is turned off (${offBy})` });
    } else if (!TARGETS.includes(runtime)) {
      // The schema names the runtimes; one whose table this build lacks is not judged, never passed.
      failed.push({ model: name, target: runtime, reason: `no operator table for '${runtime}' in this build (known: ${TARGETS.join(', ')})` });
    } else {
      targets.push(runtime);
      fromBudgets.push(runtime);
    }
  }
  return { targets, optional, fromBudgets, failed };
}

/** One model inspected for its runtimes: the document, or why it could not be (every runtime failed). */
export async function inspectFile(plan: ModelPlan, file: string, targets: string[], toolLogs: InspectRunOptions['toolLogs'] = []): Promise<{ doc: InspectOutcome } | { failed: string }> {
  const f = plan.inputs;
  try {
    const doc = await runInspect({ model: file, targets, inputs: f.input, dims: f.dim, data: f.data, toolLogs });
    doc.model.name = plan.name;
    return { doc };
  } catch (e) {
    // A model the inspector cannot parse, or inputs that do not fit it: each runtime is not inspected, with why.
    return { failed: oneLine(e) };
  }
}

/**
 * `--inspect nnapi,coreml` / input `inspect`: the runtimes instead of edgeml.yml's inspect:,
 * `false` for none; empty: edgeml.yml decides. Unknown names are a UserError naming `from`.
 */
export function parseInspectSetting(raw: string, from: string): RunOptionsInspect | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  if (text === 'false') return { value: false, from: `${from} false` };
  const list = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  return { value: knownRuntimes(list, `${from} ${text}`), from: `${from} ${text}` };
}

type RunOptionsInspect = NonNullable<RunOptions['inspect']>;

/**
 * What a vendor tool printed about this model while the run made its targets: trtexec's engine
 * build from the source (kept beside the artifacts, built or not), read back for inspect to
 * check its static TensorRT verdict against. The path is given relative to the results folder.
 */
export function toolLogsOf(plan: ModelPlan, artifactsDir: string, out: string): NonNullable<InspectRunOptions['toolLogs']> {
  if (!plan.optimize) return [];
  const file = join(artifactsDir, toolLogName(basename(plan.path).replace(/\.onnx$/i, ''), 'tensorrt'));
  if (!existsSync(file)) return [];
  return [{ target: 'tensorrt', file: relative(out, file), text: readFileSync(file, 'utf8') }];
}
