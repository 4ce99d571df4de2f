/**
 * Values and input text quoted in messages. Inputs are untrusted: a value can be nested 100,000 levels deep or a
 * million characters long, and a binary file holds control bytes that a terminal would obey. Messages therefore quote
 * at most `limit` characters, built piece by piece (never the whole value first), with control characters escaped.
 */

// C0 controls, DEL, C1 controls (which some terminals read as escape sequences) and the Unicode line separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with every control character written as a `\uXXXX` escape, so that it prints as one inert line. */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `text` escaped and cut to `limit` characters, the cut marked with `...`. */
export function clip(text: string, limit: number): string {
  const shown = printable(text.length > limit ? text.slice(0, limit + 1) : text);
  return shown.length > limit ? `${shown.slice(0, limit - 3)}...` : shown;
}

/** A number as a reader expects it: JSON's form, except that `NaN`, `Infinity` and `-0` keep their names. */
function showNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Object.is(n, -0) ? '-0' : JSON.stringify(n);
}

/**
 * `value` as JSON (what JSON.stringify writes for values read from JSON), cut to `limit` characters, or `nothing` for
 * undefined. Walks the value with its own stack and stops once the limit is passed, so neither depth nor size matters.
 */
export function showValue(value: unknown, limit: number): string {
  if (value === undefined) return 'nothing';
  let out = '';
  // Pending output: a literal piece, or a value still to write.
  const stack: ({ text: string } | { value: unknown })[] = [{ value }];
  while (stack.length > 0 && out.length <= limit) {
    const item = stack.pop()!;
    if ('text' in item) {
      out += item.text;
      continue;
    }
    const v = item.value;
    if (typeof v === 'number') {
      out += showNumber(v);
    } else if (typeof v === 'string') {
      out += JSON.stringify(v.length > limit ? v.slice(0, limit + 1) : v);
    } else if (v === null || typeof v === 'boolean') {
      out += String(v);
    } else if (Array.isArray(v)) {
      out += '[';
      stack.push({ text: ']' });
      // Pushed last to first, so popped first to last; past `limit` entries nothing more could be shown.
      for (let i = Math.min(v.length, limit) - 1; i >= 0; i--) {
        stack.push({ value: v[i] === undefined ? null : v[i] });
        if (i > 0) stack.push({ text: ',' });
      }
    } else if (typeof v === 'object') {
      out += '{';
      stack.push({ text: '}' });
      const entries = Object.entries(v as object).filter(([, e]) => e !== undefined).slice(0, limit);
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push({ value: entries[i][1] });
        stack.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(entries[i][0].slice(0, limit + 1))}:` });
      }
    } else {
      out += String(v);
    }
  }
  return clip(out, limit);
}
