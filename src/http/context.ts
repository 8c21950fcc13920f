// What the web pages and the API are built from: the services (bound to the database where the app is assembled),
// configuration and programme definitions. Routes never hold the database itself.
import type { Config } from '../config.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import type { Services } from '../services/index.js';

export interface RouteContext {
  services: Services;
  config: Config;
  programmes: ProgrammeDefinition[];
  version: string;
}
