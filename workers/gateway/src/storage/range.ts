/** RFC 9110 byte ranges, one range per request (a multi-range request is answered whole). */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * The range of a `size`-byte object that a Range header asks for: undefined to send it all (no
 * header, or one this endpoint ignores as the RFC allows), 'unsatisfiable' for a 416.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const first = Number(m[1]);
  const last = m[2] === '' ? Number.POSITIVE_INFINITY : Number(m[2]);
  if (last < first) return undefined;
  if (first >= size) return 'unsatisfiable';
  return { offset: first, length: Math.min(last, size - 1) - first + 1 };
}

export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`;
}
