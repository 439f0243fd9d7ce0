// The documents area's types that other areas use (index.ts exports them).
// Types only: nothing here runs.

/** A kind of JSON document: the schema it must match and how errors name it. */
export interface DocumentKind {
  /** The schema object (with its $id) the document must match. */
  schema: { $id: string };
  /** What users call it: "results", "compare", "check", "optimize manifest". */
  name: string;
  /** The command that writes it, for the hint in every error. */
  writer: string;
  /** Schemas besides the results schema that this one $refs. */
  uses?: Array<{ $id: string }>;
}
