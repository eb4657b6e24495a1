/** W3C Trace Context: continue the caller's trace or start a new one. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceContext {
  traceId: string;
  /** The span this hop runs under (new for every hop). */
  spanId: string;
  parentSpanId?: string;
  flags: string;
  traceparent: string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

function allZero(s: string) {
  return /^0+$/.test(s);
}

export function continueTrace(header: string | null | undefined): TraceContext {
  const m = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  const spanId = hex(8);
  if (m && m[1] !== 'ff' && !allZero(m[2]!) && !allZero(m[3]!)) {
    const [, , traceId, parent, flags] = m as unknown as [string, string, string, string, string];
    return { traceId, spanId, parentSpanId: parent, flags, traceparent: `00-${traceId}-${spanId}-${flags}` };
  }
  const traceId = hex(16);
  return { traceId, spanId, flags: '01', traceparent: `00-${traceId}-${spanId}-01` };
}

/** A child span of the given traceparent, for an outgoing hop. */
export function childTraceparent(traceparent: string): string {
  return continueTrace(traceparent).traceparent;
}
