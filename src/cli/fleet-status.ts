// `edgeml fleet status`, and the fleet reading of `edgeml promote --gate`: read the fleet's reports
// from the broker, fold them into one status, print it (terminal table, Markdown, --json).
import { appendFileSync } from 'node:fs';
import { Command } from 'commander';
import { checkFleet, readFleetStatus, fleetMarkdown, fleetText, type FleetStatus } from '../fleet-status/index.js';
import { FLEET_STATUS_SETTINGS } from '../fleet-status/settings.js';
import { checkBrokerUrl } from '../devices/index.js';
import { writeFileAtomic } from '../documents/index.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { addSettings } from './settings.js';

/** The typed status settings (STATUS_SETTINGS): durations in ms. */
export interface StatusValues { broker?: string; fleet?: string; cert?: string; key?: string; ca?: string; wait: number; silentAfter: number; markdown?: string }

export async function readFleet(v: StatusValues, what = 'fleet status'): Promise<FleetStatus> {
  const url = checkBrokerUrl(v.broker);
  const fleet = checkFleet(v.fleet, `--fleet (${what})`);
  return readFleetStatus({ url, cert: v.cert, key: v.key, ca: v.ca, fleet, waitMs: v.wait, silentAfterMs: v.silentAfter });
}

export function writeMarkdown(file: string | undefined, text: string): void {
  if (!file) return;
  // The job summary is shared by every step: add to it, never replace it.
  if (file === process.env.GITHUB_STEP_SUMMARY) appendFileSync(file, text);
  else writeFileAtomic(file, text);
}

export function fleetCommand(): Command {
  const fleet = new Command('fleet').description("what the fleet reports back: devices' deployment status and telemetry over MQTT");
  const status = fleet.command('status').exitOverride()
    .description('desired against installed per device, counts per release × channel × cohort × state, and the devices lagging, failing or silent');
  addSettings(status, FLEET_STATUS_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const v = parseSettings(FLEET_STATUS_SETTINGS, raw, asFlag);
    const s = await readFleet(v);
    process.stdout.write(fleetText(s));
    writeMarkdown(v.markdown, fleetMarkdown(s));
    if (v.json) writeFileAtomic(v.json, `${JSON.stringify(s, null, 2)}\n`);
  });
  return fleet;
}

/** The fleet table with the verdict, on the terminal and as Markdown (--markdown), whatever the verdict. */
export function printGate(markdown: string | undefined, status: FleetStatus, line: string): void {
  process.stdout.write(fleetText(status, [line]));
  writeMarkdown(markdown, fleetMarkdown(status, [line]));
}
