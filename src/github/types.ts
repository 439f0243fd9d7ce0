// What the GitHub-facing code is given by its caller: a log that is the workflow log in an action
// (@actions/core) and the terminal in the CLI.

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}
