import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scoreOsp, type OspBand, type OspInput, type OspScore } from '../../../src/domain/risk/osp.js';

// A man in custody who scores 0 on OSP/DC: 60 at start of follow-up, one sanction in all (for indecent images,
// which OSP/DC does not score), last sexual sanction at 15.
const zero: OspInput = {
  sex: 'male',
  ageAtStartOfFollowup: 60,
  contactAdultSexualSanctions: 0,
  contactChildSexualSanctions: 0,
  nonContactSexualSanctions: 0,
  indecentImageSanctions: 1,
  ageAtLastSexualSanction: 15,
  totalSanctions: 1,
  currentOffenceAgainstStranger: false,
  inCustody: true,
  yearsSinceMostRecentOffence: 1,
  yearsSinceMostRecentSexualOffence: 1,
  yearsSinceStartOfFollowup: 0,
};
function scored(input: OspInput): OspScore {
  const outcome = scoreOsp(input);
  assert.ok(outcome.ok, outcome.ok ? '' : `refused: ${outcome.field}: ${outcome.message}`);
  return outcome.score;
}
const score = (changes: Partial<OspInput>) => scored({ ...zero, ...changes });
const dc = (changes: Partial<OspInput>) => score(changes).dc;

test('a man with nothing that scores has 0 OSP/DC points, band low and probability 0', () => {
  const result = dc({});
  assert.equal(result.points, 0);
  assert.equal(result.band, 'low');
  assert.equal(result.probability, 0);
});

// [field, count, points]: each count with the images taken out, and as many sanctions in all as it needs.
const sanctionTable: [keyof OspInput, number, number][] = [
  ['contactAdultSexualSanctions', 1, 5],
  ['contactAdultSexualSanctions', 2, 10],
  ['contactAdultSexualSanctions', 3, 15],
  ['contactAdultSexualSanctions', 4, 15],
  ['contactChildSexualSanctions', 1, 3],
  ['contactChildSexualSanctions', 2, 6],
  ['contactChildSexualSanctions', 3, 9],
  ['contactChildSexualSanctions', 4, 9],
  ['nonContactSexualSanctions', 1, 2],
  ['nonContactSexualSanctions', 2, 4],
  ['nonContactSexualSanctions', 3, 6],
  ['nonContactSexualSanctions', 4, 6],
];
for (const [field, count, points] of sanctionTable) {
  test(`OSP/DC: ${field} ${count} scores ${points}`, () => {
    const result = dc({ indecentImageSanctions: 0, [field]: count, totalSanctions: count });
    assert.equal(result.breakdown?.[field as keyof NonNullable<typeof result.breakdown>], points);
  });
}
for (const [total, points] of [
  [1, 0],
  [2, 6],
  [7, 6],
]) {
  test(`OSP/DC: totalSanctions ${total} scores ${points}`, () => {
    assert.equal(dc({ totalSanctions: total }).points, points);
  });
}
test('OSP/DC: indecent image sanctions score nothing', () => {
  assert.equal(dc({ indecentImageSanctions: 3, totalSanctions: 3 }).points, dc({ indecentImageSanctions: 1, totalSanctions: 3 }).points);
});

// 14 at 18–20, then one fewer for each full 3 years over 18; 0 from 60.
const ageTable: [number, number][] = [
  [16, 14],
  [17, 14],
  [18, 14],
  [20, 14],
  [21, 13],
  [23, 13],
  [24, 12],
  [30, 10],
  [45, 5],
  [56, 2],
  [57, 1],
  [59, 1],
  [60, 0],
  [80, 0],
];
for (const [age, points] of ageTable) {
  test(`OSP/DC: age ${age} at start of follow-up scores ${points}`, () => {
    const result = dc({ ageAtStartOfFollowup: age });
    assert.equal(result.breakdown?.ageAtStartOfFollowup, points);
    assert.equal(result.points, points);
  });
}

test('OSP/DC age points never rise with age and stay between 0 and 14', () => {
  fc.assert(
    fc.property(fc.integer({ min: 10, max: 100 }), (age) => {
      const now = dc({ ageAtStartOfFollowup: age }).points!;
      const older = dc({ ageAtStartOfFollowup: age + 1 }).points!;
      return older <= now && now >= 0 && now <= 14;
    }),
  );
});

