/** Top-k selection over dense score arrays with a bounded min-heap (no full sort of 10K items). */

/** Indexes of the k highest finite scores for which `keep(i)` holds, best first. */
export function topK(scores: Float32Array, k: number, keep?: (i: number) => boolean): Int32Array {
  const heapIdx = new Int32Array(k);
  const heapVal = new Float32Array(k);
  let size = 0;
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i]!;
    if (!(v > Number.NEGATIVE_INFINITY) || Number.isNaN(v)) continue;
    if (size === k && v <= heapVal[0]!) continue;
    if (keep && !keep(i)) continue;
    if (size < k) {
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (heapVal[p]! <= v) break;
        heapVal[c] = heapVal[p]!;
        heapIdx[c] = heapIdx[p]!;
        c = p;
      }
      heapVal[c] = v;
      heapIdx[c] = i;
    } else {
      siftDown(heapIdx, heapVal, size, i, v);
    }
  }
  // Pop ascending, fill from the back: best first.
  const out = new Int32Array(size);
  for (let n = size; n > 0; n--) {
    out[n - 1] = heapIdx[0]!;
    const lastI = heapIdx[n - 1]!;
    const lastV = heapVal[n - 1]!;
    siftDown(heapIdx, heapVal, n - 1, lastI, lastV);
  }
  return out;
}

function siftDown(idx: Int32Array, val: Float32Array, size: number, i: number, v: number): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    const r = l + 1;
    const m = r < size && val[r]! < val[l]! ? r : l;
    if (val[m]! >= v) break;
    val[c] = val[m]!;
    idx[c] = idx[m]!;
    c = m;
  }
  if (size > 0) {
    val[c] = v;
    idx[c] = i;
  }
}

/** Deterministic pseudo-random numbers (mulberry32): seeded runs train and generate the same. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
