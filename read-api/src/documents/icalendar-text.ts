/**
 * The parts of RFC 5545 (iCalendar) a booking's calendar file needs, as pure functions:
 * content lines `NAME;PARAM=value:value`, TEXT escaping (§3.3.11), parameter quoting (§3.2),
 * folding at 75 octets (§3.1) and CRLF line ends. No dependency: the format is small and the
 * rules below are all the file uses.
 */

export const CRLF = '\r\n';
/** Maximum octets of a line, CRLF excluded (§3.1). */
export const MAX_LINE_OCTETS = 75;

/** TEXT values: backslash, semicolon and comma escaped, every line break written `\n` (§3.3.11). */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

// Control characters other than HTAB are not allowed in values (§3.1: "CONTROL").
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters removed
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

/**
 * A parameter value (`CN=…`): quoted when it holds `:`, `;` or `,`; a DQUOTE cannot appear even
 * quoted (§3.2), so it becomes an apostrophe; control characters are dropped.
 */
export function paramValue(value: string): string {
  const clean = value.replace(CONTROL_CHARACTERS, '').replace(/"/g, "'");
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

/**
 * Folds a content line so that no line exceeds 75 octets: a CRLF and one space are inserted, and a
 * UTF-8 sequence is never split (a continuation line holds the space plus at most 74 octets).
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = MAX_LINE_OCTETS;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = MAX_LINE_OCTETS - 1;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

export interface ContentLine {
  readonly name: string;
  readonly params?: Readonly<Record<string, string>>;
  /** Already in the property's value format (escape TEXT with {@link escapeText}). */
  readonly value: string;
}

export function contentLine(line: ContentLine): string {
  const params = Object.entries(line.params ?? {})
    .map(([name, value]) => `;${name}=${paramValue(value)}`)
    .join('');
  return `${line.name}${params}:${line.value.replace(CONTROL_CHARACTERS, '')}`;
}

/** The object as sent: every line folded, CRLF after each (the last included). */
export function serializeLines(lines: readonly (ContentLine | string)[]): string {
  return lines.map((line) => foldLine(typeof line === 'string' ? line : contentLine(line)) + CRLF).join('');
}

/** `2025-03-14T09:30` → `20250314T093000` (DATE-TIME, local form, §3.3.5). */
export function localDateTimeValue(localDateTime: string): string {
  return `${localDateTime.slice(0, 10).replace(/-/g, '')}T${localDateTime.slice(11, 16).replace(':', '')}00`;
}

/** An instant → `20250310T080000Z` (DATE-TIME, UTC form). */
export function utcDateTimeValue(instant: Date): string {
  return `${instant.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}
