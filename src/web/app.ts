// Builds the server in the order a request flows through it: security headers → session (and the outcomes
// of redirected POSTs) → body parsing → static → views → authentication → CSRF → text and id guards → routes →
// not found → errors.
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { apiRoutes, openApi } from '../api/index.js';
import type { RouteContext } from '../http/context.js';
import type { AppContext } from '../runtime.js';
import { bindServices } from '../services/index.js';
import { securityHeaders } from './plugins/security-headers.js';
import { cookies, csrfProtection } from './plugins/csrf.js';
import { session } from './plugins/session.js';
import { flash } from './plugins/flash.js';
import { staticAssets } from './plugins/static-assets.js';
import { views } from './plugins/views.js';
import { authentication } from './plugins/authentication.js';
import { errorPages } from './plugins/errors.js';
import { requestLogging, safeErrorSerializer } from './plugins/request-logging.js';
import { signInRoutes } from './routes/sign-in/index.js';
import { accountRoutes } from './routes/account/index.js';
import { homeRoutes } from './routes/home/index.js';
import { catalogueRoutes } from './routes/catalogue/index.js';
import { healthRoutes } from './routes/health/index.js';
import { userAdminRoutes } from './routes/admin/users/index.js';
import { siteAdminRoutes } from './routes/admin/sites/index.js';
import { programmeAdminRoutes } from './routes/admin/programmes/index.js';
import { peopleRoutes } from './routes/people/index.js';
import { referralRoutes } from './routes/referrals/index.js';
import { caseloadRoutes } from './routes/caseload/index.js';
import { waitlistRoutes } from './routes/waitlist/index.js';
import { groupRoutes } from './routes/groups/index.js';
import { registerRoutes } from './routes/registers/index.js';
import { facilitatorRoutes } from './routes/facilitators/index.js';
import { supervisionRoutes } from './routes/supervision/index.js';
import { auditRoutes } from './routes/audits/index.js';
import { auditChecklistRoutes } from './routes/audits/checklist.js';
import { deliveryRoutes } from './routes/delivery/index.js';
import { evaluationRoutes } from './routes/evaluations/index.js';
import { treatmentReportRoutes } from './routes/reports/index.js';
import { psychometricRoutes } from './routes/psychometrics/index.js';
import { recordingRoutes } from './routes/recordings/index.js';
import { staffRoutes } from './routes/staff/index.js';
import { uploads } from './plugins/uploads.js';
import { textGuard } from './plugins/text-guard.js';
import { identifiers } from './plugins/identifiers.js';

export interface RouteRecord {
  method: string;
  url: string;
  access: unknown;
}

export interface BuiltApp {
  app: FastifyInstance;
  /** Every route with its declared access, for the test that no route is left unguarded. */
  routeTable: RouteRecord[];
}

export interface BuildOptions {
  /** Where log lines go (standard output by default); tests read them to check what a log may hold. */
  logStream?: NodeJS.WritableStream;
}

/** The app over a database: the services are bound to it here, and routes receive only them. */
export async function buildApp(context: Omit<AppContext, 'services'>, options: BuildOptions = {}): Promise<BuiltApp> {
  const { config, programmes, version } = context;
  const routes: RouteContext = { services: bindServices(context.database), config, programmes, version };
  const app = Fastify({
    // URLs can hold search terms (names, prison numbers): Fastify's own request lines are off, ours log the route pattern.
    logController: new LogController({ disableRequestLogging: true }),
    logger: { level: config.logLevel, serializers: { err: safeErrorSerializer }, ...(options.logStream ? { stream: options.logStream } : {}) },
    trustProxy: config.env === 'production',
    bodyLimit: 1_048_576,
  });
  const routeTable: RouteRecord[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Read lazily: a plugin's own onRoute hook (static assets) may declare access after this one runs.
    for (const method of methods) {
      routeTable.push({
        method,
        url: route.url,
        get access() {
          return route.config?.access;
        },
      });
    }
  });

  // Cross-cutting plugins are wrapped with fastify-plugin so their hooks and decorators apply to every route.
  await app.register(requestLogging);
  await app.register(fp(securityHeaders), { production: config.env === 'production' });
  await app.register(fp(cookies), { secret: config.sessionSecret });
  await app.register(fp(session), { services: routes.services, session: config.session });
  await app.register(fp(flash), { secure: config.secureCookies });
  await app.register(formbody);
  await app.register(fp(uploads));
  await app.register(fp(staticAssets));
  await app.register(fp(views), { production: config.env === 'production' });
  await app.register(fp(authentication));
  await app.register(fp(csrfProtection), { secure: config.secureCookies, hmacKey: config.sessionSecret });
  await app.register(fp(textGuard));
  await app.register(fp(identifiers));
  await app.register(fp(openApi), routes);
  // Fastify needs the not-found and error handlers in place before the routes they serve are added.
  await app.register(fp(errorPages));

  await app.register(healthRoutes, routes);
  await app.register(catalogueRoutes, routes);
  await app.register(signInRoutes, routes);
  await app.register(accountRoutes, routes);
  await app.register(homeRoutes, routes);
  await app.register(userAdminRoutes, routes);
  await app.register(siteAdminRoutes, routes);
  await app.register(programmeAdminRoutes, routes);
  await app.register(peopleRoutes, routes);
  await app.register(referralRoutes, routes);
  await app.register(caseloadRoutes, routes);
  await app.register(waitlistRoutes, routes);
  await app.register(groupRoutes, routes);
  await app.register(registerRoutes, routes);
  await app.register(facilitatorRoutes, routes);
  await app.register(supervisionRoutes, routes);
  await app.register(deliveryRoutes, routes);
  await app.register(evaluationRoutes, routes);
  await app.register(treatmentReportRoutes, routes);
  await app.register(psychometricRoutes, routes);
  await app.register(recordingRoutes, routes);
  await app.register(auditRoutes, routes);
  await app.register(auditChecklistRoutes, routes);
  await app.register(staffRoutes, routes);
  await app.register(apiRoutes, routes);
  return { app, routeTable };
}
