// Inputs several actions share, declared once.
import type { SettingsTable } from './types.js';

/** The ONNX Runtime the composite actions install on the runner (read by their own steps). */
export const RUNTIME_SETTINGS = {
  runtimeVersion: {
    kind: 'string', flag: false, default: '1.30.0', help: 'onnxruntime-node version to install on the runner',
    input: { composite: true, description: 'onnxruntime-node version to install on the runner.' },
  },
  runtimeDir: {
    kind: 'path', flag: false, help: 'a folder whose node_modules already holds onnxruntime-node',
    input: { composite: true, description: 'A folder whose node_modules already holds onnxruntime-node (offline self-hosted devices); skips the install.' },
  },
} as const satisfies SettingsTable;

/** Upload of an action's files as one workflow artifact; `name` says the default artifact name. */
export function uploadSettings(what: string, name: string) {
  return {
    upload: { kind: 'boolean', flag: false, default: 'true', help: `upload ${what} as a workflow artifact`, input: {} },
    artifactName: { kind: 'string', flag: false, help: `name of the uploaded artifact (default: ${name})`, input: {} },
  } as const satisfies SettingsTable;
}
