// The generated parts of an action.yml, from the action's settings table: the `inputs:` block and,
// in a composite action, the INPUT_* env of the step that runs the bundle and the ONNX Runtime
// install steps (written here once for every composite action). The rest of the file (name,
// outputs, the action's own steps) is kept as written. `npm run settings` rewrites the files;
// test/settings.test.ts fails when a committed file differs from what its table makes.
import { Scalar, isMap, isScalar, isSeq, parseDocument, visit, type Document, type YAMLMap } from 'yaml';
import { actionInputs, deprecatedInputs } from './parse.js';
import type { Setting, SettingsTable } from './types.js';

export interface ActionSpec {
  /** Folder under actions/ (`optimize` is actions/optimize/action.yml); `root` is ./action.yml. */
  name: string;
  /** Where its inputs come from; absent: the inputs and env stay hand-written (only the runtime steps are made). */
  table?: SettingsTable;
  /** Composite actions that need ONNX Runtime: an extra condition on its install (`inputs.runtime == 'onnxruntime'`). */
  runtime?: { when?: string };
}

/** An input's description: its own, or the flag's help as a sentence. */
export function inputDescription(s: Setting): string {
  const own = s.input ? s.input.description : undefined;
  if (own) return own;
  // 'int8-static ...' and 'onnxruntime-node ...' keep their case; 'calibration ...' is a sentence.
  const text = /^[a-z]+(\s|$)/.test(s.help) ? s.help.charAt(0).toUpperCase() + s.help.slice(1) : s.help;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

type InputSpec = { description: string; required: boolean; default?: string; deprecationMessage?: string };

/**
 * The `inputs:` block of a table, in table order; a renamed input's old name follows the new one,
 * with no default (so it is set only when a workflow gives it) and the runner's deprecationMessage.
 */
export function inputsBlock(table: SettingsTable): Record<string, InputSpec> {
  const out: Record<string, InputSpec> = {};
  const old = deprecatedInputs(table);
  for (const [name, s] of actionInputs(table)) {
    const input = s.input || {};
    const required = input.required === true;
    out[name] = { description: inputDescription(s), required, ...(required ? {} : { default: input.default ?? (s.kind === 'boolean' ? (s.default ?? 'false') : s.default) ?? '' }) };
    for (const d of old.filter((o) => o.now === name)) {
      out[d.old] = { description: `Deprecated (goes in ${d.until}): the old name of ${name}.`, required: false, deprecationMessage: `use ${name}; ${d.old} goes in ${d.until}` };
    }
  }
  return out;
}

const RUNTIME_STEP_NAMES = ['Locate ONNX Runtime', 'Restore ONNX Runtime from the cache', 'Install ONNX Runtime'];

/** The steps that find or install onnxruntime-node for the bundle (cached between runs). */
export function runtimeSteps(when?: string, root = false): Array<Record<string, unknown>> {
  const also = when ? ` && (${when})` : '';
  const scripts = root ? '$GITHUB_ACTION_PATH/scripts' : '$GITHUB_ACTION_PATH/../../scripts';
  return [
    {
      id: 'runtime', name: RUNTIME_STEP_NAMES[0], shell: 'bash',
      env: { VERSION: '${{ inputs.runtime-version }}', GIVEN_DIR: '${{ inputs.runtime-dir }}' },
      run: `bash "${scripts}/runtime-dir.sh"`,
    },
    {
      name: RUNTIME_STEP_NAMES[1], id: 'cache', if: `steps.runtime.outputs.installed != 'true'${also}`, uses: 'actions/cache@v5',
      with: { path: '${{ steps.runtime.outputs.dir }}', key: '${{ steps.runtime.outputs.key }}' },
    },
    {
      name: RUNTIME_STEP_NAMES[2], if: `steps.runtime.outputs.installed != 'true' && steps.cache.outputs.cache-hit != 'true'${also}`, shell: 'bash',
      env: { DIR: '${{ steps.runtime.outputs.dir }}', VERSION: '${{ inputs.runtime-version }}', ONNXRUNTIME_NODE_INSTALL: 'skip' },
      run: 'mkdir -p "$DIR"\nnpm install --prefix "$DIR" --no-save --no-package-lock --no-audit --no-fund "onnxruntime-node@$VERSION"\n',
    },
  ];
}

function composite(doc: Document, spec: ActionSpec): void {
  const steps = doc.getIn(['runs', 'steps']);
  if (!isSeq(steps)) throw new Error(`${actionFile(spec.name)}: runs.steps is not a list`);
  if (spec.runtime) {
    const at = steps.items.findIndex((s) => isMap(s) && RUNTIME_STEP_NAMES.includes(String(s.get('name'))));
    steps.items = steps.items.filter((s) => !(isMap(s) && RUNTIME_STEP_NAMES.includes(String(s.get('name')))));
    const made = runtimeSteps(spec.runtime.when, spec.name === 'root').map((s) => doc.createNode(s));
    for (const step of made) {
      visit(step, { Scalar: (_key, node) => { if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL; } });
      const name = step.get('name', true);
      if (isScalar(name)) name.type = Scalar.QUOTE_SINGLE;
    }
    steps.items.splice(at < 0 ? 0 : at, 0, ...made);
  }
  if (!spec.table) return;
  const table = spec.table;
  const main = steps.items.find((s) => isMap(s) && /dist\/[^/]+\/index\.js/.test(String(s.get('run'))));
  if (!isMap(main)) throw new Error(`${actionFile(spec.name)}: no step runs the bundle (dist/<name>/index.js)`);
  const env = (main.get('env', true) as YAMLMap | undefined) ?? doc.createNode({});
  const passed = [...actionInputs(table).filter(([, s]) => !(s.input && s.input.composite)).map(([n]) => n), ...deprecatedInputs(table).map((d) => d.old)];
  const names = new Set([...actionInputs(table).map(([n]) => n), ...passed].map((n) => `INPUT_${n.toUpperCase()}`));
  // Env the step sets itself (EDGEML_RUNTIME_DIR, an input made by an earlier step) stays first.
  const kept = env.items.filter((p) => !names.has(String((p.key as { value?: unknown })?.value ?? p.key)));
  const made = passed.map((n) => doc.createPair(`INPUT_${n.toUpperCase()}`, `\${{ inputs.${n} }}`));
  env.items = [...kept, ...made];
  main.set('env', env);
}

/** The file of an action, relative to the repository root. */
export function actionFile(name: string): string {
  return name === 'root' ? 'action.yml' : `actions/${name}/action.yml`;
}

/** The action.yml text with its generated parts made from `spec`. */
export function renderActionYml(text: string, spec: ActionSpec): string {
  const doc = parseDocument(text);
  if (spec.table) {
    const inputs = doc.createNode(inputsBlock(spec.table));
    // Descriptions and defaults in single quotes, as the hand-written files have them.
    visit(inputs, { Scalar: (key, node) => { if (key === 'value' && typeof node.value === 'string') node.type = Scalar.QUOTE_SINGLE; } });
    doc.set('inputs', inputs);
  }
  if (doc.getIn(['runs', 'using']) === 'composite') composite(doc, spec);
  return doc.toString({ lineWidth: 0 });
}
