// Finds and loads onnxruntime-node. It is never bundled (native code, ~290 MB): in this repo it
// comes from node_modules; on a runner the composite action installs it and sets EDGEML_RUNTIME_DIR.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Ort from 'onnxruntime-node';
import { UserError } from '../errors.js';
import type { OrtModule } from './types.js';

const RUNTIME_PACKAGE = 'onnxruntime-node';

export function loadOrt(): OrtModule {
  const require = createRequire(import.meta.url);
  const here = dirname(fileURLToPath(import.meta.url));
  const paths = [process.env.EDGEML_RUNTIME_DIR, here, process.cwd()].filter((p): p is string => !!p);
  let resolved: string;
  try {
    resolved = require.resolve(RUNTIME_PACKAGE, { paths });
  } catch {
    throw new UserError(
      `${RUNTIME_PACKAGE} is not installed: run 'npm install ${RUNTIME_PACKAGE}' or set EDGEML_RUNTIME_DIR to the folder whose node_modules holds it`,
    );
  }
  return require(resolved) as OrtModule;
}
