#!/usr/bin/env node
// `edgeml`: exit 0 pass, 1 budget or regression failure, 2 usage or input error.
import { Command, CommanderError } from 'commander';
import { isUserError, oneLine } from '../errors.js';
import { VERSION } from '../version.js';
import { benchCommand } from './bench.js';
import { dashboardCommand, historyCommand } from './history.js';
import { reportCommand } from './report.js';
import { checkCommand } from './check.js';
import { compareCommand } from './compare.js';
import { fleetCommands } from './fleet.js';
import { agentCommands } from './agent.js';
import { devicesCommand } from './devices.js';
import { fleetCommand } from './fleet-status.js';
import { evalCommand } from './eval.js';
import { optimizeCommand } from './optimize.js';
import { runCommand } from './run.js';
import { driftCommand, profileCommand, serveCommand } from './serve.js';
import { driftIssueCommand } from './drift-issue.js';
import { inspectCommand } from './inspect.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('edgeml')
    .description('benchmark, budget, optimize, report and ship edge ML models')
    .version(VERSION)
    // Global options only before the command: `publish --version 1.4.0` is the release's version.
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.addCommand(runCommand());
  program.addCommand(benchCommand());
  program.addCommand(compareCommand());
  program.addCommand(checkCommand());
  program.addCommand(optimizeCommand());
  program.addCommand(inspectCommand());
  program.addCommand(evalCommand());
  program.addCommand(historyCommand());
  program.addCommand(dashboardCommand());
  program.addCommand(reportCommand());
  program.addCommand(serveCommand());
  program.addCommand(profileCommand());
  program.addCommand(driftCommand());
  program.addCommand(driftIssueCommand());
  for (const cmd of fleetCommands()) program.addCommand(cmd);
  program.addCommand(devicesCommand());
  program.addCommand(fleetCommand());
  for (const [cmd, hidden] of agentCommands()) program.addCommand(cmd, { hidden });
  const override = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  program.commands.forEach(override);
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command reports a failed verdict (exit 1) through process.exitCode.
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof Error && e.name === 'CheckFailure') {
      // A failed budget, fidelity floor or a release refused for a failed check: exit 1.
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
