// Instrument files: the shipped ones are valid and illustrative, one per risk domain of Core SOTP; a broken file
// is refused naming the field at fault.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseInstrumentFile, InstrumentDefinitionError } from '../../../src/domain/psychometrics/instrument.js';
import { loadInstrumentDefinitions } from '../../../src/instrument-files.js';
import { findProgrammeDefinition } from '../../../src/programme-files.js';

const domains = findProgrammeDefinition('core-sotp')!.riskDomains.map((d) => d.id);
const fileName = 'illustrative-sexual-interests.v1.json';
const shipped = JSON.parse(readFileSync(new URL(`../../../instruments/${fileName}`, import.meta.url), 'utf8'));

test('the shipped instruments are valid, illustrative and say so, one for each of Core SOTP’s four risk domains', () => {
  const instruments = loadInstrumentDefinitions();
  assert.deepEqual(instruments.flatMap((i) => i.scales.map((s) => s.domain)).sort(), [...domains].sort());
  for (const i of instruments) {
    assert.equal(i.illustrative, true, i.id);
    assert.match(i.notice ?? '', /ILLUSTRATIVE/);
  }
});

describe('a broken instrument file is refused naming the field', () => {
  const broken: Array<[string, (def: any) => void, string]> = [
    ['a scale naming an item the instrument lacks', (d) => (d.scales[0].items[2] = 'i99'), 'scales[0].items[2]'],
    ['a reliability of 1', (d) => (d.scales[0].norms.testRetestReliability = 1), 'scales[0].norms.testRetestReliability'],
    ['a dysfunctional SD of 0', (d) => (d.scales[0].norms.dysfunctional.sd = 0), 'scales[0].norms.dysfunctional.sd'],
    ['a direction that is neither lower nor higher', (d) => (d.scales[0].better = 'down'), 'scales[0].better'],
    ['a prorating limit as large as the scale', (d) => (d.scales[0].maxMissingItems = 6), 'scales[0].maxMissingItems'],
    ['a functional mean on the worse side', (d) => (d.scales[0].norms.functional.mean = 25), 'scales[0].norms.functional.mean'],
    ['a domain no programme has', (d) => (d.scales[0].domain = 'astrology'), 'scales[0].domain'],
    ['an item without its reverse-keying', (d) => delete d.items[1].reverseKeyed, 'items[1].reverseKeyed'],
    ['a response scale whose max is not above its min', (d) => (d.responseScale.max = 1), 'responseScale.max'],
    ['an illustrative instrument without its notice', (d) => delete d.notice, 'notice'],
  ];
  for (const [what, breakIt, field] of broken) {
    test(`${what}: ${field}`, () => {
      const def = structuredClone(shipped);
      breakIt(def);
      assert.throws(
        () => parseInstrumentFile(fileName, JSON.stringify(def), domains),
        (error: unknown) => error instanceof InstrumentDefinitionError && error.field === field && error.message.startsWith(`${fileName}: ${field}:`),
      );
    });
  }

  test('a file whose name disagrees with its id and version is refused on id', () => {
    assert.throws(
      () => parseInstrumentFile('illustrative-sexual-interests.v2.json', JSON.stringify(shipped), domains),
      (error: unknown) => error instanceof InstrumentDefinitionError && error.field === 'id',
    );
  });
});
