/**
 * RFC 6381 codec strings for the master playlist, read from the bytes of the init segment the
 * player will actually receive (avcC / esds boxes), not guessed from encoder settings.
 */

/** `avc1.PPCCLL`: profile_idc, constraint flags and level_idc, exactly as the avcC record holds them. */
export function avcCodecString(init: Uint8Array): string | undefined {
  const at = findBox(init, 'avcC');
  if (at === -1 || at + 8 > init.length) return undefined;
  const hex = (n: number | undefined) => (n ?? 0).toString(16).padStart(2, '0');
  return `avc1.${hex(init[at + 5])}${hex(init[at + 6])}${hex(init[at + 7])}`;
}

/** `mp4a.40.<audio object type>`: 2 is AAC-LC, 5 HE-AAC, 29 HE-AACv2. */
export function aacCodecString(init: Uint8Array): string | undefined {
  const at = findBox(init, 'esds');
  if (at === -1) return undefined;
  // Box type (4) + version/flags (4), then MPEG-4 descriptors: ES (0x03) ⊃ DecoderConfig (0x04) ⊃ DecoderSpecificInfo (0x05).
  let pos = at + 8;
  const es = readDescriptor(init, pos);
  if (es?.tag !== 0x03) return undefined;
  pos = es.body + 2;
  const flags = init[pos++] ?? 0;
  if (flags & 0x80) pos += 2;
  if (flags & 0x40) pos += 1 + (init[pos] ?? 0);
  if (flags & 0x20) pos += 2;
  const config = readDescriptor(init, pos);
  if (config?.tag !== 0x04) return undefined;
  const objectType = init[config.body] ?? 0;
  if (objectType !== 0x40) return `mp4a.${objectType.toString(16)}`;
  const specific = readDescriptor(init, config.body + 13);
  if (specific?.tag !== 0x05) return 'mp4a.40.2';
  let aot = (init[specific.body] ?? 0) >> 3;
  if (aot === 31)
    aot = 32 + ((((init[specific.body] ?? 0) & 0x07) << 3) | ((init[specific.body + 1] ?? 0) >> 5));
  return `mp4a.40.${aot}`;
}

/** Index of the 4-character box type (the size field sits just before it). */
function findBox(data: Uint8Array, type: string): number {
  const [a, b, c, d] = [...type].map((ch) => ch.charCodeAt(0));
  for (let i = 4; i + 4 <= data.length; i++) {
    if (data[i] === a && data[i + 1] === b && data[i + 2] === c && data[i + 3] === d) return i;
  }
  return -1;
}

/** Descriptor tag, then a length of 1–4 bytes with 7 bits each (high bit = more follows). */
function readDescriptor(
  data: Uint8Array,
  pos: number,
): { tag: number; body: number; length: number } | undefined {
  const tag = data[pos];
  if (tag === undefined) return undefined;
  let length = 0;
  let i = pos + 1;
  for (let n = 0; n < 4; n++) {
    const byte = data[i++];
    if (byte === undefined) return undefined;
    length = (length << 7) | (byte & 0x7f);
    if (!(byte & 0x80)) break;
  }
  return { tag, body: i, length };
}
