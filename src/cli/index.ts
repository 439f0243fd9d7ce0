#!/usr/bin/env node
// `edgeml`: exit 0 pass, 1 budget or regression failure, 2 usage or input error.
import { Command, CommanderError } from 'commander';
import { isUserError, oneLine } from '../errors.js';
import { VERSION } from '../version.js';
import { benchCommand } from './bench.js';
import { evalCommand } from './eval.js';
import { optimizeCommand } from './optimize.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('edgeml')
    .description('benchmark, budget, optimize, report and ship edge ML models')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.addCommand(benchCommand());
  program.addCommand(optimizeCommand());
  program.addCommand(evalCommand());
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof Error && e.name === 'CheckFailure') {
      process.stderr.write(`edgeml: ${oneLine(e)}\n`);
      return 1;
    }
    if (isUserError(e)) {
      process.stderr.write(`edgeml: error: ${oneLine(e)}\n`);
      return 2;
    }
    process.stderr.write(`edgeml: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 3;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
