/**
 * Free text people type (names, titles, tags, descriptions) as one zod schema, so that every
 * contract refuses the same characters: C0 and C1 controls and DEL (a multi-line text keeps tab and
 * newline), unpaired UTF-16 surrogates, and the bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069) that make text display in another order than it is stored.
 */
import { z } from 'zod';

const BIDI = '\\u202a-\\u202e\\u2066-\\u2069';
// In a `u` regex a well-formed surrogate pair is one code point: only lone halves match.
const SINGLE_LINE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI}\\ud800-\\udfff]`, 'u');
const MULTI_LINE = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${BIDI}\\ud800-\\udfff]`, 'u');

function describe(ch: string): string {
  const code = ch.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code >= 0xd800 && code <= 0xdfff) return `an unpaired surrogate (${hex})`;
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069))
    return `a bidirectional override (${hex})`;
  return `a control character (${hex})`;
}

/** The first character `plainText` refuses, described, or undefined when the text is clean. */
export function refusedCharacter(text: string, multiline = false): string | undefined {
  const m = (multiline ? MULTI_LINE : SINGLE_LINE).exec(text);
  return m ? describe(m[0]) : undefined;
}

export interface PlainTextOptions {
  max: number;
  min?: number;
  /** Tab and newline allowed (descriptions, comments); single-line text is also trimmed. */
  multiline?: boolean;
}

export function plainText({ max, min = 0, multiline = false }: PlainTextOptions) {
  const base = multiline ? z.string() : z.string().trim();
  return base
    .min(min)
    .max(max)
    .superRefine((text, ctx) => {
      const refused = refusedCharacter(text, multiline);
      if (refused) ctx.addIssue({ code: 'custom', message: `must not contain ${refused}` });
    });
}
