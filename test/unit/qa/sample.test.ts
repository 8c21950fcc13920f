// The audit's recording sample: reproducible from its seed and frame whatever order the frame arrives in, stratified
// by group-and-block where the frame allows, covering every facilitator where the sample size allows, and refused
// when the frame is smaller than the sample. The properties are checked over 200 seeds on a frame whose structure
// the test knows, against answers the test works out itself (by enumerating every possible sample).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawSample, minimumAuditRecordings, type FrameRecording } from '../../../src/domain/qa/sample.js';
import { Rng } from '../../../src/domain/evaluation/synth.js';

/**
 * Three groups, blocks 1–4, two sessions per block, one recording each: 24 recordings in 12 group-and-blocks.
 * Group g's team is facilitators 10g+1 and 10g+2, except two stand-ins: 19 for 12 in one session of group 1 block 3,
 * and 29 for 21 in one of group 2 block 1. Eight facilitators; covering them all takes five recordings (19 and 12,
 * 29 and 21 each need their own group-and-block of their group, and group 3 one more).
 */
function knownFrame(): FrameRecording[] {
  const frame: FrameRecording[] = [];
  let id = 100;
  for (const g of [1, 2, 3]) {
    for (const block of [1, 2, 3, 4]) {
      for (const s of [1, 2]) {
        id += 7; // ids not in group order, so canonical order is not the order built
        let facilitators = [10 * g + 1, 10 * g + 2];
        if (g === 1 && block === 3 && s === 2) facilitators = [19, 11];
        if (g === 2 && block === 1 && s === 1) facilitators = [22, 29];
        const day = 10 * block + s;
        frame.push({ id: (id * 37) % 1009, sessionId: 5000 + id, groupId: g, block, date: `2027-0${g}-${day}`, facilitators });
      }
    }
  }
  return frame;
}

const frame = knownFrame();
const facilitatorsOf = (rs: readonly FrameRecording[]) => new Set(rs.flatMap((r) => r.facilitators));
const strataOf = (rs: readonly FrameRecording[]) => new Set(rs.map((r) => `${r.groupId}/${r.block}`));
const allFacilitators = facilitatorsOf(frame).size;
const distinctStrata = strataOf(frame).size;
const seeds = Array.from({ length: 200 }, (_, i) => (i * 2654435761) >>> 0);

function ids(seed: number, count: number, from: readonly FrameRecording[] = frame): number[] {
  const outcome = drawSample(from, seed, count);
  assert.ok(outcome.ok, 'the frame is large enough');
  return outcome.recordings.map((r) => r.id);
}

/** Every way of choosing `count` recordings from distinct group-and-blocks: can any cover every facilitator? */
function someSampleCoversEveryone(count: number): boolean {
  const search = (start: number, chosen: FrameRecording[]): boolean => {
    if (chosen.length === count) return facilitatorsOf(chosen).size === allFacilitators;
    for (let i = start; i < frame.length; i++) {
      if (strataOf(chosen).has(`${frame[i].groupId}/${frame[i].block}`)) continue;
      if (search(i + 1, [...chosen, frame[i]])) return true;
    }
    return false;
  };
  return search(0, []);
}

/** A permutation of the frame by a generator unrelated to the one the sample uses. */
function reordered(seed: number): FrameRecording[] {
  let state = seed + 1;
  const keyed = frame.map((r) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return { r: { ...r, facilitators: [...r.facilitators].reverse() }, key: state };
  });
  return keyed.sort((a, b) => a.key - b.key).map((k) => k.r);
}

test('the sample is reproducible: the same frame and seed give the same recordings, whatever order the frame arrives in', () => {
  for (const seed of seeds) {
    const first = ids(seed, 3);
    assert.deepEqual(ids(seed, 3), first, `seed ${seed} drawn twice`);
    assert.deepEqual(ids(seed, 3, reordered(seed)), first, `seed ${seed} with the frame shuffled`);
    assert.deepEqual(ids(seed, 3, [...frame].reverse()), first, `seed ${seed} with the frame reversed`);
  }
});

