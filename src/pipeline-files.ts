// Reads the facilitator pipeline from the staff/ folder (the shell around domain/staff/pipeline). Read once per
// process: start-up reads it (a broken file stops start-up naming the field) and the services use what it read.
// When the folder holds several versions, the latest is the pipeline; moves recorded under an earlier one keep its number.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineFile, pipelineFileName, type PipelineDefinition } from './domain/staff/pipeline.js';
import { projectPath } from './paths.js';

export function loadPipelineDefinition(dir = projectPath('staff')): PipelineDefinition {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort((a, b) => Number(pipelineFileName.exec(b)?.[1] ?? 0) - Number(pipelineFileName.exec(a)?.[1] ?? 0));
  if (files.length === 0) throw new Error(`${dir}: no facilitator pipeline file (facilitator-pipeline.v1.json)`);
  // Every file is checked, so a broken older version is not left to be found later.
  const definitions = files.map((name) => parsePipelineFile(name, readFileSync(join(dir, name), 'utf8')));
  return definitions[0];
}

let pipeline: PipelineDefinition | undefined;

/** The facilitator pipeline, read and validated on first use. */
export function facilitatorPipeline(): PipelineDefinition {
  pipeline ??= loadPipelineDefinition();
  return pipeline;
}
