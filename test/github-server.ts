// A stand-in for the GitHub REST API on 127.0.0.1. Every request is checked against GitHub's
// published OpenAPI description (@octokit/openapi, api.github.com): the route and method must
// exist, query parameters must be declared, and JSON bodies must match the operation's
// requestBody schema (ajv), binary uploads must say application/octet-stream with a length and
// the required query parameters. Anything else is answered 404/422 and recorded as a violation,
// which tests assert to be empty. Issue comments and releases (with their assets) live in memory;
// faults can be injected. Release assets are also served the way github.com serves them to
// anyone: GET /OWNER/REPO/releases/download/TAG/NAME redirects (302) to the file's bytes.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import AjvDraft7 from 'ajv';
import { ROOT } from './helpers.js';

interface Operation {
  operationId: string;
  parameters?: Array<{ $ref?: string; name?: string; in?: string; schema?: { type?: string } }>;
  requestBody?: { content?: Record<string, unknown> };
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, { name: string; in: string; schema?: { type?: string } }> };
}

const spec = JSON.parse(readFileSync(join(ROOT, 'node_modules/@octokit/openapi/generated/api.github.com.json'), 'utf8')) as Spec;
// OpenAPI 3.0 schemas are draft-04/07-like with `nullable`: ajv's draft-07 build understands them.
const Ajv = AjvDraft7 as unknown as typeof AjvDraft7.default;
const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
// ajv refuses `nullable` on a schema without `type` (issues/create's title is oneOf string|integer,
// nullable): there it is dropped, which only makes such a field refuse null.
(function typelessNullable(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if ('nullable' in o && !('type' in o)) delete o.nullable;
  for (const v of Object.values(o)) typelessNullable(v);
})(spec);
ajv.addSchema(spec as object, 'github');

interface Route {
  template: string;
  regex: RegExp;
  names: string[];
}
const routes: Route[] = Object.keys(spec.paths).map((template) => {
  const names: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { template, names, regex: new RegExp(`^${source}$`) };
}).sort((a, b) => a.names.length - b.names.length); // literal segments win over parameters

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export interface Comment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: { login: string; id: number; type: string };
  created_at: string;
  updated_at: string;
  author_association: string;
}

export interface Fault {
  method?: string;
  /** Matched against the path (without the query). */
  path?: RegExp;
  status: number;
  headers?: Record<string, string>;
  message: string;
  /** How many requests it answers; Infinity for all. */
  times: number;
  /** On an upload: leave an empty asset in state 'starter', as GitHub does after a 502. */
  starter?: boolean;
}

export interface Asset {
  id: number;
  name: string;
  size: number;
  state: 'uploaded' | 'starter';
  content_type: string;
  created_at: string;
  updated_at: string;
  bytes: Buffer;
}

export interface Release {
  id: number;
  repo: string;
  tag_name: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  make_latest?: string;
  created_at: string;
  assets: Asset[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  operationId?: string;
  status: number;
}

export interface GitHubServer {
  url: string;
  comments: Map<number, Comment & { issue: string }>;
  requests: RecordedRequest[];
  violations: string[];
  faults: Fault[];
  /** Pull requests' head commits, by "owner/repo#number". */
  pulls: Map<string, string>;
  /** Holds each comment creation until this many are waiting (a race made certain). */
  createBarrier: number;
  /** Ids of the comments created through the API, in order. */
  createdIds: number[];
  /** Repositories that exist ("owner/repo"); releases of others answer 404. */
  repositories: Set<string>;
  releases: Release[];
  /** Paths of the public download route (…/releases/download/TAG/NAME), in order. */
  downloads: string[];
  /** Answers a public download itself when it returns true (a test playing the CDN). */
  downloadHook: ((name: string, res: ServerResponse) => boolean) | null;
  release(repo: string, tag: string): Release | undefined;
  /**
   * Who each token writes as. A token not listed writes as github-actions[bot] (the workflow's
   * GITHUB_TOKEN). As on GitHub, an installation token (ghs_) gets 403 from GET /user.
   */
  logins: Map<string, string>;
  /** repository_dispatch events received, in order. */
  dispatches: Array<{ repo: string; event_type: string; client_payload?: Record<string, unknown> }>;
  /** Issues (not pull requests) opened through the API, by repository. */
  issues: Issue[];
  /**
   * Tokens that may only read, as the GITHUB_TOKEN of a fork's pull_request run or of a job
   * without `pull-requests: write`: every write answers 403, as GitHub does.
   */
  readOnly: Set<string>;
  /** Comments that are not ours: written by people, quoting or not our marker. */
  addComment(issue: string, body: string, login?: string): Comment;
  issueComments(issue: string): Comment[];
  close(): Promise<void>;
}

/** GitHub's treatment of asset names: other characters become '.', no leading or trailing dot. */
export function githubAssetName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '.').replace(/^\.+|\.+$/g, '');
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3; format=json', ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

