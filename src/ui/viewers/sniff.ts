/** Which viewer shows a file's bytes: by extension first, then by looking at the content. */

export type ContentKind = 'markdown' | 'json' | 'csv' | 'html' | 'text' | 'binary';

/** Decide how to show `bytes` (the first part of the file at `path`). */
export function sniff(path: string, bytes: Uint8Array): ContentKind {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  if (!looksLikeText(bytes)) return 'binary';
  if (ext === 'md' || ext === 'markdown') return 'markdown';
  if (ext === 'json' || ext === 'geojson') return 'json';
  if (ext === 'csv' || ext === 'tsv') return 'csv';
  if (ext === 'html' || ext === 'htm') return 'html';
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || /^<(div|p|h[1-6]|table|section|body|style)\b/.test(head)) return 'html';
  if ((head.startsWith('{') || head.startsWith('[')) && isJson(bytes)) return 'json';
  if (/^#{1,6} /.test(head)) return 'markdown';
  return 'text';
}

/** UTF-8 without NULs or many control characters. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 4096);
  let control = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  if (control > sample.length / 50) return false;
  try {
    // A multi-byte character cut at the sample's end is fine; anything else invalid is not text.
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, Math.max(0, sample.length - 4)));
    return true;
  } catch {
    return false;
  }
}

function isJson(bytes: Uint8Array): boolean {
  try {
    JSON.parse(new TextDecoder().decode(bytes));
    return true;
  } catch {
    return false;
  }
}

/** Parse CSV text (RFC 4180 quotes; comma, or tab for .tsv) into rows of fields. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
