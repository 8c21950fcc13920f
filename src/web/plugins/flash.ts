// Post/redirect/get: a successful POST answers 303 and the page it leads to shows the outcome. The outcome
// travels in a short-lived signed cookie scoped to that page's address and is read once, so reloading the
// page never sends the form again. Outcomes hold identifiers, numbers and dates, never personal data.
import type { FastifyInstance, FastifyReply } from 'fastify';

const flashCookie = 'sotp_flash';
/** Browsers drop cookies over 4 KB; a larger outcome is not sent and the page shows what is stored instead. */
const largestValue = 3800;

declare module 'fastify' {
  interface FastifyReply {
    /** 303 to `location`, carrying `outcome` to the page there. */
    redirectWithOutcome(location: string, outcome: unknown): FastifyReply;
    /** The outcome carried to this page by the POST that redirected here, once. */
    takeOutcome<T>(): T | undefined;
  }
}

function pathOf(location: string): string {
  return location.split(/[?#]/)[0];
}

export async function flash(app: FastifyInstance, options: { secure: boolean }): Promise<void> {
  app.decorateReply('redirectWithOutcome', function redirectWithOutcome(this: FastifyReply, location: string, outcome: unknown) {
    const value = Buffer.from(JSON.stringify(outcome)).toString('base64url');
    if (value.length <= largestValue) {
      this.setCookie(flashCookie, value, { path: pathOf(location), signed: true, httpOnly: true, sameSite: 'lax', secure: options.secure, maxAge: 600 });
    }
    return this.redirect(location, 303);
  });
  app.decorateReply('takeOutcome', function takeOutcome<T>(this: FastifyReply): T | undefined {
    const raw = this.request.cookies[flashCookie];
    if (!raw) return undefined;
    this.clearCookie(flashCookie, { path: pathOf(this.request.url) });
    const unsigned = this.request.unsignCookie(raw);
    if (!unsigned.valid || unsigned.value === null) return undefined;
    try {
      return JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as T;
    } catch {
      return undefined;
    }
  });
}
