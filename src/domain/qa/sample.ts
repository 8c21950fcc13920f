// The recording sample of a clinical audit (issue 13): "viewing at least three session recordings", chosen by a
// seeded, reproducible, stratified random sample, so anyone holding the seed and the frame (the recordings sampled
// from) can draw it again and check that the sample was not picked by hand.
//
// The draw, exactly:
// 1. Canonical order: the frame sorted by recording id (each recording's facilitators sorted, repeats dropped), so
//    the order the frame arrives in changes nothing.
// 2. A seeded shuffle: Fisher–Yates over that order with the evaluation's seeded Rng (xoshiro128**), giving the
//    order P in which every tie below is broken.
// 3. K picks, one at a time. The candidates are the recordings not yet picked whose group-and-block is not yet in
//    the sample; only when none is left (the frame has fewer distinct group-and-blocks than K) are they all the
//    recordings not yet picked. Among the candidates:
//    - while some facilitator of the candidates is not yet in the sample, take the rarest such facilitator (the
//      fewest candidates hold him; ties: the one met first in P), and of the candidates he delivered, the one that
//      brings in the most facilitators not yet in the sample (ties: first in P);
//    - otherwise take the first candidate in P.
// So "where the frame allows it" means: the sample always holds min(K, D) distinct group-and-blocks, D being the
// frame's number of distinct group-and-blocks. "Where possible" for facilitators means a greedy cover that never
// gives up a distinct group-and-block for a facilitator: each pick brings in at least one more facilitator while
// any can still be reached, the rarest first so that a stand-in seen in one recording is not crowded out. Greedy
// cover is not always the best cover (that problem is NP-hard), which is why the seed and frame are kept.
import type { ProgrammeDefinition } from '../programme/definition.js';
import { Rng } from '../evaluation/synth.js';

/** One recording the sample may draw: the frame is a list of these. */
export interface FrameRecording {
  id: number;
  sessionId: number;
  groupId: number;
  block: number;
  /** The session's day (YYYY-MM-DD). */
  date: string;
  /** The users who facilitated the session. */
  facilitators: number[];
}

/** The source document: "viewing at least three recordings of sessions". */
export const defaultMinimumRecordings = 3;

/** The fewest recordings an audit of this programme samples: its file's `audit.minimumRecordings`, else 3. */
export function minimumAuditRecordings(definition: Pick<ProgrammeDefinition, 'audit'>): number {
  return definition.audit?.minimumRecordings ?? defaultMinimumRecordings;
}

/** Seeds are what the Rng takes whole: integers from 0 to 2³² − 1. */
export const maxSampleSeed = 4_294_967_295;

export function isSampleSeed(seed: number): boolean {
  return Number.isInteger(seed) && seed >= 0 && seed <= maxSampleSeed;
}

export type SampleOutcome = { ok: true; recordings: FrameRecording[] } | { ok: false; refusal: 'frame_too_small'; message: string };

const stratum = (r: FrameRecording) => `${r.groupId}/${r.block}`;

/** The frame in canonical order: by recording id, each recording's facilitators sorted without repeats. */
export function canonicalFrame(frame: readonly FrameRecording[]): FrameRecording[] {
  const sorted = frame.map((r) => ({ ...r, facilitators: [...new Set(r.facilitators)].sort((a, b) => a - b) })).sort((a, b) => a.id - b.id);
  sorted.forEach((r, i) => {
    if (i > 0 && sorted[i - 1].id === r.id) throw new TypeError(`recording ${r.id} is in the frame twice`);
  });
  return sorted;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = new Rng(seed);
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The next pick from the candidates (in P order), as step 3 of the comment at the top says. */
function nextPick(candidates: readonly FrameRecording[], covered: ReadonlySet<number>): FrameRecording {
  const holders = new Map<number, number>();
  for (const r of candidates) for (const f of r.facilitators) if (!covered.has(f)) holders.set(f, (holders.get(f) ?? 0) + 1);
  if (holders.size === 0) return candidates[0];
  const fewest = Math.min(...holders.values());
  // Map keys keep insertion order, which is the order facilitators are met in P.
  const rarest = [...holders].find(([, count]) => count === fewest)![0];
  const gain = (r: FrameRecording) => r.facilitators.filter((f) => !covered.has(f)).length;
  let best: FrameRecording | undefined;
  for (const r of candidates) if (r.facilitators.includes(rarest) && (!best || gain(r) > gain(best))) best = r;
  return best!;
}

/**
 * Draws `count` recordings from the frame with the seed (see the top of this file), or refuses when the frame holds
 * fewer than `count`. The sample is listed by date, then recording id.
 */
export function drawSample(frame: readonly FrameRecording[], seed: number, count: number): SampleOutcome {
  if (!isSampleSeed(seed)) throw new RangeError(`the seed must be an integer from 0 to ${maxSampleSeed}`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError('the sample size must be a whole number of at least 1');
  if (frame.length < count) {
    return {
      ok: false,
      refusal: 'frame_too_small',
      message:
        frame.length === 0
          ? `There are no recordings of sessions in the period to sample: an audit samples at least ${count}`
          : `There ${frame.length === 1 ? 'is 1 recording' : `are ${frame.length} recordings`} of sessions in the period, fewer than the ${count} the sample needs`,
    };
  }
  let remaining = shuffled(canonicalFrame(frame), seed);
  const picked: FrameRecording[] = [];
  const strata = new Set<string>();
  const covered = new Set<number>();
  while (picked.length < count) {
    const fresh = remaining.filter((r) => !strata.has(stratum(r)));
    const pick = nextPick(fresh.length ? fresh : remaining, covered);
    picked.push(pick);
    strata.add(stratum(pick));
    for (const f of pick.facilitators) covered.add(f);
    remaining = remaining.filter((r) => r !== pick);
  }
  return { ok: true, recordings: picked.sort((a, b) => a.date.localeCompare(b.date) || a.id - b.id) };
}
