// `edgeml inspect`: will the model run on each target runtime? Verdicts on stdout, document to --json.
// Exit 0 every target takes the whole model, 1 one does not, 2 bad input.
import { Command } from 'commander';
import { runInspect, TARGETS, writeInspect } from '../compat/index.js';
import { inspectText } from '../report/index.js';
import { CheckFailure } from '../errors.js';
import { checkOutputPath } from '../documents/index.js';
import { collect } from './collect.js';

export function inspectCommand(): Command {
  return new Command('inspect')
    .description('operator compatibility per target runtime, from the vendors\' published tables, before anything is converted')
    .requiredOption('--model <file>', 'the .onnx model')
    .option('--target <list>', `target runtimes, comma-separated (repeatable): ${TARGETS.join(', ')}`, collect, [])
    .option('--input <name=shape>', 'fix an input shape, e.g. x=1x3x224x224 (repeatable)', collect, [])
    .option('--dim <name=size>', 'fix a named dynamic dim wherever it appears (repeatable)', collect, [])
    .option('--data <name=file.npy|number>', 'what the shape run feeds an input (random otherwise), e.g. sr=16000 (repeatable)', collect, [])
    .option('--vendor-log <target=file>', "check the verdict against a vendor tool's log, e.g. tensorrt=trtexec.log (repeatable)", collect, [])
    .option('--json <file>', 'write the inspect document here')
    .action(async (flags: { model: string; target: string[]; input: string[]; dim: string[]; data: string[]; vendorLog: string[]; json?: string }) => {
      if (flags.json) checkOutputPath(flags.json, '--json');
      const doc = await runInspect({ model: flags.model, targets: flags.target, inputs: flags.input, dims: flags.dim, data: flags.data, vendorLogs: flags.vendorLog });
      process.stdout.write(inspectText(doc));
      if (flags.json) {
        writeInspect(flags.json, doc);
        process.stderr.write(`inspect document written to ${flags.json}\n`);
      }
      if (!doc.pass) throw new CheckFailure('inspect: a target cannot run the model');
    });
}
