/** Number formats shared by the tables. */

export function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function bytes(value: number): string {
  if (value >= 1024 * 1024) return `${(value / (1024 * 1024)).toFixed(2)} MiB`;
  if (value >= 10 * 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${int(value)} B`;
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** A markdown table; the first column and the last `textColumns` are left-aligned, numbers right. */
export function table(header: string[], rows: string[][], textColumns = 0): string[] {
  const align = header.map((_, index) =>
    index === 0 || index >= header.length - textColumns ? '---' : '---:',
  );
  return [header, align, ...rows].map((row) => `| ${row.join(' | ')} |`);
}
