// One sticky comment per pull request and report id. A hidden marker at the top of the body finds
// it again; re-runs edit it in place; when two jobs post at once, both re-read after creating and
// the oldest comment (lowest id) survives, holding the newest body. Only comments written by the
// identity the token acts as are ours: anyone can post a comment that starts with the marker.

export interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
  /** Who wrote it; GitHub gives null for a deleted account. */
  user?: { login: string; type?: string } | null;
}

/** The comment calls on one pull request; the Octokit-backed one is in api.ts. */
export interface CommentsApi {
  /** Every comment of the pull request, all pages. */
  list(): Promise<IssueComment[]>;
  create(body: string): Promise<IssueComment>;
  update(id: number, body: string): Promise<IssueComment>;
  /** Deleting a comment already gone is not an error. */
  remove(id: number): Promise<void>;
}

/** A report id that cannot end the HTML comment it sits in, nor break a line. */
export function safeReportId(id: string): string {
  return id.replace(/[^A-Za-z0-9._/:+=@-]+/g, '-').replace(/-{2,}/g, '-').slice(0, 200) || 'default';
}

export function reportMarker(id: string): string {
  return `<!-- edgeml-report:${safeReportId(id)} -->`;
}

/** A user's login (EMU logins add `_shortcode`) or a GitHub App's, `<app-slug>[bot]`. */
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}(?:\[bot\])?$/;

export function isLogin(s: string): boolean {
  return LOGIN.test(s);
}

/** GitHub logins are case-insensitive. */
export function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

const byId = (a: IssueComment, b: IssueComment) => a.id - b.id;

/**
 * Ours: written by `author`, with the marker as its first line (a marker quoted further down a reply
 * is not ours). A comment someone else starts with the marker is never updated nor deleted.
 */
const ours = (marker: string, author: string, comments: IssueComment[]) =>
  comments.filter((c) => c.user && sameLogin(c.user.login, author) && (c.body ?? '').startsWith(`${marker}\n`)).sort(byId);

export interface UpsertResult {
  comment: IssueComment;
  action: 'created' | 'updated';
  /** Extra copies removed (left by earlier races). */
  removed: number[];
  /** The login whose comments counted as ours: the one given, or the author of the comment we created. */
  author: string;
}

function isNotFound(e: unknown): boolean {
  return (e as { status?: number }).status === 404;
}

async function removeAll(api: CommentsApi, ids: number[]): Promise<number[]> {
  for (const id of ids) await api.remove(id);
  return ids;
}

async function upsertOnce(api: CommentsApi, marker: string, body: string, author: string): Promise<UpsertResult> {
  const existing = ours(marker, author, await api.list());
  if (existing.length) {
    const [keep, ...extra] = existing;
    const comment = await api.update(keep.id, body);
    return { comment, action: 'updated', removed: await removeAll(api, extra.map((c) => c.id)), author };
  }
  const created = await api.create(body);
  // The comment we created shows who the token writes as, which `author` may only have guessed
  // (a GitHub App's token cannot ask GitHub who it is).
  const writer = created.user?.login ?? author;
  // Another job may have created one too in the meantime: keep the oldest, remove the rest. The
  // listing may lag behind our create, so ours is counted whether or not it is listed.
  const after = [created, ...ours(marker, writer, (await api.list()).filter((c) => c.id !== created.id))].sort(byId);
  const [keep, ...extra] = after;
  const removed = await removeAll(api, extra.map((c) => c.id));
  if (keep.id === created.id) return { comment: created, action: 'created', removed, author: writer };
  return { comment: await api.update(keep.id, body), action: 'updated', removed, author: writer };
}

/**
 * Creates or updates the report comment of `author` (the login the token writes as); the body gets
 * the marker as its first line. A comment deleted under us by a concurrent job (404 on update)
 * starts the whole step again, once.
 */
export async function upsertComment(api: CommentsApi, reportId: string, markdown: string, author: string): Promise<UpsertResult> {
  const marker = reportMarker(reportId);
  const body = `${marker}\n${markdown}`;
  try {
    return await upsertOnce(api, marker, body, author);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    return upsertOnce(api, marker, body, author);
  }
}
