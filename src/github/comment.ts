// One sticky comment per pull request and report id. A hidden marker at the top of the body finds
// it again; re-runs edit it in place; when two jobs post at once, both re-read after creating and
// the oldest comment (lowest id) survives, holding the newest body.

export interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
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

/** The marker line is the first line of our body, so a marker quoted elsewhere in a reply is not ours. */
const ours = (marker: string, comments: IssueComment[]) =>
  comments.filter((c) => (c.body ?? '').startsWith(`${marker}\n`)).sort((a, b) => a.id - b.id);

export interface UpsertResult {
  comment: IssueComment;
  action: 'created' | 'updated';
  /** Extra copies removed (left by earlier races). */
  removed: number[];
}

function isNotFound(e: unknown): boolean {
  return (e as { status?: number }).status === 404;
}

async function removeAll(api: CommentsApi, ids: number[]): Promise<number[]> {
  for (const id of ids) await api.remove(id);
  return ids;
}

async function upsertOnce(api: CommentsApi, marker: string, body: string): Promise<UpsertResult> {
  const existing = ours(marker, await api.list());
  if (existing.length) {
    const [keep, ...extra] = existing;
    const comment = await api.update(keep.id, body);
    return { comment, action: 'updated', removed: await removeAll(api, extra.map((c) => c.id)) };
  }
  const created = await api.create(body);
  // Another job may have created one too in the meantime: keep the oldest, remove the rest. The
  // listing may lag behind our create, so ours is counted whether or not it is listed.
  const after = ours(marker, [...(await api.list()).filter((c) => c.id !== created.id), created]);
  const [keep, ...extra] = after;
  const removed = await removeAll(api, extra.map((c) => c.id));
  if (keep.id === created.id) return { comment: created, action: 'created', removed };
  return { comment: await api.update(keep.id, body), action: 'updated', removed };
}

/**
 * Creates or updates the report comment; the body gets the marker as its first line. A comment
 * deleted under us by a concurrent job (404 on update) starts the whole step again, once.
 */
export async function upsertComment(api: CommentsApi, reportId: string, markdown: string): Promise<UpsertResult> {
  const marker = reportMarker(reportId);
  const body = `${marker}\n${markdown}`;
  try {
    return await upsertOnce(api, marker, body);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    return upsertOnce(api, marker, body);
  }
}
