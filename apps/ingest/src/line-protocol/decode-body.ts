import { LineError } from './parser';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body as text. Lines that are not valid UTF-8 become empty lines (so line numbers stay
 * true) and an error each; the rest of the body is kept.
 */
export function decodeBody(body: Uint8Array): { text: string; errors: LineError[] } {
  try {
    return { text: utf8.decode(body), errors: [] };
  } catch {
    const errors: LineError[] = [];
    const parts: string[] = [];
    let start = 0;
    let line = 1;
    while (start <= body.length) {
      let end = body.indexOf(10, start);
      if (end < 0) end = body.length;
      try {
        parts.push(utf8.decode(body.subarray(start, end)));
      } catch {
        parts.push('');
        errors.push({
          line,
          column: 1,
          message: 'line is not valid UTF-8',
          text: Buffer.from(body.subarray(start, Math.min(end, start + 120))).toString('latin1'),
        });
      }
      start = end + 1;
      line++;
    }
    return { text: parts.join('\n'), errors };
  }
}
