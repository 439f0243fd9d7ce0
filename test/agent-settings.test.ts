// `edgeml agent`'s flags from its tables (src/agent/settings.ts), parsed once: the typed values and
// defaults, and the checks a bad flag meets before the agent reaches its channel (run in process,
// on the sources: no bundle).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { AGENT_FLAGS } from '../src/agent/settings.js';
import { agentCommand } from '../src/cli/agent.js';
import { LocalDirStorage, initKeys } from '../src/fleet/index.js';
import { initChannel } from '../src/fleet/repo.js';
import { asFlag, parseSettings } from '../src/settings/index.js';
import { tempDir } from './helpers.js';

let root: string;
let base: string;

beforeAll(async () => {
  base = tempDir('edgeml-agent-settings-');
  initKeys(join(base, 'keys'));
  await initChannel(new LocalDirStorage(join(base, 'repo')), join(base, 'keys'), new Date());
  root = join(base, 'repo', '1.root.json');
});

/**
 * Runs `edgeml agent` in process with the channel's root and a fresh --dir; resolves to the error
 * it stops with. --once (but with --interval, which is checked only without it): a flag let through
 * ends in one poll of a closed port, not in a loop.
 */
async function refused(args: string[]): Promise<string> {
  const once = args.includes('--interval') ? [] : ['--once'];
  const cmd = agentCommand().exitOverride();
  const base = ['--channel-url', 'http://127.0.0.1:9', '--root', root, '--target', 'cpu-fp32', '--dir', join(tempDir(), 'd'), '--device-id', 'd'];
  try {
    await cmd.parseAsync([...base, ...once, ...args], { from: 'user' });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`edgeml agent ${args.join(' ')}: did not stop`);
}

describe('the agent flags', () => {
  test('parse once into typed values: durations in ms, the defaults written in the table', () => {
    expect(parseSettings(AGENT_FLAGS, {}, asFlag)).toMatchObject({ channel: 'stable', accelerator: 'none', interval: 300_000, timeout: 60_000, reportQueue: 1000, once: false });
    expect(parseSettings(AGENT_FLAGS, { interval: '2s', timeout: '90', maxLatency: '50ms', reportQueue: '5' }, asFlag)).toMatchObject({ interval: 2000, timeout: 90_000, maxLatency: 50, reportQueue: 5 });
  });

  test.each([
    [['--interval', '500ms'], /^--interval 500ms: below the minimum of 1s; a device would spin against its channel/],
    [['--interval', 'often'], /^--interval "often": expected a duration/],
    [['--timeout', 'soon'], /^--timeout "soon": expected a duration/],
    [['--max-latency', 'fast'], /^--max-latency "fast": expected a duration/],
    [['--report-queue', '0'], /^--report-queue "0": expected a whole number of at least 1/],
    [['--channel', 'prod'], /^--channel "prod": unknown channel; use one of canary, beta, stable/],
    [['--oci-mirror', 'ftp://mirror'], /^--oci-mirror ftp:\/\/mirror: give the registry as http:\/\/HOST:PORT/],
    [['--window', '3'], /^--window is for the served model's telemetry: give --serve HOST:PORT too/],
    [['--window-time', '0s'], /^--window-time is for the served model's telemetry/],
    [['--cert', 'client.crt'], /^--cert needs --broker/],
  ])('%j is refused before the first poll', async (args, message) => {
    expect(await refused(args)).toMatch(message);
  });

  test('--dir that is a file is refused', async () => {
    const file = join(base, 'a-file');
    writeFileSync(file, '');
    const cmd = agentCommand().exitOverride();
    await expect(cmd.parseAsync(['--channel-url', 'http://127.0.0.1:9', '--root', root, '--target', 't', '--dir', file], { from: 'user' })).rejects.toThrow(/^--dir .*a-file: is a file, not a folder/);
  });
});