const lastSexualTable: [number, number][] = [
  [15, 0],
  [16, 5],
  [17, 5],
  [18, 10],
  [50, 10],
];
for (const [age, points] of lastSexualTable) {
  test(`OSP/DC: last sexual sanction at ${age} scores ${points}`, () => {
    assert.equal(dc({ ageAtLastSexualSanction: age }).points, points);
  });
}

test('OSP/DC: a current offence against a stranger scores 4', () => {
  assert.equal(dc({ currentOffenceAgainstStranger: true }).points, 4);
});

// Every item at its top score adds up to the scale's maximum, 64.
test('OSP/DC: every item at its maximum gives 64 points, very high', () => {
  const result = dc({
    indecentImageSanctions: 0,
    contactAdultSexualSanctions: 3,
    contactChildSexualSanctions: 3,
    nonContactSexualSanctions: 3,
    ageAtStartOfFollowup: 20,
    ageAtLastSexualSanction: 18,
    totalSanctions: 9,
    currentOffenceAgainstStranger: true,
  });
  assert.equal(result.points, 64);
  assert.equal(result.band, 'very_high');
});

// Band edges. Common to all: last sexual sanction as an adult (10) and 2+ sanctions (6) = 16.
const adult: Partial<OspInput> = { ageAtLastSexualSanction: 40, totalSanctions: 3 };
const bandTable: [string, Partial<OspInput>, number, OspBand][] = [
  ['16 + 1 contact adult (5), aged 60 (0)', { contactAdultSexualSanctions: 1 }, 21, 'low'],
  ['16 + 2 contact child (6), aged 60 (0)', { contactChildSexualSanctions: 2 }, 22, 'medium'],
  [
    '16 + 1 contact adult (5) + stranger (4), aged 48 (4)',
    { contactAdultSexualSanctions: 1, currentOffenceAgainstStranger: true, ageAtStartOfFollowup: 48 },
    29,
    'medium',
  ],
  [
    '16 + 1 contact adult (5) + stranger (4), aged 45 (5)',
    { contactAdultSexualSanctions: 1, currentOffenceAgainstStranger: true, ageAtStartOfFollowup: 45 },
    30,
    'high',
  ],
  [
    '16 + 2 contact adult (10) + stranger (4), aged 45 (5)',
    { contactAdultSexualSanctions: 2, currentOffenceAgainstStranger: true, ageAtStartOfFollowup: 45 },
    35,
    'high',
  ],
  [
    '16 + 2 contact adult (10) + stranger (4), aged 42 (6)',
    { contactAdultSexualSanctions: 2, currentOffenceAgainstStranger: true, ageAtStartOfFollowup: 42 },
    36,
    'very_high',
  ],
];
for (const [how, changes, points, band] of bandTable) {
  test(`OSP/DC: ${points} points is ${band} (${how})`, () => {
    const result = dc({ ...adult, ...changes });
    assert.equal(result.points, points);
    assert.equal(result.band, band);
  });
}

// Probabilities worked by hand from 1 / (1 + e^-(-8.633 + 0.1598 × points)).
const probabilityTable: [Partial<OspInput>, number, number][] = [
  [{ ...adult, contactChildSexualSanctions: 2 }, 22, 0.005956],
  [{ ...adult, contactAdultSexualSanctions: 1, currentOffenceAgainstStranger: true, ageAtStartOfFollowup: 45 }, 30, 0.021062],
  [
    {
      indecentImageSanctions: 0,
      contactAdultSexualSanctions: 3,
      contactChildSexualSanctions: 3,
      nonContactSexualSanctions: 3,
      ageAtStartOfFollowup: 20,
      ageAtLastSexualSanction: 18,
      totalSanctions: 9,
      currentOffenceAgainstStranger: true,
    },
    64,
    0.8312,
  ],
];
for (const [changes, points, probability] of probabilityTable) {
  test(`OSP/DC: ${points} points is a probability of about ${probability}`, () => {
    const result = dc(changes);
    assert.equal(result.points, points);
    assert.ok(Math.abs(result.probability! - probability) < 0.0001, `got ${result.probability}`);
  });
}

