// Security headers (helmet) with a nonce-based content security policy: no inline script or style
// runs unless it carries this response's nonce; and no caching of anything that has not said it may be
// cached, since pages and API answers hold personal data that must not linger in a shared browser or proxy.
// The Referer goes to this service only.
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export async function securityHeaders(app: FastifyInstance, options: { production: boolean }): Promise<void> {
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        ...(options.production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: options.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    // Our own pages see where the person came from, so an error page can link back there; other sites never
    // see our addresses (they can hold names and prison numbers in search terms).
    referrerPolicy: { policy: 'same-origin' },
  });
  // Static assets set their own max-age; every other response (pages, API, errors, redirects) is no-store.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
