// The release-asset calls of the channel store (src/fleet/release-assets.ts) on the GitHub REST
// API: find or create the release of a tag, list, download, upload (to the release's upload_url),
// rename and delete assets. Failures become one-line errors that say what the token lacks.
import { UserError } from '../errors.js';
import type { ReleaseAsset, ReleaseAssetsApi, ReleaseLocation, ReleaseRef } from '../fleet/index.js';
import { octokitWithRetry, type Octokit, type RetryPolicy } from './api.js';
import type { Logger } from './types.js';

interface HttpError {
  status?: number;
  message?: string;
  response?: { data?: { errors?: Array<{ code?: string }> } };
}

const status = (e: unknown) => (e as HttpError).status;
const alreadyExists = (e: unknown) => status(e) === 422 && ((e as HttpError).response?.data?.errors ?? []).some((x) => x.code === 'already_exists');

interface ApiRelease {
  id: number;
  tag_name: string;
  draft: boolean;
  upload_url: string;
}
interface ApiAsset {
  id: number;
  name: string;
  size: number;
  state: string;
  created_at: string;
}

const ref = (r: ApiRelease): ReleaseRef => ({ id: r.id, tag: r.tag_name, draft: r.draft, uploadUrl: r.upload_url });
const asset = (a: ApiAsset): ReleaseAsset => ({ id: a.id, name: a.name, size: a.size, state: a.state, createdAt: a.created_at });

export function releaseAssetsApiFor(where: ReleaseLocation, token: string, log: Logger, retry?: RetryPolicy): ReleaseAssetsApi {
  return releaseAssetsApi(octokitWithRetry(token, log, retry), where);
}

export function releaseAssetsApi(octokit: Octokit, where: ReleaseLocation): ReleaseAssetsApi {
  const location = `${where.owner}/${where.repo} release ${where.tag}`;
  const repo = { owner: where.owner, repo: where.repo };
  /** One line for a failed call: what was attempted, GitHub's answer, and what usually fixes it. */
  const fail = (what: string, e: unknown): never => {
    const s = status(e);
    // Octokit appends " - <documentation_url>" to GitHub's message: the message alone is enough.
    const said = ((e as HttpError).message?.split('\n')[0] ?? String(e)).replace(/ - https:\/\/\S+$/, '');
    if (s === 401) throw new UserError(`${location}: GitHub refused the token (401) while trying to ${what}; check GITHUB_TOKEN`);
    if (s === 403) throw new UserError(`${location}: the token may not ${what} (403: ${said}); give the job permissions: contents: write`);
    if (s === 404) throw new UserError(`${location}: ${where.owner}/${where.repo} not found while trying to ${what} (404); check the repository name and that the token can see it`);
    if (s !== undefined && s < 500) throw new UserError(`${location}: could not ${what} (${s}: ${said})`);
    throw e;
  };
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      return fail(what, e);
    }
  };
  const find = async (): Promise<ReleaseRef | null> => {
    try {
      return ref((await octokit.rest.repos.getReleaseByTag({ ...repo, tag: where.tag })).data as ApiRelease);
    } catch (e) {
      if (status(e) === 404) {
        // A missing repository is also 404: tell the two apart, so a typo is not a new channel.
        await call('read the repository', () => octokit.rest.repos.get(repo));
        return null;
      }
      return fail('read the release', e);
    }
  };
  return {
    location,
    find,
    create: async () => {
      try {
        const made = await octokit.rest.repos.createRelease({
          ...repo, tag_name: where.tag, name: `edgeml channel (${where.tag})`, make_latest: 'false',
          body: 'Signed model update channel (TUF metadata and model files) written by edgeml publish. Do not edit its assets by hand: devices verify every byte.',
        });
        return ref(made.data as ApiRelease);
      } catch (e) {
        if (status(e) === 422) {
          const other = await find(); // created by a concurrent publish
          if (other) return other;
        }
        return fail('create the release', e);
      }
    },
    assets: (release) =>
      call('list the release assets', async () =>
        (await octokit.paginate(octokit.rest.repos.listReleaseAssets, { ...repo, release_id: release.id, per_page: 100 })).map((a) => asset(a as ApiAsset))),
    download: (a) =>
      call(`download ${a.name}`, async () => {
        const r = await octokit.request('GET /repos/{owner}/{repo}/releases/assets/{asset_id}', { ...repo, asset_id: a.id, headers: { accept: 'application/octet-stream' } });
        return Buffer.from(r.data as unknown as ArrayBuffer);
      }),
    upload: async (release, name, bytes) => {
      try {
        const r = await octokit.request({
          method: 'POST', url: release.uploadUrl, name, data: bytes,
          headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length },
        });
        return asset(r.data as ApiAsset);
      } catch (e) {
        if (alreadyExists(e)) return null;
        return fail(`upload ${name}`, e);
      }
    },
    rename: (a, name) =>
      call(`rename ${a.name}`, async () => asset((await octokit.rest.repos.updateReleaseAsset({ ...repo, asset_id: a.id, name })).data as ApiAsset)),
    remove: async (a) => {
      try {
        await octokit.rest.repos.deleteReleaseAsset({ ...repo, asset_id: a.id });
      } catch (e) {
        if (status(e) !== 404) fail(`delete ${a.name}`, e);
      }
    },
  };
}
