// A stand-in for the GitHub REST API on 127.0.0.1. Every request is checked against GitHub's
// published OpenAPI description (@octokit/openapi, api.github.com): the route and method must
// exist, query parameters must be declared, and JSON bodies must match the operation's
// requestBody schema (ajv). Anything else is answered 404/422 and recorded as a violation, which
// tests assert to be empty. Issue comments live in memory; faults can be injected.
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
  /**
   * Who each token writes as. A token not listed writes as github-actions[bot] (the workflow's
   * GITHUB_TOKEN). As on GitHub, an installation token (ghs_) gets 403 from GET /user.
   */
  logins: Map<string, string>;
  /** Comments that are not ours: written by people, quoting or not our marker. */
  addComment(issue: string, body: string, login?: string): Comment;
  issueComments(issue: string): Comment[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3; format=json', ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

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
    logins: new Map<string, string>(),
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
    if (op.requestBody?.content?.['application/json']) {
      const validateBody = ajv.getSchema(`github#/${pointer('paths', route.template, method, 'requestBody', 'content', 'application/json', 'schema')}`)!;
      if (!validateBody(body)) return reject(422, `body does not match ${op.operationId}: ${ajv.errorsText(validateBody.errors)}`);
    } else if (body !== undefined) {
      return reject(422, `${op.operationId} takes no body`);
    }
    return { op, args: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(values[i])])) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const u = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    const record = (status: number, operationId?: string) => state.requests.push({ method, path: u.pathname, operationId, status });
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
    switch (op.operationId) {
      case 'issues/list-comments': {
        const perPage = Math.min(100, Number(u.searchParams.get('per_page') ?? 30));
        const page = Math.max(1, Number(u.searchParams.get('page') ?? 1));
        const all = issueComments(issue);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link = (p: number, rel: string) => {
          const next = new URL(u);
          next.searchParams.set('page', String(p));
          next.searchParams.set('per_page', String(perPage));
          return `<${next}>; rel="${rel}"`;
        };
        const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
        return reply(200, all.slice((page - 1) * perPage, page * perPage).map(publicComment), links.length ? { link: links.join(', ') } : {});
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
      default:
        state.violations.push(`${method} ${u.pathname}: ${op.operationId} is in the description but not served by this stand-in`);
        return reply(501, { message: `${op.operationId} not served here` });
    }
  }

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      handle(req, res, raw).catch((e: unknown) => {
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
    issueComments: (issue: string) => issueComments(issue).map(publicComment),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