test('the sample is random: different seeds draw different samples, and every recording is drawn by some seed', () => {
  // Without the stand-ins (who are in every sample of three, below) there are 8 × 8 × 8 samples covering each team once.
  const teams = frame.map((r) => ({ ...r, facilitators: [10 * r.groupId + 1, 10 * r.groupId + 2] }));
  const samples = new Set(seeds.map((seed) => ids(seed, 3, teams).join(',')));
  assert.ok(samples.size > 100, `only ${samples.size} different samples from 200 seeds`);
  // With one facilitator pair and one group-and-block there is nothing to stratify or cover: every recording is alike.
  const alike = frame.map((r) => ({ ...r, groupId: 1, block: 1, facilitators: [1, 2] }));
  const drawn = new Set(seeds.flatMap((seed) => ids(seed, 3, alike)));
  assert.equal(drawn.size, frame.length);
});

test('with nothing to stratify or cover, the sample is the first K of the seeded Fisher–Yates shuffle of the frame sorted by id', () => {
  const alike = frame.map((r) => ({ ...r, groupId: 1, block: 1, facilitators: [1, 2] }));
  for (const seed of [0, 1, 42, 4294967295]) {
    const rng = new Rng(seed);
    const order = alike.map((r) => r.id).sort((a, b) => a - b);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const expected = order.slice(0, 4);
    assert.deepEqual(new Set(ids(seed, 4, alike)), new Set(expected), `seed ${seed}`);
  }
});

test('stratified: no two recordings come from the same group-and-block while the frame has enough distinct ones, over 200 seeds', () => {
  assert.equal(distinctStrata, 12);
  for (const count of [3, 5, 8, 12]) {
    for (const seed of seeds) {
      const outcome = drawSample(frame, seed, count);
      assert.ok(outcome.ok);
      assert.equal(outcome.recordings.length, count);
      assert.equal(strataOf(outcome.recordings).size, count, `seed ${seed}, ${count} recordings`);
    }
  }
});

test('stratified: when the sample is larger than the frame’s group-and-blocks, every group-and-block is in it', () => {
  for (const count of [13, 20, 24]) {
    for (const seed of seeds.slice(0, 50)) {
      const outcome = drawSample(frame, seed, count);
      assert.ok(outcome.ok);
      assert.equal(new Set(outcome.recordings.map((r) => r.id)).size, count, 'no recording twice');
      assert.equal(strataOf(outcome.recordings).size, distinctStrata, `seed ${seed}, ${count} recordings`);
    }
  }
});

test('every facilitator who delivered appears in the sample whenever a sample of that size can hold them all, over 200 seeds', () => {
  assert.equal(allFacilitators, 8);
  assert.equal(someSampleCoversEveryone(4), false, 'four recordings cannot cover all eight');
  assert.equal(someSampleCoversEveryone(5), true, 'five can');
  for (const count of [5, 6, 9]) {
    for (const seed of seeds) {
      const outcome = drawSample(frame, seed, count);
      assert.ok(outcome.ok);
      assert.equal(facilitatorsOf(outcome.recordings).size, allFacilitators, `seed ${seed}, ${count} recordings`);
    }
  }
});

test('a stand-in seen in a single recording is in every sample of the minimum three', () => {
  for (const seed of seeds) {
    const outcome = drawSample(frame, seed, 3);
    assert.ok(outcome.ok);
    const sampled = facilitatorsOf(outcome.recordings);
    assert.ok(sampled.has(19) && sampled.has(29), `seed ${seed}: ${[...sampled].join(', ')}`);
  }
});

test('a frame smaller than the sample is refused, naming how many recordings there are and how many are needed', () => {
  const two = drawSample(frame.slice(0, 2), 7, 3);
  assert.deepEqual(two.ok ? 'drawn' : [two.refusal, /2 recordings.*fewer than the 3/.test(two.message)], ['frame_too_small', true]);
  const none = drawSample([], 7, 3);
  assert.ok(!none.ok && /no recordings/.test(none.message));
  assert.ok(drawSample(frame.slice(0, 3), 7, 3).ok, 'exactly three is enough');
});

test('an audit samples at least three recordings unless the programme file says otherwise', () => {
  assert.equal(minimumAuditRecordings({}), 3);
  assert.equal(minimumAuditRecordings({ audit: { minimumRecordings: 5 } }), 5);
});
