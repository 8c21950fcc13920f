// What the web pages and the API are built from: the database, configuration and programme definitions.
import type { Config } from '../config.js';
import type { Database } from '../db/connection.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';

export interface AppContext {
  database: Database;
  config: Config;
  /**
   * The current (latest recorded) version of each programme. Shared by every route: an accepted upload replaces
   * its predecessor here, so pages show it at once (other processes on the same database, at their next start).
   */
  programmes: ProgrammeDefinition[];
  version: string;
}
