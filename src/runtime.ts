// Everything a running sotp needs, opened in one place: configuration, the migrated database and
// the validated programme, psychometric instrument and facilitator pipeline definitions. A broken definition stops start-up here, naming the field.
// The programmes/ folder's files are recorded first; the app then works to the latest recorded version of
// each programme, which may be one an administrator uploaded (kept in the database, so it survives restarts).
import { readFileSync } from 'node:fs';
import { loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/connection.js';
import { migrate } from './db/migrate.js';
import { instrumentLibrary } from './instrument-files.js';
import { facilitatorPipeline } from './pipeline-files.js';
import { loadProgrammeDefinitions } from './programme-files.js';
import { projectPath } from './paths.js';
import { currentProgrammeDefinitions, recordProgrammeVersions } from './services/programmes.js';
import type { ProgrammeDefinition } from './domain/programme/definition.js';
import { bindServices, type Services } from './services/index.js';

/** A running sotp: the database (for its lifecycle), the services bound to it, configuration and programmes. */
export interface AppContext {
  database: Database;
  services: Services;
  config: Config;
  programmes: ProgrammeDefinition[];
  version: string;
}

export const packageVersion: string = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')).version;

export async function openRuntime(config: Config = loadConfig()): Promise<AppContext> {
  const files = loadProgrammeDefinitions();
  instrumentLibrary();
  facilitatorPipeline();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    // Two instances started at once on a new (or newly upgraded) PostgreSQL take turns: the second finds the work done.
    await database.exclusive(async () => {
      await migrate(database);
      await recordProgrammeVersions(database.db, files);
    });
    const programmes = await currentProgrammeDefinitions(database.db);
    return { database, services: bindServices(database), config, programmes, version: packageVersion };
  } catch (error) {
    await database.close();
    throw error;
  }
}
