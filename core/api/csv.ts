// CSV text (RFC 4180) for every export: the run table, the scores sheet, a run's metrics.csv.
// Written by hand because it is ten lines: a field with a comma, quote, CR or LF, or with leading
// or trailing spaces (which spreadsheet tools trim), is quoted with inner quotes doubled; rows end
// with CRLF so spreadsheet tools read multi-line notes. Environment-neutral.

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s =
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
