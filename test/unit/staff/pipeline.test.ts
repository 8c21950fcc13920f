// The facilitator pipeline file: the shipped one is valid; a broken one is refused naming the field, as start-up
// reports it; and the moves follow the file's stages, roles, reasons and requirements.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyStageMove, availableMoves, parsePipelineFile, PipelineDefinitionError, type PipelinePosition } from '../../../src/domain/staff/pipeline.js';
import { loadPipelineDefinition } from '../../../src/pipeline-files.js';

const fileName = 'facilitator-pipeline.v1.json';
const shipped = JSON.parse(readFileSync(new URL(`../../../staff/${fileName}`, import.meta.url), 'utf8'));
const def = loadPipelineDefinition();
const moveIndex = (id: string) => shipped.moves.findIndex((m: { id: string }) => m.id === id);

test('the shipped pipeline has every stage of the source document, from application to withdrawal', () => {
  assert.deepEqual(
    def.stages.map((s) => s.id),
    [
      'applied',
      'suitability',
      'assessment_passed',
      'not_selected',
      'fundamental_skills_training',
      'programme_training',
      'accredited',
      'suspended',
      'lapsed',
      'withdrawn',
    ],
  );
});

describe('a broken pipeline file stops start-up naming the field', () => {
  const broken: Array<[string, (d: any) => void, string]> = [
    ['a move to a stage the file lacks', (d) => (d.moves[1].to = 'promoted'), 'moves[1].to'],
    ['a move to lapsed, which is computed from supervision', (d) => (d.moves[moveIndex('suspend')].to = 'lapsed'), `moves[${moveIndex('suspend')}].to`],
    ['a move from a closed stage', (d) => d.moves[moveIndex('withdraw')].from.push('not_selected'), `moves[${moveIndex('withdraw')}].from[7]`],
    ['a role that is not a role', (d) => (d.moves[2].roles[0] = 'warden'), 'moves[2].roles[0]'],
    ['a role the permissions table does not let move staff on', (d) => (d.moves[2].roles[0] = 'facilitator'), 'moves[2].roles[0]'],
    ['a move without its reason rule', (d) => delete d.moves[3].reasonRequired, 'moves[3].reasonRequired'],
    ['a choice without options', (d) => delete d.moves[1].evidence[3].options, 'moves[1].evidence[3].options'],
    ['an evidence kind the forms cannot show', (d) => (d.moves[1].evidence[0].kind = 'signature'), 'moves[1].evidence[0].kind'],
    [
      'a requirement naming evidence the earlier move does not record',
      (d) => (d.moves[moveIndex('accredit')].requires[0].field = 'grade'),
      `moves[${moveIndex('accredit')}].requires[0].field`,
    ],
    ['an effect the service does not carry out', (d) => (d.moves[moveIndex('accredit')].effects[0] = 'promotes'), `moves[${moveIndex('accredit')}].effects[0]`],
    ['a duplicate stage', (d) => d.stages.push({ ...d.stages[0] }), 'stages[10].id'],
    ['a tag that is not a GOV.UK tag colour', (d) => (d.stages[0].tag = 'red'), 'stages[0].tag'],
  ];
  for (const [what, breakIt, field] of broken) {
    test(`${what}: ${field}`, () => {
      const d = structuredClone(shipped);
      breakIt(d);
      assert.throws(
        () => parsePipelineFile(fileName, JSON.stringify(d)),
        (error: unknown) => error instanceof PipelineDefinitionError && error.field === field && error.message.startsWith(`${fileName}: ${field}:`),
      );
    });
  }

  test('a broken file in the staff folder is refused when the folder is loaded, as at start-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sotp-pipeline-'));
    const d = structuredClone(shipped);
    d.moves[0].to = 'hired';
    writeFileSync(join(dir, fileName), JSON.stringify(d));
    assert.throws(() => loadPipelineDefinition(dir), /facilitator-pipeline\.v1\.json: moves\[0\]\.to: "hired" is not a stage/);
  });

  test('a file whose name disagrees with its version is refused on version', () => {
    assert.throws(
      () => parsePipelineFile('facilitator-pipeline.v2.json', JSON.stringify(shipped)),
      (error: unknown) => error instanceof PipelineDefinitionError && error.field === 'version',
    );
  });
});

const at = (stage: string, extra: Partial<PipelinePosition> = {}): PipelinePosition => ({ stage, programmeStages: {}, history: [], hasSignIn: true, ...extra });
const trainingPassed = { moveId: 'record_programme_training', programmeId: 'core-sotp', evidence: { result: 'passed' } };

