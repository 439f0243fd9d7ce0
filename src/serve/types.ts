// The serve area's types that other areas use (index.ts exports them).
// Types only: nothing here runs.

import type { Profile } from '../drift/index.js';
import type { WindowTags } from './window.js';

/** A running model server: its address, the model it serves, and how to swap or stop it. */
export interface ModelServer {
  url: string;
  name: string;
  /** sha256 of the model served (null before the first). */
  readonly sha256: string | null;
  /**
   * Loads `file` and serves it from the next request on, with `profile` (null: the release has
   * none, drift is not judged); the old one finishes its requests first. A file that does not
   * load throws and the old model keeps serving.
   */
  swap(file: string, profile?: Profile | null, tags?: WindowTags): Promise<void>;
  close(): Promise<void>;
}
