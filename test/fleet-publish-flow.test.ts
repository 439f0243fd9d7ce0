// publishToChannel: the one publish flow of `edgeml publish` and the publish action. What it asks
// of its adapter, and when: nothing is pushed or signed before the artifacts are checked and the
// keys are at hand, and warnings reach the adapter's warn.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { LocalDirStorage, initKeys, publishToChannel, type PublishToChannelDeps, type PublishToChannelOptions } from '../src/fleet/index.js';
import { MODELS, artifactsOf, tempDir } from './helpers.js';

const options = (over: Partial<PublishToChannelOptions> = {}): PublishToChannelOptions => ({
  channel: 'beta', version: '1.0.0', model: 'digits', rollout: { percent: 100, notBefore: null }, force: false, results: [], mender: null, ...over,
});

/** Deps that record what was asked of them, in order. */
function recording(keys: () => string, storage?: LocalDirStorage) {
  const asked: string[] = [];
  const warnings: string[] = [];
  const deps: PublishToChannelDeps = {
    warn: (line) => warnings.push(line),
    keys: () => { asked.push('keys'); return keys(); },
    pushOci: async () => { asked.push('oci'); return null; },
    onStore: async (fn, message) => {
      asked.push('store');
      if (!storage) throw new Error('no store in this test');
      const r = await fn(storage);
      asked.push(message(r));
      return r;
    },
  };
  return { deps, asked, warnings };
}

test('a bad artifacts folder is refused before the keys, the registry or the store are asked for', async () => {
  const { deps, asked } = recording(() => 'never');
  await expect(publishToChannel(options({ artifactsDir: join(tempDir(), 'nope') }), deps)).rejects.toThrow(/^--artifacts \S+nope: no such folder/);
  expect(asked).toEqual([]);
});

test('the keys are asked for before anything is pushed: without them nothing leaves', async () => {
  const { deps, asked } = recording(() => { throw new Error('no keys'); });
  await expect(publishToChannel(options({ artifactsDir: artifactsOf(MODELS.digits) }), deps)).rejects.toThrow('no keys');
  expect(asked).toEqual(['keys']);
});

test('a model name that is no safe file name is refused in the naming given', async () => {
  const { deps, asked } = recording(() => 'never');
  const naming = { given: (k: string, v: string | number) => `setting ${k}=${v}`, name: (k: string) => `setting ${k}`, force: 'say force' };
  await expect(publishToChannel(options({ artifactsDir: artifactsOf(MODELS.digits), model: '../up', naming }), deps)).rejects.toThrow(/^setting model="\.\.\/up": use letters/);
  expect(asked).toEqual([]);
});

test('a release: keys, the registry, then the store with the commit message; the outcome carries both', async () => {
  const keys = join(tempDir(), 'keys');
  initKeys(keys);
  const storage = new LocalDirStorage(join(tempDir(), 'repo'));
  const { deps, asked, warnings } = recording(() => keys, storage);
  const out = await publishToChannel(options({ artifactsDir: artifactsOf(MODELS.digits) }), deps);
  expect(out.release).toMatchObject({ status: 'published', model: 'digits', version: '1.0.0', channel: 'beta', release: 1 });
  expect(out.oci).toBeNull();
  expect(asked).toEqual(['keys', 'oci', 'store', 'edgeml published: digits 1.0.0 on beta (release 1, rollout 100%)']);
  expect(warnings).toEqual([]);
});
