// What the web pages and the API are built from: the database, configuration and programme definitions.
import type { Config } from '../config.js';
import type { Database } from '../db/connection.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';

export interface AppContext {
  database: Database;
  config: Config;
  programmes: ProgrammeDefinition[];
  version: string;
}
