// Bodies of the Open Inference Protocol v2 REST API checked against the protocol's shapes
// (test/fixtures/oip/oip-v2-rest.schema.json, from KServe's published OpenAPI description):
// every request a test sends and every answer the server gives goes through `checked`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT } from './helpers.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/oip/oip-v2-rest.schema.json'), 'utf8')), 'oip');

export type OipObject = 'inference_request' | 'inference_response' | 'metadata_model_response' | 'metadata_server_response' | 'error_response';

/** Problems of `body` as the protocol's `kind` object (empty when it conforms). */
export function oipProblems(kind: OipObject, body: unknown): string[] {
  const validate = ajv.getSchema(`oip#/$defs/${kind}`)!;
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${kind}${e.instancePath} ${e.message}`);
}

/** The object a status code answers with: 200 its success object, anything else the error object. */
export function oipAnswer(path: string, method: string, status: number): OipObject | null {
  if (status !== 200) return 'error_response';
  if (method === 'POST' && path.endsWith('/infer')) return 'inference_response';
  if (method === 'GET' && /^\/v2\/?$/.test(path)) return 'metadata_server_response';
  if (method === 'GET' && /^\/v2\/models\/[^/]+(\/versions\/[^/]+)?$/.test(path)) return 'metadata_model_response';
  return null; // health and ready: the status code is the answer
}
