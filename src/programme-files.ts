// Reads programme definitions from the programmes/ folder (the shell around domain/programme).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseProgrammeFile, programmeFileName, type ProgrammeDefinition } from './domain/programme/definition.js';
import { projectPath } from './paths.js';

export function loadProgrammeDefinitions(dir = projectPath('programmes')): ProgrammeDefinition[] {
  return readdirSync(dir)
    .sort()
    .filter((name) => programmeFileName.test(name))
    .map((name) => parseProgrammeFile(name, readFileSync(join(dir, name), 'utf8')));
}

/** The latest version of a programme (or the given version); undefined when there is none. */
export function findProgrammeDefinition(id: string, version?: number, dir?: string): ProgrammeDefinition | undefined {
  const matching = loadProgrammeDefinitions(dir).filter((d) => d.id === id && (version === undefined || d.version === version));
  return matching.sort((a, b) => b.version - a.version)[0];
}
