// The retraining loop's door: a `repository_dispatch` event (POST /repos/{owner}/{repo}/dispatches)
// that a workflow on the default branch receives. GitHub limits client_payload to 10 top-level
// properties and 64 KB; event_type to 100 characters.
import type { Logger } from './types.js';
import { octokitWithRetry } from './api.js';
import { UserError, oneLine } from '../errors.js';

export const DISPATCH_PAYLOAD_LIMIT = 64 * 1024;

export async function sendDispatch(token: string, repository: string, eventType: string, payload: Record<string, unknown>, log: Logger): Promise<void> {
  const [owner, repo] = repository.split('/');
  if (!owner || !repo) throw new UserError(`--dispatch ${JSON.stringify(repository)}: give OWNER/REPO`);
  if (eventType.length > 100) throw new UserError(`event type ${eventType.slice(0, 20)}…: GitHub takes at most 100 characters`);
  if (Object.keys(payload).length > 10) throw new Error(`client_payload has ${Object.keys(payload).length} top-level properties; GitHub takes 10`);
  const size = Buffer.byteLength(JSON.stringify(payload));
  if (size >= DISPATCH_PAYLOAD_LIMIT) throw new Error(`client_payload is ${size} bytes; GitHub takes under 64 KB`);
  const octokit = octokitWithRetry(token, log);
  try {
    await octokit.rest.repos.createDispatchEvent({ owner, repo, event_type: eventType, client_payload: payload });
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 404) throw new UserError(`--dispatch ${repository}: the repository was not found, or the token may not see it`);
    if (status === 401 || status === 403) throw new UserError(`--dispatch ${repository}: the token may not send repository_dispatch (${status}); it needs contents: write on the repository`);
    throw new UserError(`--dispatch ${repository}: GitHub answered ${status ?? 'nothing'} (${oneLine(e).slice(0, 200)})`);
  }
}
