/** Sequential request latency from one keep-alive client: service time without queueing. */
export interface Latency {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

export async function sequentialLatency(
  url: string,
  headers: Record<string, string>,
  samples: number,
): Promise<Latency> {
  if (!['127.0.0.1', 'localhost'].includes(new URL(url).hostname))
    throw new Error('only this machine is measured');
  const xs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  const at = (q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
  return { p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99) };
}
