// The only place (with src/actions/) that touches @actions/*: inputs, outputs, summaries, log
// groups, artifacts. Core modules receive plain values and a Logger.
import * as core from '@actions/core';
import { DefaultArtifactClient } from '@actions/artifact';
import { UserError, isUserError, oneLine } from '../errors.js';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export const actionsLogger: Logger = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  group: (name, fn) => core.group(name, fn),
};

export function getInput(name: string): string {
  return core.getInput(name).trim();
}

export function getInputOr(name: string, fallback: string): string {
  return getInput(name) || fallback;
}

/** Multi-line or comma-separated list input. */
export function getListInput(name: string): string[] {
  return core
    .getInput(name)
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function getBoolInput(name: string, fallback: boolean): boolean {
  const raw = getInput(name).toLowerCase();
  if (raw === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(raw)) return true;
  if (['false', 'no', '0', 'off'].includes(raw)) return false;
  throw new UserError(`input '${name}': ${JSON.stringify(raw)} is not a boolean; use true or false`);
}

export function setOutput(name: string, value: string | number): void {
  core.setOutput(name, String(value));
}

export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown, true).write();
}

/** Uploads files as one workflow artifact; outside a workflow run (no runtime token) it only says so. */
export async function uploadArtifact(name: string, files: string[], root: string, log: Logger): Promise<boolean> {
  if (!process.env.ACTIONS_RUNTIME_TOKEN) {
    log.info(`not uploading artifact '${name}': no ACTIONS_RUNTIME_TOKEN (not inside a workflow run)`);
    return false;
  }
  const client = new DefaultArtifactClient();
  const res = await client.uploadArtifact(name, files, root, { retentionDays: 30 });
  log.info(`uploaded artifact '${name}' (${res.size ?? 0} bytes)`);
  return true;
}

/** The one try/catch of every action: user errors as one line, bugs with their stack. */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    // Input errors and failed checks (exit 1 in the CLI) are one line; anything else is a bug.
    if (isUserError(e) || (e instanceof Error && e.name === 'CheckFailure')) core.setFailed(oneLine(e));
    else core.setFailed(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}
