// Exit codes of the `sotp` command: 0 done, 1 failed, 2 bad input (the message names what is wrong).
export const exitCodes = { done: 0, failed: 1, badInput: 2 } as const;

/** The caller gave something wrong: printed on stderr, exit 2, nothing on stdout. */
export class BadInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadInput';
  }
}

/** The command ran but did not succeed (e.g. a broken audit chain): exit 1. */
export class CommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailed';
  }
}
