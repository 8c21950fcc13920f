// Reads programme definitions from the programmes/ folder (the shell around domain/programme).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseProgrammeDefinition, ProgrammeDefinitionError, type ProgrammeDefinition } from './domain/programme/definition.js';
import { projectPath } from './paths.js';

const fileName = /^([a-z0-9][a-z0-9_-]*)\.v(\d+)\.json$/;

export function loadProgrammeDefinitions(dir = projectPath('programmes')): ProgrammeDefinition[] {
  const definitions: ProgrammeDefinition[] = [];
  for (const name of readdirSync(dir).sort()) {
    const match = fileName.exec(name);
    if (!match) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (error) {
      throw new ProgrammeDefinitionError(name, '(file)', `is not valid JSON: ${(error as Error).message}`);
    }
    const def = parseProgrammeDefinition(raw, name);
    if (def.id !== match[1] || def.version !== Number(match[2])) {
      throw new ProgrammeDefinitionError(name, 'id', `the file name says ${match[1]} v${match[2]} but the file says ${def.id} v${def.version}`);
    }
    definitions.push(def);
  }
  return definitions;
}

/** The latest version of a programme (or the given version); undefined when there is none. */
export function findProgrammeDefinition(id: string, version?: number, dir?: string): ProgrammeDefinition | undefined {
  const matching = loadProgrammeDefinitions(dir).filter((d) => d.id === id && (version === undefined || d.version === version));
  return matching.sort((a, b) => b.version - a.version)[0];
}
