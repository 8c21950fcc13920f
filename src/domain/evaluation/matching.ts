// Greedy nearest-neighbour matching on a distance (the logit propensity score), reproducing MatchIt's
// nearest-neighbour algorithm for a vector distance (nn_matchC_vec, MatchIt 4.5): same treated order,
// same passes for 1:k, same caliper rule and the same tie-breaking, in O(n log n). It follows the algorithm
// as intended, not two defects of MatchIt 4.5.1 (integer-truncated distances, so the caliper barely binds,
// kosukeimai/MatchIt#163; and, with replacement, one control filling two slots of a treated man):
// scripts/r/nearest.R reproduces 4.5.1 exactly with the defects switched on, and this code with them off.

export interface MatchOptions {
  /** Maximum allowed |distance difference|, in distance units; null for none. */
  caliper: number | null;
  ratio: number;
  replace: boolean;
}

export interface MatchResult {
  /** Treated men (data indices) in data order, the rows of `matches`. */
  treatedIndex: Int32Array;
  /** Row-major treatedIndex.length × ratio: data index of the j-th match, or −1. */
  matches: Int32Array;
  ratio: number;
  /** MatchIt's matching weights per man (0 for unmatched). */
  weights: Float64Array;
  /** 1 for every man in the matched sample. */
  inSample: Uint8Array;
  matchedTreated: number;
  /** Distinct comparison men in the matched sample. */
  matchedComparison: number;
}

const GRID = 2 ** 30;

/**
 * The matching distance: the logit propensity score rounded to a 2^-30 grid (about 1e-9). Men whose scores
 * are mathematically equal but differ in the last bits (different covariates, same linear predictor) would
 * otherwise be ordered, and ties between them broken, by rounding noise, which no two implementations share.
 * scripts/r/nearest.R rounds the same way. The grid is far finer than any caliper.
 */
export function matchingDistance(linearPredictor: Float64Array): Float64Array {
  return linearPredictor.map((x) => Math.round(x * GRID) / GRID);
}

/**
 * Indices 0..n−1 ordered by key, ties in index order (R's order() is stable). LSD radix sort on the IEEE-754
 * bits (four 16-bit digits): linear time, several times faster than a comparison sort at a million rows.
 */
export function stableOrder(key: Float64Array, descending = false): Uint32Array {
  const n = key.length;
  const f = new Float64Array(n);
  // +0 turns −0 into +0, so that equal keys have equal bits.
  for (let i = 0; i < n; i++) f[i] = (descending ? -key[i] : key[i]) + 0;
  const words = new Uint32Array(f.buffer);
  // Make the bits sort as unsigned integers: flip the sign bit of positives, every bit of negatives.
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1];
    if (hi & 0x80000000) {
      words[2 * i + 1] = ~hi >>> 0;
      words[2 * i] = ~words[2 * i] >>> 0;
    } else {
      words[2 * i + 1] = (hi | 0x80000000) >>> 0;
    }
  }
  let idx = new Uint32Array(n);
  let tmp = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(words[2 * i + word] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const i = idx[j];
      tmp[count[(words[2 * i + word] >>> shift) & 0xffff]++] = i;
    }
    const t = idx;
    idx = tmp;
    tmp = t;
  }
  return idx;
}

/**
 * "Next available position" to one side, with path compression: removed positions point past themselves,
 * so every search is amortised near-constant instead of MatchIt's linear walk over used controls.
 */
class Skipper {
  private readonly next: Int32Array;
  constructor(
    n: number,
    private readonly step: 1 | -1,
  ) {
    this.next = new Int32Array(n);
    for (let i = 0; i < n; i++) this.next[i] = i;
  }
  remove(i: number): void {
    this.next[i] = i + this.step;
  }
  /** First available position at or beyond i in this direction, or −1 / n when none. */
  find(i: number): number {
    const next = this.next;
    const n = next.length;
    let r = i;
    while (r >= 0 && r < n && next[r] !== r) r = next[r];
    while (i >= 0 && i < n && next[i] !== i) {
      const t = next[i];
      next[i] = r;
      i = t;
    }
    return r;
  }
}

