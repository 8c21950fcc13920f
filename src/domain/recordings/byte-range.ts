// HTTP byte ranges (RFC 9110 §14) for serving recordings: a <video> element seeks by asking for the bytes from
// an offset, so a 4 GB file never has to be sent whole. One range per request; multipart ranges are not offered.

/** An inclusive span of bytes of the file. */
export interface ByteSpan {
  start: number;
  end: number;
}

/**
 * What to send for a `Range` header against a file of `size` bytes: `whole` (no header, or one we do not
 * understand, which RFC 9110 says to ignore), a `span` (206), or `unsatisfiable` (416).
 */
export type RangeAnswer = { kind: 'whole' } | { kind: 'span'; span: ByteSpan } | { kind: 'unsatisfiable' };

export function answerRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges, another unit or a malformed header: the whole file, as the standard allows.
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'whole' };
  const [first, last] = [match[1], match[2]];
  if (first === '') {
    // A suffix: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'span', span: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return { kind: 'whole' };
  return { kind: 'span', span: { start, end } };
}

/**
 * Whether a request for a recording's bytes counts as a view for the audit log: the request that starts playing
 * (no range, or one from the first byte). A seek asks for a later offset and is part of the same view.
 */
export function startsAView(answer: RangeAnswer): boolean {
  return answer.kind === 'whole' || (answer.kind === 'span' && answer.span.start === 0);
}
