// edgeml.yml: read with line and column kept, validated against schemas/config.schema.json, units
// parsed. Nothing runs on a config that does not validate: every problem is a UserError
// `file:line:col: key: what was expected`.
export * from './types.js';
export { loadConfig, parseConfig, configSchema } from './parse.js';
export { didYouMean, editDistance } from './suggest.js';
