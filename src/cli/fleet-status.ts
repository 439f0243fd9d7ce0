// `edgeml fleet status`, and the --gate flags of `edgeml promote`: read the fleet's reports from
// the broker, fold them into one status, print it (terminal table, Markdown, --json).
import { appendFileSync } from 'node:fs';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { GATE_DEFAULTS } from '../fleet/index.js';
import { checkFleet, readFleetStatus, fleetMarkdown, fleetText, type FleetStatus, type GateThresholds } from '../fleet-status/index.js';
import { checkBrokerUrl } from '../devices/index.js';
import { writeFileAtomic } from '../documents/index.js';
import { parseDuration, parseWhole } from '../units.js';

export interface StatusFlags { broker?: string; fleet?: string; cert?: string; key?: string; ca?: string; json?: string; markdown?: string; wait: string; silentAfter: string }

function withStatusOptions(cmd: Command): Command {
  return cmd
    .option('--broker <url>', 'the fleet\'s MQTT broker, e.g. mqtts://broker:8883')
    .option('--fleet <name>', 'the fleet (topics edgeml/<fleet>/<device>/...)')
    .option('--cert <file>', "an operator's certificate ('edgeml devices provision --operator NAME')")
    .option('--key <file>', "the operator's private key")
    .option('--ca <file>', "the fleet CA's certificate (ca.crt)")
    .option('--wait <time>', 'read reports at most this long (it stops earlier once the retained reports are in)', '10s')
    .option('--silent-after <time>', 'a device with no report for this long is silent', '1h')
    .option('--markdown <file>', 'write the Markdown report here (e.g. $GITHUB_STEP_SUMMARY: appended)');
}

export async function readFleet(flags: StatusFlags, what = 'fleet status'): Promise<FleetStatus> {
  const url = checkBrokerUrl(flags.broker);
  const fleet = checkFleet(flags.fleet, `--fleet (${what})`);
  const waitMs = parseDuration(flags.wait, '--wait');
  const silentAfterMs = parseDuration(flags.silentAfter, '--silent-after');
  return readFleetStatus({ url, cert: flags.cert, key: flags.key, ca: flags.ca, fleet, waitMs, silentAfterMs });
}

export function writeMarkdown(file: string | undefined, text: string): void {
  if (!file) return;
  // The job summary is shared by every step: add to it, never replace it.
  if (file === process.env.GITHUB_STEP_SUMMARY) appendFileSync(file, text);
  else writeFileAtomic(file, text);
}

export function fleetCommand(): Command {
  const fleet = new Command('fleet').description("what the fleet reports back: devices' deployment status and telemetry over MQTT");
  withStatusOptions(fleet.command('status'))
    .exitOverride()
    .description('desired against installed per device, counts per release × channel × cohort × state, and the devices lagging, failing or silent')
    .option('--json <file>', 'write the whole status document here (every device)')
    .action(async (flags: StatusFlags) => {
      const s = await readFleet(flags);
      process.stdout.write(fleetText(s));
      writeMarkdown(flags.markdown, fleetMarkdown(s));
      if (flags.json) writeFileAtomic(flags.json, `${JSON.stringify(s, null, 2)}\n`);
    });
  return fleet;
}

export interface GateFlags extends StatusFlags { gate?: boolean; autoRollback?: boolean; minDevices?: string; successThreshold?: string; errorThreshold?: string; soak?: string; config?: string }

export function withGateOptions(cmd: Command): Command {
  return withStatusOptions(cmd)
    .option('--gate', 'promote only when the devices of the current stage report success (reads the fleet from --broker)')
    .option('--config <file>', "edgeml.yml whose rollout: names the stages and their gates (the flags below override it)")
    .option('--min-devices <n>', `with --gate: reporting devices of the stage needed (default ${GATE_DEFAULTS.minDevices})`)
    .option('--success-threshold <percent>', `with --gate: share of the stage that must have installed it (default ${GATE_DEFAULTS.successThreshold})`)
    .option('--error-threshold <percent>', `with --gate: a failed share above this stops the rollout (default ${GATE_DEFAULTS.errorThreshold})`)
    .option('--soak <time>', 'with --gate: how long the release stays at its stage before it goes further, e.g. 4h (default 0s)')
    .option('--auto-rollback', 'with --gate: roll the stage\'s channel back when the error threshold is crossed');
}

function percent(text: string, flag: string): number {
  const n = Number(String(text).trim().replace(/%$/, ''));
  if (!/^\s*\d+(\.\d+)?%?\s*$/.test(text) || n > 100) throw new UserError(`${flag} ${JSON.stringify(text)}: expected a percentage from 0 to 100, such as 90`);
  return n;
}

/** The thresholds given as flags (the rest come from rollout: or the defaults). */
export function gateFlags(flags: GateFlags): { thresholds: Partial<GateThresholds>; soakMs?: number } {
  return {
    thresholds: {
      ...(flags.minDevices !== undefined ? { minDevices: parseWhole(flags.minDevices, '--min-devices', 1) } : {}),
      ...(flags.successThreshold !== undefined ? { successThreshold: percent(flags.successThreshold, '--success-threshold') } : {}),
      ...(flags.errorThreshold !== undefined ? { errorThreshold: percent(flags.errorThreshold, '--error-threshold') } : {}),
    },
    ...(flags.soak !== undefined ? { soakMs: parseDuration(flags.soak, '--soak') } : {}),
  };
}

/** The fleet table with the verdict, on the terminal and as Markdown (--markdown), whatever the verdict. */
export function printGate(flags: GateFlags, status: FleetStatus, line: string): void {
  process.stdout.write(fleetText(status, [line]));
  writeMarkdown(flags.markdown, fleetMarkdown(status, [line]));
}
