// `edgeml devices ca` and `edgeml devices provision`: the fleet CA and the certificates it issues.
import { Command } from 'commander';
import { createCa, issue, type IssueRequest } from '../devices/index.js';
import { CA_SETTINGS, PROVISION_SETTINGS } from '../devices/settings.js';
import { UserError } from '../errors.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { addSettings } from './settings.js';

const DAY_MS = 86_400_000;

export function devicesCommand(): Command {
  const devices = new Command('devices').description('device identity: the fleet CA and the certificates devices, operators and brokers connect with');
  const ca = devices.command('ca').exitOverride()
    .description('create the fleet CA (ECDSA P-256): ca.key (mode 0600, keep it offline) and ca.crt (for the broker and every device)');
  addSettings(ca, CA_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const { out, name, days } = parseSettings(CA_SETTINGS, raw, asFlag);
    if (!out) throw new UserError('--out is required: edgeml devices ca --out fleet-ca');
    const r = await createCa(out, { name, days });
    process.stdout.write(`fleet CA written: ${r.cert} (valid until ${r.notAfter}); private key ${r.key} (mode 0600, never printed)\n`);
  });
  const provision = devices.command('provision').exitOverride()
    .description('issue a key and a certificate from the fleet CA: client.key, client.crt and ca.crt (server.* with --server)');
  addSettings(provision, PROVISION_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const v = parseSettings(PROVISION_SETTINGS, raw, asFlag);
    if (!v.ca || !v.out) throw new UserError(`--${v.ca ? 'out' : 'ca'} is required: edgeml devices provision --ca fleet-ca --device ID --out DIR`);
    const given = (['device', 'operator', 'server'] as const).filter((k) => v[k] !== undefined);
    if (given.length !== 1) throw new UserError('give exactly one of --device ID, --operator NAME or --server HOST');
    const role = given[0];
    const notBefore = new Date(Date.now() - 60_000);
    const req: IssueRequest = { role, name: v[role]!, notBefore, notAfter: new Date(notBefore.getTime() + v.days * DAY_MS) };
    const r = await issue(v.ca, v.out, req);
    process.stdout.write(`${r.role} ${r.commonName}: ${r.files.cert} (serial ${r.serial}, valid until ${r.notAfter}), key ${r.files.key} (mode 0600), ${r.files.ca}\n`);
  });
  return devices;
}
