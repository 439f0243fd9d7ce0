// The sticky-comment rules on an in-memory list of comments, including the orders of events a
// real race can produce (the end-to-end races run against the HTTP stand-in in report-action).
import { describe, expect, it } from 'vitest';
import { reportMarker, safeReportId, upsertComment, type CommentsApi, type IssueComment } from '../src/github/comment.js';

function memoryApi(opts: { lagListing?: boolean } = {}) {
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
      const c = { id: next++, body, html_url: `u${next}` };
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
  return { api, comments, calls, add: (body: string) => comments.set(next, { id: next++, body, html_url: '' }) };
}

const M = reportMarker('wf/job');

describe('upsertComment', () => {
  it('creates, then updates the same comment', async () => {
    const m = memoryApi();
    expect((await upsertComment(m.api, 'wf/job', 'one')).action).toBe('created');
    const second = await upsertComment(m.api, 'wf/job', 'two');
    expect(second.action).toBe('updated');
    expect([...m.comments.values()].map((c) => c.body)).toEqual([`${M}\ntwo`]);
  });

  it('keeps the oldest of several copies and removes the rest', async () => {
    const m = memoryApi();
    m.add('a person writes');
    m.add(`${M}\nold 1`);
    m.add(`${M}\nold 2`);
    const r = await upsertComment(m.api, 'wf/job', 'new');
    expect(r.removed).toEqual([3]);
    expect([...m.comments.values()].map((c) => [c.id, c.body])).toEqual([[1, 'a person writes'], [2, `${M}\nnew`]]);
  });

  it('removes its own new comment when an older one appeared meanwhile, even if the listing lags', async () => {
    const m = memoryApi({ lagListing: true });
    const racer = { ...m.api, list: async () => {
      const all = await m.api.list();
      if (!m.comments.has(0)) m.comments.set(0, { id: 0, body: `${M}\nfrom the other job`, html_url: '' });
      return all;
    } };
    // The other job's comment (id 0) is older than ours: ours goes, theirs gets our body.
    const r = await upsertComment(racer, 'wf/job', 'ours');
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
    const r = await upsertComment(flaky, 'wf/job', 'new');
    expect(r.action).toBe('created');
    expect([...m.comments.values()].map((c) => c.body)).toEqual([`${M}\nnew`]);
  });

  it('ignores a marker that is not the first line, and ids that would end the HTML comment', async () => {
    const m = memoryApi();
    m.add(`> quoting the bot:\n${M}\nold`);
    expect((await upsertComment(m.api, 'wf/job', 'new')).action).toBe('created');
    expect(m.comments.size).toBe(2);
    expect(safeReportId('a --> <b>\nc')).toBe('a-b-c');
    expect(reportMarker('x-->y')).toBe('<!-- edgeml-report:x-y -->');
  });
});
