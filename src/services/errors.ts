// Errors a service raises for the caller's mistakes; routes turn them into 4xx pages or JSON.
export interface FieldError {
  field: string;
  /** Plain words, never a raw path: where the way forward is another page, it is in `link`. */
  message: string;
  /** A page that helps (the record it clashes with, the form that records what is missing); pages show it as a link. */
  link?: { href: string; text: string };
}

/** Input failed validation: nothing was changed. Each error names its field. */
export class ValidationFailed extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'ValidationFailed';
  }
  static one(field: string, message: string, link?: FieldError['link']): ValidationFailed {
    return new ValidationFailed([link ? { field, message, link } : { field, message }]);
  }
}

export class NotFound extends Error {
  constructor(readonly what: string) {
    super(`${what} not found`);
    this.name = 'NotFound';
  }
}

export class AccessDenied extends Error {
  /**
   * `site` when the record belongs to a site the caller is not assigned to: the remedy is an administrator
   * adding the site to their account, not a different role.
   */
  constructor(
    message = 'You do not have permission to do this',
    readonly scope: 'role' | 'site' = 'role',
  ) {
    super(message);
    this.name = 'AccessDenied';
  }
}

/** Someone else changed the record since the caller read it (optimistic locking). */
export class EditConflict extends Error {
  constructor(readonly what: string) {
    super(`${what} was changed by someone else since you opened it. Reload it and make your change again.`);
    this.name = 'EditConflict';
  }
}
