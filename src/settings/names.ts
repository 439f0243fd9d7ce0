// One name per concept: the property `maxDuration` is the flag `--max-duration`, the input
// `max-duration` and the edgeml.yml key `max-duration`.

export const kebab = (property: string): string => property.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const camel = (name: string): string => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Where a value came from, for messages: `--max-duration`, `input 'max-duration'`, `file:1:2: benchmark.max-duration`. */
export type SettingSource = (name: string) => string;
export const asFlag: SettingSource = (name) => `--${name}`;
export const asInput: SettingSource = (name) => `input '${name}'`;
