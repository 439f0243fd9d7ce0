// `edgeml eval --config edgeml.yml --dataset NAME`: a dataset of edgeml.yml, its paths relative to the file.
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import type { PreprocessText } from '../eval/index.js';

export interface ConfigDataset {
  manifest?: string;
  npy?: string;
  labels?: string;
  metrics?: string[];
  preprocess: PreprocessText;
}

export function datasetFromConfig(configFile: string, name: string): ConfigDataset {
  const config = loadConfig(configFile);
  const d = config.datasets[name];
  if (!d) {
    const known = Object.keys(config.datasets);
    throw new UserError(`--dataset ${name}: ${configFile} has no dataset '${name}'${known.length ? `; its datasets are ${known.join(', ')}` : '; add it under datasets'}`);
  }
  const base = dirname(resolve(configFile));
  const inputs = resolve(base, d.inputs);
  const { inputs: _i, labels, metrics, ...preprocess } = d;
  if (/\.jsonl$/i.test(d.inputs)) {
    if (labels) throw new UserError(`${configFile}: datasets.${name}.labels: an image manifest carries its labels; drop the key`);
    return { manifest: inputs, metrics, preprocess };
  }
  return { npy: inputs, labels: labels ? resolve(base, labels) : undefined, metrics, preprocess: {} };
}
