// GOV.UK Frontend's compiled CSS, JavaScript, fonts and images plus sotp's own stylesheet, under /assets.
// These routes are public by design: they hold no data.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { projectPath } from '../../paths.js';

const govukDist = projectPath('node_modules', 'govuk-frontend', 'dist', 'govuk');
const servable = /\.(css|js|mjs|map|woff2?|png|svg|ico|json)$/;

export async function staticAssets(app: FastifyInstance): Promise<void> {
  await app.register(async (assets) => {
    assets.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), access: 'public' };
    });
    await assets.register(fastifyStatic, {
      // tus-js-client's browser build (tus.min.js) is what the recording upload page runs.
      root: [projectPath('src', 'web', 'public'), govukDist, `${govukDist}/assets`, projectPath('node_modules', 'tus-js-client', 'dist')],
      prefix: '/assets/',
      allowedPath: (path) => servable.test(path) && !path.includes('..'),
      maxAge: '1h',
      index: false,
      list: false,
    });
  });
}
