// Reads psychometric instrument definitions from the instruments/ folder (the shell around domain/psychometrics).
// Each scale's domain must be a risk domain of a programme in the programmes/ folder. The folder is read once per
// process: start-up reads it (a broken file stops start-up naming the field) and the services use what it read.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseInstrumentFile, type InstrumentDefinition } from './domain/psychometrics/instrument.js';
import { projectPath } from './paths.js';
import { loadProgrammeDefinitions } from './programme-files.js';

export function loadInstrumentDefinitions(dir = projectPath('instruments'), domains = programmeRiskDomains()): InstrumentDefinition[] {
  return readdirSync(dir)
    .sort()
    .filter((name) => name.endsWith('.json'))
    .map((name) => parseInstrumentFile(name, readFileSync(join(dir, name), 'utf8'), domains));
}

function programmeRiskDomains(): string[] {
  return [...new Set(loadProgrammeDefinitions().flatMap((p) => p.riskDomains.map((d) => d.id)))];
}

let library: InstrumentDefinition[] | undefined;

/** Every version of every instrument in the folder, read and validated on first use. */
export function instrumentLibrary(): InstrumentDefinition[] {
  library ??= loadInstrumentDefinitions();
  return library;
}