export function nearestNeighbourMatch(distance: Float64Array, treated: Uint8Array, options: MatchOptions): MatchResult {
  const n = distance.length;
  const { ratio, caliper } = options;
  let n1 = 0;
  for (let i = 0; i < n; i++) n1 += treated[i];
  const treatedIndex = new Int32Array(n1);
  const rowOf = new Int32Array(n).fill(-1);
  for (let i = 0, r = 0; i < n; i++)
    if (treated[i]) {
      treatedIndex[r] = i;
      rowOf[i] = r++;
    }
  const matches = new Int32Array(n1 * ratio).fill(-1);

  const sorted = stableOrder(distance);
  const posOf = new Int32Array(n);
  const sortedDistance = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    posOf[sorted[p]] = p;
    sortedDistance[p] = distance[sorted[p]];
  }
  const left = new Skipper(n, -1);
  const right = new Skipper(n, 1);
  let available = 0;
  for (let p = 0; p < n; p++) {
    if (treated[sorted[p]]) {
      left.remove(p);
      right.remove(p);
    } else available++;
  }

  // MatchIt takes treated men largest distance first; with replacement the order cannot matter and it uses data order.
  const reuseMax = options.replace ? Infinity : 1;
  let order: Int32Array;
  if (options.replace) order = Int32Array.from(treatedIndex);
  else {
    const treatedDistance = new Float64Array(n1);
    for (let r = 0; r < n1; r++) treatedDistance[r] = distance[treatedIndex[r]];
    order = Int32Array.from(stableOrder(treatedDistance, true), (r) => treatedIndex[r]);
  }
  const timesMatched = new Int32Array(n);

  // Skips controls already matched to this treated man in an earlier pass (at most ratio − 1 of them).
  const usedInRow = (row: number, pass: number, p: number): boolean => {
    const unit = sorted[p];
    for (let j = 0; j < pass; j++) if (matches[row * ratio + j] === unit) return true;
    return false;
  };

  passes: for (let pass = 0; pass < ratio; pass++) {
    for (let o = 0; o < n1; o++) {
      const unit = order[o];
      const row = rowOf[unit];
      const ii = posOf[unit];
      const d = sortedDistance[ii];
      let kl = left.find(ii - 1);
      while (kl >= 0 && usedInRow(row, pass, kl)) kl = left.find(kl - 1);
      if (kl >= 0 && caliper !== null && Math.abs(d - sortedDistance[kl]) > caliper) kl = -1;
      let kr = right.find(ii + 1);
      while (kr < n && usedInRow(row, pass, kr)) kr = right.find(kr + 1);
      if (kr >= n || (caliper !== null && Math.abs(d - sortedDistance[kr]) > caliper)) kr = -1;
      let k: number;
      // Equal distances on both sides go to the left (lower distance), as MatchIt does.
      if (kl >= 0 && kr >= 0) k = Math.abs(sortedDistance[kl] - d) <= Math.abs(sortedDistance[kr] - d) ? kl : kr;
      else if (kl >= 0) k = kl;
      else if (kr >= 0) k = kr;
      else continue;
      matches[row * ratio + pass] = sorted[k];
      if (++timesMatched[k] >= reuseMax) {
        left.remove(k);
        right.remove(k);
        if (--available === 0) break passes;
      }
    }
  }

  // MatchIt's weights: 1 per matched treated man; each of his k' matches gets 1/k' (summed over treated men).
  const weights = new Float64Array(n);
  const inSample = new Uint8Array(n);
  let matchedTreated = 0;
  for (let r = 0; r < n1; r++) {
    if (matches[r * ratio] < 0) continue;
    let k = 0;
    while (k < ratio && matches[r * ratio + k] >= 0) k++;
    weights[treatedIndex[r]] += 1;
    inSample[treatedIndex[r]] = 1;
    matchedTreated++;
    for (let j = 0; j < k; j++) {
      weights[matches[r * ratio + j]] += 1 / k;
      inSample[matches[r * ratio + j]] = 1;
    }
  }
  let matchedComparison = 0;
  let comparisonWeight = 0;
  for (let i = 0; i < n; i++) {
    if (treated[i] || !inSample[i]) continue;
    matchedComparison++;
    comparisonWeight += weights[i];
  }
  // matchit() then rescales the comparison weights to sum to the number of distinct matched comparison men.
  for (let i = 0; i < n; i++) if (!treated[i]) weights[i] *= matchedComparison / comparisonWeight;
  return { treatedIndex, matches, ratio, weights, inSample, matchedTreated, matchedComparison };
}
