// Report options that read files: the benchmark history for trends, and the dashboard link.
import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { readEntries } from '../history/index.js';
import type { ReportOptions } from './types.js';

/** History and dashboard options, shared by the CLI and the report action (`name` spells a flag or an input). */
export function reportOptions(history: string | undefined, dashboardUrl: string | undefined, name: (key: string) => string): ReportOptions {
  if (dashboardUrl && !/^https:\/\/[^\s()<>\]\[]+$/.test(dashboardUrl)) {
    throw new UserError(`${name('dashboard-url')} ${JSON.stringify(dashboardUrl)}: expected an https URL such as https://acme.github.io/models/`);
  }
  if (history && !existsSync(history)) throw new UserError(`${name('history')} ${history}: no such folder; give a checkout of the data branch`);
  return {
    ...(history ? { history: readEntries(history).entries } : {}),
    ...(dashboardUrl ? { dashboardUrl } : {}),
  };
}