// Band reduction: a man in the community, 5 whole years since his last offence, last sexual offence and start of follow-up.
const high: Partial<OspInput> = { ...adult, contactAdultSexualSanctions: 1, currentOffenceAgainstStranger: true, ageAtStartOfFollowup: 45 };
const offenceFree: Partial<OspInput> = {
  inCustody: false,
  yearsSinceMostRecentOffence: 5,
  yearsSinceMostRecentSexualOffence: 5,
  yearsSinceStartOfFollowup: 5,
};
test('OSP/DC: a man in the community with 5 offence-free years drops one band (high to medium)', () => {
  const result = dc({ ...high, ...offenceFree });
  assert.equal(result.points, 30);
  assert.equal(result.bandBeforeReduction, 'high');
  assert.equal(result.band, 'medium');
  assert.equal(result.bandReduced, true);
});
const noReduction: [string, Partial<OspInput>][] = [
  ['he is in custody', { inCustody: true }],
  ['only 4 years since his most recent offence', { yearsSinceMostRecentOffence: 4 }],
  ['only 4 years since his most recent sexual offence', { yearsSinceMostRecentSexualOffence: 4 }],
  ['only 4 years since the start of follow-up', { yearsSinceStartOfFollowup: 4 }],
];
for (const [why, change] of noReduction) {
  test(`OSP/DC: the band is not reduced when ${why}`, () => {
    const result = dc({ ...high, ...offenceFree, ...change });
    assert.equal(result.band, 'high');
    assert.equal(result.bandReduced, false);
  });
}
test('OSP/DC: a low band is never reduced below low', () => {
  const result = dc({ ...adult, contactAdultSexualSanctions: 1, ...offenceFree });
  assert.equal(result.points, 21);
  assert.equal(result.band, 'low');
  assert.equal(result.bandReduced, false);
});
test('OSP/DC: very high drops to high and medium to low', () => {
  assert.equal(dc({ ...adult, contactAdultSexualSanctions: 2, currentOffenceAgainstStranger: true, ageAtStartOfFollowup: 42, ...offenceFree }).band, 'high');
  assert.equal(dc({ ...adult, contactChildSexualSanctions: 2, ...offenceFree }).band, 'low');
});

// [changes, probability as a fraction, band]: the first rule that matches wins.
const iicTable: [string, Partial<OspInput>, number, OspBand][] = [
  ['2 image sanctions, even with contact child sanctions', { indecentImageSanctions: 2, contactChildSexualSanctions: 3 }, 0.1031, 'high'],
  ['1 image sanction', { indecentImageSanctions: 1, contactChildSexualSanctions: 2 }, 0.03328, 'medium'],
  ['2 contact child sanctions', { contactChildSexualSanctions: 2, nonContactSexualSanctions: 1, contactAdultSexualSanctions: 1 }, 0.00926, 'low'],
  ['1 contact child sanction', { contactChildSexualSanctions: 1 }, 0.00634, 'low'],
  ['non-contact and contact adult sanctions together', { nonContactSexualSanctions: 1, contactAdultSexualSanctions: 2 }, 0.00281, 'low'],
  ['non-contact sanctions alone', { nonContactSexualSanctions: 3 }, 0, 'low'],
  ['contact adult sanctions alone', { contactAdultSexualSanctions: 3 }, 0, 'low'],
];
for (const [what, changes, probability, band] of iicTable) {
  test(`OSP/IIC: ${what} is ${band}, ${(probability * 100).toFixed(3)}%`, () => {
    const { iic } = score({ indecentImageSanctions: 0, totalSanctions: 9, ...changes });
    assert.equal(iic.band, band);
    assert.equal(iic.probability, probability);
  });
}

test('OSP does not apply to women: both bands not_applicable, no probability', () => {
  const result = score({ ...high, sex: 'female', indecentImageSanctions: 2 });
  assert.equal(result.dc.band, 'not_applicable');
  assert.equal(result.dc.probability, null);
  assert.equal(result.dc.points, null);
  assert.equal(result.iic.band, 'not_applicable');
  assert.equal(result.iic.probability, null);
});

