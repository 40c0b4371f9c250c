import { inflateSync } from 'node:zlib';

/**
 * The text drawn on a PDF made by pdfkit with its standard fonts: each content stream inflated,
 * each `[<hex> kern <hex>…] TJ` joined and read as WinAnsi (Latin-1 for the letters French uses).
 * Enough to assert what a page says without a PDF library; `pdftotext` does it better when present.
 */
/** WinAnsi is Latin-1 but for 0x80–0x9F, where it places typographic marks. */
const WIN_ANSI_HIGH: Readonly<Record<number, string>> = {
  128: '€',
  133: '…',
  145: '‘',
  146: '’',
  147: '“',
  148: '”',
  149: '•',
  150: '–',
  151: '—',
  156: 'œ',
};

function winAnsi(bytes: Buffer): string {
  return [...bytes].map((byte) => WIN_ANSI_HIGH[byte] ?? String.fromCharCode(byte)).join('');
}

export function pdfText(pdf: Buffer): string {
  const source = pdf.toString('latin1');
  const lines: string[] = [];
  const streamStart = /stream\r?\n/g;
  for (let match = streamStart.exec(source); match !== null; match = streamStart.exec(source)) {
    const start = match.index + match[0].length;
    const end = source.indexOf('endstream', start);
    if (end < 0) break;
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue;
    }
    for (const array of content.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      const hex = [...(array[1] ?? '').matchAll(/<([0-9a-fA-F]*)>/g)].map((part) => part[1] ?? '').join('');
      lines.push(winAnsi(Buffer.from(hex, 'hex')));
    }
  }
  return lines.join('\n');
}
