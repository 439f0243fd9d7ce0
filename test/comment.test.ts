// The sticky-comment rules on an in-memory list of comments, including the orders of events a
// real race can produce (the end-to-end races run against the HTTP stand-in in report-action).
import { describe, expect, it } from 'vitest';
import { isLogin, reportMarker, safeReportId, upsertComment, type CommentsApi, type IssueComment } from '../src/github/comment.js';

const BOT = 'github-actions[bot]';
const user = (login: string) => ({ login, type: login.endsWith('[bot]') ? 'Bot' : 'User' });

/** `writer`: who the token writes as (what GitHub puts in a created comment's user). */
function memoryApi(opts: { lagListing?: boolean; writer?: string } = {}) {
  const comments = new Map<number, IssueComment>();
  let next = 1;
  let hidden: number | null = null;
  const calls: string[] = [];
  const api: CommentsApi = {
    list: async () => {
      calls.push('list');
      return [...comments.values()].filter((c) => c.id !== hidden);
    },
    create: async (body) => {
      calls.push('create');
      const c = { id: next++, body, html_url: `u${next}`, user: user(opts.writer ?? BOT) };
      comments.set(c.id, c);
      if (opts.lagListing) hidden = c.id; // the listing does not show it yet
      return c;
    },
    update: async (id, body) => {
      calls.push(`update ${id}`);
      const c = comments.get(id);
      if (!c) throw Object.assign(new Error('Not Found'), { status: 404 });
      c.body = body;
      return c;
    },
    remove: async (id) => {
      calls.push(`remove ${id}`);
      comments.delete(id);
    },
  };
  const add = (body: string, login: string | null = BOT) => comments.set(next, { id: next++, body, html_url: '', user: login === null ? null : user(login) });
  return { api, comments, calls, add };
}

const M = reportMarker('wf/job');

describe('upsertComment', () => {
  it('creates, then updates the same comment', async () => {
    const m = memoryApi();
    expect((await upsertComment(m.api, 'wf/job', 'one', BOT)).action).toBe('created');
    const second = await upsertComment(m.api, 'wf/job', 'two', BOT);
    expect(second.action).toBe('updated');
    expect([...m.comments.values()].map((c) => c.body)).toEqual([`${M}\ntwo`]);
  });

  it('keeps the oldest of several copies and removes the rest', async () => {
    const m = memoryApi();
    m.add('a person writes', 'octocat');
    m.add(`${M}\nold 1`);
    m.add(`${M}\nold 2`);
    const r = await upsertComment(m.api, 'wf/job', 'new', BOT);
    expect(r.removed).toEqual([3]);
    expect([...m.comments.values()].map((c) => [c.id, c.body])).toEqual([[1, 'a person writes'], [2, `${M}\nnew`]]);
  });

  it('removes its own new comment when an older one appeared meanwhile, even if the listing lags', async () => {
    const m = memoryApi({ lagListing: true });
    const racer = { ...m.api, list: async () => {
      const all = await m.api.list();
      if (!m.comments.has(0)) m.comments.set(0, { id: 0, body: `${M}\nfrom the other job`, html_url: '', user: user(BOT) });
      return all;
    } };
    // The other job's comment (id 0) is older than ours: ours goes, theirs gets our body.
    const r = await upsertComment(racer, 'wf/job', 'ours', BOT);
    expect(r.action).toBe('updated');
    expect(r.comment.id).toBe(0);
    expect(r.removed).toEqual([1]);
  });

  it('starts again when the comment it updates was deleted by a concurrent job', async () => {
    const m = memoryApi();
    m.add(`${M}\nold`);
    const flaky = { ...m.api, update: async (id: number, body: string) => {
      if (m.comments.has(id) && id === 1) m.comments.delete(1);
      return m.api.update(id, body);
    } };
    const r = await upsertComment(flaky, 'wf/job', 'new', BOT);
    expect(r.action).toBe('created');
    expect([...m.comments.values()].map((c) => c.body)).toEqual([`${M}\nnew`]);
  });

  it('ignores a marker that is not the first line, and ids that would end the HTML comment', async () => {
    const m = memoryApi();
    m.add(`> quoting the bot:\n${M}\nold`, 'octocat');
    expect((await upsertComment(m.api, 'wf/job', 'new', BOT)).action).toBe('created');
    expect(m.comments.size).toBe(2);
    expect(safeReportId('a --> <b>\nc')).toBe('a-b-c');
    expect(reportMarker('x-->y')).toBe('<!-- edgeml-report:x-y -->');
  });

  it('never touches a comment someone else starts with the marker, and keeps its own', async () => {
    const m = memoryApi();
    m.add(`${M}\nI copied the marker`, 'octocat'); // id 1
    m.add(`${M}\nfrom a deleted account`, null); // id 2: GitHub gives user null
    m.add(`${M.toUpperCase()}\nnot the marker`, BOT); // id 3
    const first = await upsertComment(m.api, 'wf/job', 'one', BOT);
    expect(first).toMatchObject({ action: 'created', removed: [], author: BOT });
    const second = await upsertComment(m.api, 'wf/job', 'two', 'GitHub-Actions[bot]'); // logins ignore case
    expect(second).toMatchObject({ action: 'updated', removed: [], author: 'GitHub-Actions[bot]' });
    expect(second.comment.id).toBe(first.comment.id);
    expect(m.calls.filter((c) => /^(update|remove) [123]$/.test(c))).toEqual([]);
    expect([...m.comments.values()].map((c) => [c.id, c.body])).toEqual([
      [1, `${M}\nI copied the marker`], [2, `${M}\nfrom a deleted account`], [3, `${M.toUpperCase()}\nnot the marker`], [4, `${M}\ntwo`],
    ]);
  });

  it('learns who the token writes as from the comment it creates, and keeps that author\'s oldest', async () => {
    const m = memoryApi({ writer: 'edgeml-app[bot]' });
    m.add(`${M}\nthe app's report`, 'edgeml-app[bot]'); // id 1
    m.add(`${M}\na person`, 'octocat'); // id 2
    // Told github-actions[bot] (a guess for an installation token): nothing matches, so it creates,
    // sees the app's login on its comment, and folds into the app's older one.
    const r = await upsertComment(m.api, 'wf/job', 'new', BOT);
    expect(r).toMatchObject({ action: 'updated', removed: [3], author: 'edgeml-app[bot]' });
    expect(r.comment.id).toBe(1);
    expect([...m.comments.values()].map((c) => [c.id, c.body])).toEqual([[1, `${M}\nnew`], [2, `${M}\na person`]]);
    expect(isLogin('edgeml-app[bot]') && isLogin('octocat') && isLogin('jane_acme')).toBe(true);
    expect(['@octocat', 'a b', '', 'x[bot][bot]', '-x'].some(isLogin)).toBe(false);
  });
});