describe('stage moves follow the file', () => {
  test('a move not allowed from the stage is refused naming the stage', () => {
    const outcome = applyStageMove(def, at('applied'), 'record_assessment_passed', { role: 'treatment_manager' }, {});
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.refusal, 'not_from_this_stage');
    assert.match(!outcome.ok ? outcome.message : '', /cannot be recorded while applied/);
  });

  test('accreditation without the programme’s training recorded with a pass is refused naming the rule', () => {
    const failed = { ...trainingPassed, evidence: { result: 'failed' } };
    for (const history of [[], [failed], [trainingPassed, failed]]) {
      const outcome = applyStageMove(
        def,
        at('programme_training', { programmeStages: { 'core-sotp': 'programme_training' }, history }),
        'accredit',
        { role: 'treatment_manager' },
        { programmeId: 'core-sotp' },
      );
      assert.equal(!outcome.ok && outcome.message, 'Accreditation needs the programme’s training recorded with a pass');
    }
  });

  test('a pass for another programme does not accredit for this one', () => {
    const position = at('programme_training', {
      programmeStages: { 'core-sotp': 'programme_training', kaizen: 'programme_training' },
      history: [trainingPassed],
    });
    assert.equal(applyStageMove(def, position, 'accredit', { role: 'treatment_manager' }, { programmeId: 'kaizen' }).ok, false);
    assert.equal(applyStageMove(def, position, 'accredit', { role: 'treatment_manager' }, { programmeId: 'core-sotp' }).ok, true);
  });

  test('accreditation without a linked sign-in is refused: link a sign-in first', () => {
    const position = at('programme_training', { programmeStages: { 'core-sotp': 'programme_training' }, history: [trainingPassed], hasSignIn: false });
    const outcome = applyStageMove(def, position, 'accredit', { role: 'treatment_manager' }, { programmeId: 'core-sotp' });
    assert.match(!outcome.ok ? outcome.message : '', /link a sign-in first/);
  });

  test('a move whose reason is required is refused without one', () => {
    const outcome = applyStageMove(def, at('applied'), 'record_not_selected', { role: 'treatment_manager' }, { reason: '  ' });
    assert.equal(!outcome.ok && outcome.refusal, 'reason_required');
  });

  test('nothing more is recorded after withdrawal', () => {
    const outcome = applyStageMove(def, at('withdrawn'), 'record_suitability', { role: 'treatment_manager' }, {});
    assert.equal(!outcome.ok && outcome.refusal, 'closed');
  });

  test('the accreditation from before sotp is made only by the import, and never offered on a page', () => {
    const outcome = applyStageMove(def, at('applied'), 'record_existing_accreditation', { role: 'administrator' }, { programmeId: 'core-sotp' });
    assert.equal(!outcome.ok && outcome.refusal, 'needs_import');
    assert.ok(!availableMoves(def, at('applied'), 'administrator', ['core-sotp']).some((m) => m.id === 'record_existing_accreditation'));
  });

  test('a treatment manager is offered the moves from the stage; a facilitator none', () => {
    assert.deepEqual(
      availableMoves(def, at('suitability', { history: [] }), 'treatment_manager', ['core-sotp']).map((m) => m.id),
      ['record_assessment_passed', 'record_not_selected', 'withdraw'],
    );
    assert.deepEqual(availableMoves(def, at('suitability'), 'facilitator', ['core-sotp']), []);
  });
});

describe('every move of the file: its role may make it, a role it does not name may not', () => {
  for (const m of def.moves) {
    const refusedRole = (['assessor', 'facilitator', 'auditor', 'researcher', 'administrator', 'treatment_manager'] as const).find(
      (r) => !m.roles.includes(r),
    )!;
    test(`${m.id}: ${m.roles[0]} may, ${refusedRole} may not`, () => {
      const from = m.from[0];
      const position =
        m.scope === 'staff' ? at(from) : at(m.staffFrom?.[0] ?? 'programme_training', { programmeStages: from === 'none' ? {} : { 'core-sotp': from } });
      const input = { programmeId: 'core-sotp', reason: 'a reason', byImport: m.byImport };
      const refused = applyStageMove(def, position, m.id, { role: refusedRole }, input);
      assert.equal(!refused.ok && refused.refusal, 'not_allowed_for_role');
      const allowed = applyStageMove(def, position, m.id, { role: m.roles[0] }, input);
      assert.ok(allowed.ok || allowed.refusal === 'requirement_not_met', JSON.stringify(allowed));
    });
  }
});
