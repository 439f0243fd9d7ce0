// The Octokit of every GitHub API call (comments, releases, dispatch), built from @octokit/* as
// @actions/github builds its own, so the CLI can call GitHub without bundling the Actions toolkit:
// REST methods and pagination, GITHUB_API_URL (GHES, the tests' stand-in) read when it is made,
// and HTTPS_PROXY / HTTP_PROXY / NO_PROXY honoured as the toolkit honours them.
import { Octokit as OctokitCore } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';

const GitHubOctokit = OctokitCore.plugin(restEndpointMethods, paginateRest);
export type Octokit = InstanceType<typeof GitHubOctokit>;

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/** A fetch through the proxy the environment names, or undefined (then the global fetch). */
function proxyFetch(baseUrl: string): typeof fetch | undefined {
  if (!PROXY_VARIABLES.some((v) => process.env[v]) || LOOPBACK.test(new URL(baseUrl).hostname)) return undefined;
  const dispatcher = new EnvHttpProxyAgent();
  return ((url: string, init: object) => undiciFetch(url, { ...init, dispatcher })) as unknown as typeof fetch;
}

/** The workflow's orchestration id in the user agent, as @actions/github sends it. */
function userAgent(): string | undefined {
  const id = process.env.ACTIONS_ORCHESTRATION_ID?.trim();
  return id ? `actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, '_')}` : undefined;
}

export function newOctokit(token: string): Octokit {
  const baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com';
  const fetch = proxyFetch(baseUrl);
  const agent = userAgent();
  return new GitHubOctokit({ auth: `token ${token}`, baseUrl, ...(agent ? { userAgent: agent } : {}), ...(fetch ? { request: { fetch } } : {}) });
}
