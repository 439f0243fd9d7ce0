// `edgeml inspect`: will the model run on each target runtime? Verdicts on stdout, document to --json.
// Exit 0 every target takes the whole model, 1 one does not, 2 bad input.
import { Command } from 'commander';
import { runInspect, writeInspect } from '../compat/index.js';
import { INSPECT_SETTINGS } from '../compat/settings.js';
import { inspectText } from '../report/index.js';
import { CheckFailure, UserError } from '../errors.js';
import { checkOutputPath } from '../documents/index.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { addSettings } from './settings.js';

export function inspectCommand(): Command {
  const cmd = new Command('inspect').description('operator compatibility per target runtime, from the vendors\' published tables, before anything is converted');
  return addSettings(cmd, INSPECT_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const v = parseSettings(INSPECT_SETTINGS, raw, asFlag);
    if (!v.model) throw new UserError('--model is required: edgeml inspect --model model.onnx --target nnapi,tensorrt');
    if (v.json) checkOutputPath(v.json, '--json');
    const doc = await runInspect({ model: v.model, targets: v.target, inputs: v.input, dims: v.dim, data: v.data, vendorLogs: v.vendorLog });
    process.stdout.write(inspectText(doc));
    if (v.json) {
      writeInspect(v.json, doc);
      process.stderr.write(`inspect document written to ${v.json}\n`);
    }
    if (!doc.pass) throw new CheckFailure('inspect: a target cannot run the model');
  });
}