const bandRank: Record<OspBand, number> = { not_applicable: -1, low: 0, medium: 1, high: 2, very_high: 3 };
const sanctionFields = [
  'contactAdultSexualSanctions',
  'contactChildSexualSanctions',
  'nonContactSexualSanctions',
  'indecentImageSanctions',
  'totalSanctions',
] as const;
// Men OSP applies to: at least one sexual sanction, and a total that counts every sexual sanction.
const maleInput = fc
  .record({
    sex: fc.constant('male' as const),
    ageAtStartOfFollowup: fc.integer({ min: 14, max: 90 }),
    contactAdultSexualSanctions: fc.nat(6),
    contactChildSexualSanctions: fc.nat(6),
    nonContactSexualSanctions: fc.nat(6),
    indecentImageSanctions: fc.nat(6),
    ageAtLastSexualSanction: fc.integer({ min: 10, max: 90 }),
    totalSanctions: fc.nat(20),
    currentOffenceAgainstStranger: fc.boolean(),
    inCustody: fc.boolean(),
    yearsSinceMostRecentOffence: fc.nat(12),
    yearsSinceMostRecentSexualOffence: fc.nat(12),
    yearsSinceStartOfFollowup: fc.nat(12),
  })
  .map((i) => {
    const sexual = i.contactAdultSexualSanctions + i.contactChildSexualSanctions + i.nonContactSexualSanctions + i.indecentImageSanctions;
    const images = sexual === 0 ? 1 : i.indecentImageSanctions;
    return { ...i, indecentImageSanctions: images, totalSanctions: Math.max(sexual, 1) + i.totalSanctions };
  });

test('OSP/DC: another sanction of any kind never lowers the points or the band', () => {
  fc.assert(
    fc.property(maleInput, fc.constantFrom(...sanctionFields), (input, field) => {
      const before = scored(input).dc;
      // A sexual sanction is also one more sanction for all offences.
      const after = scored({ ...input, [field]: input[field] + 1, totalSanctions: input.totalSanctions + 1 }).dc;
      return after.points! >= before.points! && bandRank[after.band] >= bandRank[before.band];
    }),
  );
});

test('OSP/DC: points stay within 0–64 and the probability within 0–1', () => {
  fc.assert(
    fc.property(maleInput, (input) => {
      const { points, probability } = scored(input).dc;
      return points! >= 0 && points! <= 64 && probability! >= 0 && probability! < 1;
    }),
  );
});

test('a man with no sexual sanction at all is not_applicable for OSP/DC and OSP/IIC', () => {
  // Young and with many sanctions, so he would score on age and total sanctions if he were scored.
  const result = score({ indecentImageSanctions: 0, ageAtStartOfFollowup: 20, totalSanctions: 8 });
  assert.deepEqual([result.dc.band, result.dc.points, result.dc.probability], ['not_applicable', null, null]);
  assert.deepEqual([result.iic.band, result.iic.probability], ['not_applicable', null]);
  assert.match(result.dc.explanation[0], /at least one sexual sanction/);
});

test('OSP refuses sexual sanction counts that add up to more than the total sanctions, naming totalSanctions', () => {
  const outcome = scoreOsp({ ...zero, contactAdultSexualSanctions: 2, nonContactSexualSanctions: 1, indecentImageSanctions: 1, totalSanctions: 3 });
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok);
  assert.equal(outcome.field, 'totalSanctions');
  assert.match(outcome.message, /total \(3\) cannot be fewer than the sexual sanctions added together \(4\)/);
  // Equal is fine: every sanction he has was sexual.
  assert.equal(scoreOsp({ ...zero, contactAdultSexualSanctions: 2, nonContactSexualSanctions: 1, indecentImageSanctions: 0, totalSanctions: 3 }).ok, true);
});

test('OSP refuses a total of 0 sanctions, naming totalSanctions', () => {
  for (const input of [
    { ...zero, indecentImageSanctions: 0, totalSanctions: 0 },
    { ...zero, sex: 'female' as const, totalSanctions: 0 },
  ]) {
    const outcome = scoreOsp(input);
    assert.ok(!outcome.ok);
    assert.equal(outcome.field, 'totalSanctions');
  }
});

test('OSP probabilities stay unrounded fractions, and explanations give them as percentages to 2 decimal places', () => {
  const { dc: d, iic } = score({ ...high });
  assert.equal(d.points, 30);
  assert.equal(d.probability, 1 / (1 + Math.exp(-(-8.633 + 0.1598 * 30))));
  assert.match(d.explanation.join(' '), /a probability of 2\.11%/);
  const images = score({ indecentImageSanctions: 2, totalSanctions: 2 }).iic;
  assert.equal(images.probability, 0.1031);
  assert.match(images.explanation[0], /a probability of 10\.31%\./);
});
