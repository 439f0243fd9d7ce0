// `edgeml devices ca` and `edgeml devices provision`: the fleet CA and the certificates it issues.
import { Command } from 'commander';
import { createCa, issue, type IssueRequest } from '../devices/index.js';
import { UserError } from '../errors.js';
import { parseWhole } from '../units.js';

const DAY_MS = 86_400_000;

export function devicesCommand(): Command {
  const devices = new Command('devices').description('device identity: the fleet CA and the certificates devices, operators and brokers connect with');
  devices
    .command('ca')
    .exitOverride()
    .description('create the fleet CA (ECDSA P-256): ca.key (mode 0600, keep it offline) and ca.crt (for the broker and every device)')
    .requiredOption('--out <dir>', 'folder to create it in')
    .option('--name <cn>', 'the CA certificate\'s common name', 'edgeml fleet CA')
    .option('--days <n>', 'validity in days', '3650')
    .action(async (flags: { out: string; name: string; days: string }) => {
      const r = await createCa(flags.out, { name: flags.name, days: parseWhole(flags.days, '--days', 1) });
      process.stdout.write(`fleet CA written: ${r.cert} (valid until ${r.notAfter}); private key ${r.key} (mode 0600, never printed)\n`);
    });
  devices
    .command('provision')
    .exitOverride()
    .description('issue a key and a certificate from the fleet CA: client.key, client.crt and ca.crt (server.* with --server)')
    .requiredOption('--ca <dir>', "the fleet CA folder ('edgeml devices ca')")
    .option('--device <id>', 'a device: the certificate\'s CN is its id, its MQTT user name')
    .option('--operator <name>', "an operator (fleet status, promote --gate): CN 'operator:NAME'")
    .option('--server <host>', "the broker: a server certificate for this host name or IP address")
    .requiredOption('--out <dir>', 'folder to write the key and certificates in (one per identity)')
    .option('--days <n>', 'validity in days (at most the CA\'s)', '825')
    .action(async (flags: { ca: string; device?: string; operator?: string; server?: string; out: string; days: string }) => {
      const given = (['device', 'operator', 'server'] as const).filter((k) => flags[k] !== undefined);
      if (given.length !== 1) throw new UserError('give exactly one of --device ID, --operator NAME or --server HOST');
      const role = given[0];
      const days = parseWhole(flags.days, '--days', 1);
      const notBefore = new Date(Date.now() - 60_000);
      const req: IssueRequest = { role, name: flags[role]!, notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
      const r = await issue(flags.ca, flags.out, req);
      process.stdout.write(`${r.role} ${r.commonName}: ${r.files.cert} (serial ${r.serial}, valid until ${r.notAfter}), key ${r.files.key} (mode 0600), ${r.files.ca}\n`);
    });
  return devices;
}