export interface Issue { repo: string; number: number; title: string; body: string; labels: string[]; state: 'open' | 'closed' }

export async function startGitHubServer(): Promise<GitHubServer> {
  let nextId = 1000;
  const waiting: Array<() => void> = [];
  const state = {
    comments: new Map<number, Comment & { issue: string }>(),
    requests: [] as RecordedRequest[],
    violations: [] as string[],
    faults: [] as Fault[],
    pulls: new Map<string, string>(),
    createBarrier: 0,
    createdIds: [] as number[],
    repositories: new Set<string>(),
    releases: [] as Release[],
    downloads: [] as string[],
    downloadHook: null as ((name: string, res: ServerResponse) => boolean) | null,
    logins: new Map<string, string>(),
    dispatches: [] as Array<{ repo: string; event_type: string; client_payload?: Record<string, unknown> }>,
    readOnly: new Set<string>(),
    issues: [] as Issue[],
  };
  const publicIssue = (i: Issue) => ({
    id: i.number + 500_000, node_id: `I_${i.number}`, number: i.number, title: i.title, body: i.body, state: i.state,
    labels: i.labels.map((name, k) => ({ id: k + 1, name })), url: `${url}/repos/${i.repo}/issues/${i.number}`, html_url: `https://github.com/${i.repo}/issues/${i.number}`,
  });
  const findRelease = (repo: string, tag: string) => state.releases.find((r) => r.repo === repo && r.tag_name === tag);
  const publicAsset = (r: Release, a: Asset) => ({
    url: `${url}/repos/${r.repo}/releases/assets/${a.id}`, id: a.id, node_id: `RA_${a.id}`, name: a.name, label: null, state: a.state,
    content_type: a.content_type, size: a.size, download_count: 0, created_at: a.created_at, updated_at: a.updated_at,
    browser_download_url: `${url}/${r.repo}/releases/download/${r.tag_name}/${a.name}`, uploader: null,
  });
  const publicRelease = (r: Release) => ({
    url: `${url}/repos/${r.repo}/releases/${r.id}`, html_url: `https://github.com/${r.repo}/releases/tag/${r.tag_name}`, id: r.id, node_id: `RE_${r.id}`,
    tag_name: r.tag_name, target_commitish: 'main', name: r.name, body: r.body, draft: r.draft, prerelease: r.prerelease, created_at: r.created_at,
    published_at: r.draft ? null : r.created_at, upload_url: `${url}/repos/${r.repo}/releases/${r.id}/assets{?name,label}`,
    assets_url: `${url}/repos/${r.repo}/releases/${r.id}/assets`, assets: r.assets.map((a) => publicAsset(r, a)),
  });
  const assetById = (repo: string, id: number) => {
    for (const r of state.releases) if (r.repo === repo) for (const a of r.assets) if (a.id === id) return { release: r, asset: a };
    return undefined;
  };
  /** One page of a list, with GitHub's Link header. */
  const paged = <T>(u: URL, all: T[]): { items: T[]; headers: Record<string, string> } => {
    const perPage = Math.min(100, Number(u.searchParams.get('per_page') ?? 30));
    const page = Math.max(1, Number(u.searchParams.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const link = (p: number, rel: string) => {
      const next = new URL(u);
      next.searchParams.set('page', String(p));
      next.searchParams.set('per_page', String(perPage));
      return `<${next}>; rel="${rel}"`;
    };
    const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
    return { items: all.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(', ') } : {} };
  };
  let url = '';

  const userIds = new Map([['github-actions[bot]', 41898282]]);
  const newUser = (login: string) => {
    if (!userIds.has(login)) userIds.set(login, 100 + userIds.size);
    return { login, id: userIds.get(login)!, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
  };
  const newComment = (issue: string, body: string, login: string): Comment & { issue: string } => {
    const id = nextId++;
    const [repo, number] = issue.split('#');
    const now = new Date().toISOString();
    const c = {
      id, issue, body, node_id: `IC_${id}`, url: `${url}/repos/${repo}/issues/comments/${id}`,
      html_url: `https://github.com/${repo}/pull/${number}#issuecomment-${id}`, issue_url: `${url}/repos/${repo}/issues/${number}`,
      user: newUser(login), created_at: now, updated_at: now, author_association: 'NONE',
    };
    state.comments.set(id, c);
    return c;
  };
  const issueComments = (issue: string) => [...state.comments.values()].filter((c) => c.issue === issue).sort((a, b) => a.id - b.id);
  const publicComment = ({ issue: _issue, ...c }: Comment & { issue: string }): Comment => c;

  /** Checks the request against the OpenAPI description; returns the operation or null (answered). */
  function validate(req: IncomingMessage, path: string, query: URLSearchParams, body: unknown, res: ServerResponse) {
    const method = (req.method ?? 'GET').toLowerCase();
    const reject = (status: number, problem: string) => {
      state.violations.push(`${req.method} ${path}: ${problem}`);
      send(res, status, { message: problem, documentation_url: 'https://docs.github.com/rest' });
      return null;
    };
    if (!/^(token|Bearer) \S+$/.test(req.headers.authorization ?? '')) return reject(401, 'Requires authentication');
    const route = routes.find((r) => r.regex.test(path) && spec.paths[r.template][method]);
    if (!route) return reject(404, `no ${method.toUpperCase()} ${path} in GitHub's OpenAPI description`);
    const op = spec.paths[route.template][method];
    const params = (op.parameters ?? []).map((p) => (p.$ref ? spec.components.parameters[p.$ref.split('/').pop()!] : p)) as Array<{ name: string; in: string; schema?: { type?: string } }>;
    for (const [name, value] of query) {
      const p = params.find((x) => x.in === 'query' && x.name === name);
      if (!p) return reject(422, `query parameter '${name}' is not declared for ${op.operationId}`);
      if (p.schema?.type === 'integer' && !/^\d+$/.test(value)) return reject(422, `query parameter '${name}' must be an integer`);
    }
    const values = route.regex.exec(path)!.slice(1);
    for (const [i, name] of route.names.entries()) {
      const p = params.find((x) => x.in === 'path' && x.name === name);
      if (p?.schema?.type === 'integer' && !/^\d+$/.test(values[i])) return reject(422, `path parameter '${name}' must be an integer`);
    }
    for (const p of params) {
      if (p.in === 'query' && (p as { required?: boolean }).required && !query.has(p.name)) return reject(422, `query parameter '${p.name}' is required by ${op.operationId}`);
    }
    if (op.requestBody?.content?.['application/octet-stream']) {
      if (req.headers['content-type'] !== 'application/octet-stream') return reject(422, `${op.operationId} takes raw bytes: content-type must be application/octet-stream, not ${req.headers['content-type']}`);
      if (req.headers['content-length'] === undefined) return reject(411, `${op.operationId} needs a content-length header`);
    } else if (op.requestBody?.content?.['application/json']) {
      const validateBody = ajv.getSchema(`github#/${pointer('paths', route.template, method, 'requestBody', 'content', 'application/json', 'schema')}`)!;
      if (!validateBody(body)) return reject(422, `body does not match ${op.operationId}: ${ajv.errorsText(validateBody.errors)}`);
    } else if (body !== undefined) {
      return reject(422, `${op.operationId} takes no body`);
    }
    return { op, args: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(values[i])])) };
  }

  /** github.com's public download of a release asset, and the storage host it redirects to. */
  function web(u: URL, res: ServerResponse): boolean {
    const object = /^\/_objects\/(\d+)$/.exec(u.pathname);
    if (object) {
      const found = state.releases.flatMap((r) => r.assets).find((a) => a.id === Number(object[1]));
      if (!found) return (res.writeHead(404).end('Not Found'), true);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': found.size });
      res.end(found.bytes);
      return true;
    }
    const download = /^\/([^/]+\/[^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(u.pathname);
    if (!download) return false;
    const name = decodeURIComponent(download[3]);
    state.downloads.push(`${decodeURIComponent(download[2])}/${name}`);
    if (state.downloadHook?.(name, res)) return true;
    const r = findRelease(download[1], decodeURIComponent(download[2]));
    const a = r && !r.draft ? r.assets.find((x) => x.name === name && x.state === 'uploaded') : undefined;
    if (!a) return (res.writeHead(404).end('Not Found'), true);
    res.writeHead(302, { location: `${url}/_objects/${a.id}` }).end();
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, bytes: Buffer): Promise<void> {
    const u = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    if (method === 'GET' && web(u, res)) return;
    const record = (status: number, operationId?: string) => {
      state.requests.push({ method, path: u.pathname, operationId, status });
    };
    const binary = req.headers['content-type'] === 'application/octet-stream';
    const raw = binary ? '' : bytes.toString('utf8');
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        record(400);
        state.violations.push(`${method} ${u.pathname}: body is not JSON`);
        return send(res, 400, { message: 'Problems parsing JSON' });
      }
    }
    const checked = validate(req, u.pathname, u.searchParams, body, res);
    if (!checked) return record(res.statusCode);
    const { op, args } = checked;
    const fault = state.faults.find((f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(u.pathname)));
    if (fault) {
      fault.times--;
      if (fault.starter && op.operationId === 'repos/upload-release-asset') {
        const r = state.releases.find((x) => x.id === Number(args.release_id));
        const now = new Date().toISOString();
        r?.assets.push({ id: nextId++, name: githubAssetName(u.searchParams.get('name') ?? ''), size: 0, state: 'starter', content_type: 'application/octet-stream', created_at: now, updated_at: now, bytes: Buffer.alloc(0) });
      }
      record(fault.status, op.operationId);
      return send(res, fault.status, { message: fault.message, documentation_url: 'https://docs.github.com/rest' }, fault.headers);
    }
    const issue = `${args.owner}/${args.repo}#${args.issue_number ?? args.pull_number ?? ''}`;
    const token = (req.headers.authorization ?? '').split(' ')[1];
    const login = state.logins.get(token) ?? 'github-actions[bot]';
    const reply = (status: number, data?: unknown, headers?: Record<string, string>) => {
      record(status, op.operationId);
      send(res, status, data, headers);
    };
    if (method !== 'GET' && state.readOnly.has(token)) {
      return reply(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });
    }
    switch (op.operationId) {
      case 'issues/list-comments': {
        const page = paged(u, issueComments(issue).map(publicComment));
        return reply(200, page.items, page.headers);
      }
      case 'issues/list-for-repo': {
        const repo = `${args.owner}/${args.repo}`;
        const want = u.searchParams.get('state') ?? 'open';
        const labels = (u.searchParams.get('labels') ?? '').split(',').filter(Boolean);
        const list = state.issues.filter((i) => i.repo === repo && (want === 'all' || i.state === want) && labels.every((l) => i.labels.includes(l)));
        const page = paged(u, list.sort((a, b) => b.number - a.number).map(publicIssue));
        return reply(200, page.items, page.headers);
      }
      case 'issues/create': {
        const b = body as { title: string; body?: string; labels?: Array<string | { name: string }> };
        const repo = `${args.owner}/${args.repo}`;
        const number = 1 + Math.max(0, ...state.issues.filter((i) => i.repo === repo).map((i) => i.number));
        const created: Issue = { repo, number, title: b.title, body: b.body ?? '', labels: (b.labels ?? []).map((l) => (typeof l === 'string' ? l : l.name)), state: 'open' };
        state.issues.push(created);
        return reply(201, publicIssue(created));
      }
      case 'issues/update': {
        const found = state.issues.find((i) => i.repo === `${args.owner}/${args.repo}` && i.number === Number(args.issue_number));
        if (!found) return reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
        const b = body as Partial<{ title: string; body: string; state: 'open' | 'closed'; labels: Array<string | { name: string }> }>;
        Object.assign(found, { ...(b.title !== undefined ? { title: b.title } : {}), ...(b.body !== undefined ? { body: b.body } : {}), ...(b.state ? { state: b.state } : {}) });
        if (b.labels) found.labels = b.labels.map((l) => (typeof l === 'string' ? l : l.name));
        return reply(200, publicIssue(found));
      }
      case 'repos/create-dispatch-event': {
        state.dispatches.push({ repo: `${args.owner}/${args.repo}`, ...(body as { event_type: string; client_payload?: Record<string, unknown> }) });
        return reply(204);
      }
      case 'issues/create-comment': {
        const text = (body as { body: string }).body;
        if (text.length > 65_536) return reply(422, { message: 'Validation Failed', errors: [{ message: 'Body is too long (maximum is 65536 characters)' }] });
        if (state.createBarrier > 1) {
          await new Promise<void>((resolve) => {
            waiting.push(resolve);
            if (waiting.length >= state.createBarrier) waiting.splice(0).forEach((w) => w());
            setTimeout(resolve, 10_000);
          });
        }
        const created = newComment(issue, text, login);
        state.createdIds.push(created.id);
        return reply(201, publicComment(created));
      }
      case 'issues/update-comment':
      case 'issues/delete-comment': {
        const c = state.comments.get(Number(args.comment_id));
        if (!c || !c.issue.startsWith(`${args.owner}/${args.repo}#`)) return reply(404, { message: 'Not Found' });
        if (op.operationId === 'issues/delete-comment') {
          state.comments.delete(c.id);
          return reply(204);
        }
        const text = (body as { body: string }).body;
        if (text.length > 65_536) return reply(422, { message: 'Validation Failed', errors: [{ message: 'Body is too long (maximum is 65536 characters)' }] });
        c.body = text;
        c.updated_at = new Date().toISOString();
        return reply(200, publicComment(c));
      }
      case 'users/get-authenticated': {
        if (token.startsWith('ghs_')) return reply(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user' });
        const user = newUser(login);
        return reply(200, { ...user, html_url: `https://github.com/${login}`, url: `${url}/users/${login}`, site_admin: false });
      }
      case 'pulls/get': {
        const sha = state.pulls.get(issue);
        return sha ? reply(200, { number: Number(args.pull_number), state: 'open', head: { sha, ref: 'feature' }, base: { sha: '0'.repeat(40), ref: 'main' } }) : reply(404, { message: 'Not Found' });
      }
      case 'repos/get':
        return state.repositories.has(`${args.owner}/${args.repo}`)
          ? reply(200, { id: 1, name: args.repo, full_name: `${args.owner}/${args.repo}`, private: false, default_branch: 'main' })
          : reply(404, { message: 'Not Found' });
      case 'repos/get-release-by-tag': {
        const r = findRelease(`${args.owner}/${args.repo}`, args.tag);
        return r ? reply(200, publicRelease(r)) : reply(404, { message: 'Not Found' });
      }
      case 'repos/create-release': {
        const repo = `${args.owner}/${args.repo}`;
        if (!state.repositories.has(repo)) return reply(404, { message: 'Not Found' });
        const b = body as { tag_name: string; name?: string; body?: string; draft?: boolean; prerelease?: boolean; make_latest?: string };
        if (findRelease(repo, b.tag_name)) {
          return reply(422, { message: 'Validation Failed', errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }] });
        }
        const r: Release = {
          id: nextId++, repo, tag_name: b.tag_name, name: b.name ?? null, body: b.body ?? null, draft: b.draft ?? false, prerelease: b.prerelease ?? false,
          make_latest: b.make_latest, created_at: new Date().toISOString(), assets: [],
        };
        state.releases.push(r);
        return reply(201, publicRelease(r));
      }
      case 'repos/list-release-assets': {
        const r = state.releases.find((x) => x.repo === `${args.owner}/${args.repo}` && x.id === Number(args.release_id));
        if (!r) return reply(404, { message: 'Not Found' });
        const page = paged(u, r.assets.map((a) => publicAsset(r, a)));
        return reply(200, page.items, page.headers);
      }
      case 'repos/upload-release-asset': {
        const r = state.releases.find((x) => x.repo === `${args.owner}/${args.repo}` && x.id === Number(args.release_id));
        if (!r) return reply(404, { message: 'Not Found' });
        if (Number(req.headers['content-length']) !== bytes.length) return reply(400, { message: 'content-length does not match the body' });
        const name = githubAssetName(u.searchParams.get('name')!);
        if (r.assets.some((a) => a.name === name)) {
          return reply(422, { message: 'Validation Failed', errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }] });
        }
        const now = new Date().toISOString();
        const a: Asset = { id: nextId++, name, size: bytes.length, state: 'uploaded', content_type: 'application/octet-stream', created_at: now, updated_at: now, bytes };
        r.assets.push(a);
        return reply(201, publicAsset(r, a));
      }
      case 'repos/get-release-asset':
      case 'repos/update-release-asset':
      case 'repos/delete-release-asset': {
        const found = assetById(`${args.owner}/${args.repo}`, Number(args.asset_id));
        if (!found) return reply(404, { message: 'Not Found' });
        const { release: r, asset: a } = found;
        if (op.operationId === 'repos/delete-release-asset') {
          r.assets.splice(r.assets.indexOf(a), 1);
          return reply(204);
        }
        if (op.operationId === 'repos/update-release-asset') {
          const name = (body as { name?: string }).name;
          if (name !== undefined) {
            if (r.assets.some((x) => x !== a && x.name === githubAssetName(name))) {
              return reply(422, { message: 'Validation Failed', errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }] });
            }
            a.name = githubAssetName(name);
            a.updated_at = new Date().toISOString();
          }
          return reply(200, publicAsset(r, a));
        }
        // The bytes: GitHub redirects to its storage host; the JSON otherwise.
        if (req.headers.accept === 'application/octet-stream') return reply(302, undefined, { location: `${url}/_objects/${a.id}` });
        return reply(200, publicAsset(r, a));
      }
      default:
        state.violations.push(`${method} ${u.pathname}: ${op.operationId} is in the description but not served by this stand-in`);
        return reply(501, { message: `${op.operationId} not served here` });
    }
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
        state.violations.push(`server error: ${String(e)}`);
        send(res, 500, { message: 'stand-in crashed' });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    addComment: (issue: string, body: string, login = 'octocat') => publicComment(newComment(issue, body, login)),
    release: findRelease,
    issueComments: (issue: string) => issueComments(issue).map(publicComment),
    get issues() {
      return state.issues;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
