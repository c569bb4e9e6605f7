import type { TargetResult } from './turns.js';

/**
 * The bytes-per-turn chart as a standalone SVG, drawn here rather than with a charting library:
 * a log-scale line chart needs forty lines, and the benchmark stays free of rendering dependencies.
 * Each point is the mean of a pair of turns (one plain, one with the tool call), so the line shows
 * the trend instead of the alternation; the store's own count is used where it keeps one.
 */

const WIDTH = 1040;
const HEIGHT = 520;
const PLOT = { left: 80, right: 400, top: 40, bottom: 60 };
const COLORS = ['#1b6ac9', '#0f9d8a', '#7b4fd1', '#d9480f', '#c2255c', '#e0a800', '#495057', '#2b8a3e'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Grid lines fall on powers of ten, so they are labelled in decimal units (kB, MB). */
function label(bytes: number): string {
  if (bytes >= 1e6) return `${bytes / 1e6} MB`;
  if (bytes >= 1e3) return `${bytes / 1e3} kB`;
  return `${bytes} B`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

function pairs(result: TargetResult): { turn: number; bytes: number }[] {
  const points: { turn: number; bytes: number }[] = [];
  for (let i = 1; i < result.samples.length; i += 2) {
    const a = result.samples[i - 1]!;
    const b = result.samples[i]!;
    points.push({ turn: b.turn, bytes: ((a.physicalBytes ?? a.bytes) + (b.physicalBytes ?? b.bytes)) / 2 });
  }
  return points;
}

export function bytesPerTurnSvg(results: TargetResult[], caption: string): string {
  const maxTurn = Math.max(...results.map((result) => result.turns), 10);
  const series = results.map((result) => ({
    label: result.turns < maxTurn ? `${result.label} (${result.turns} turns)` : result.label,
    points: pairs(result),
  }));
  const all = series.flatMap((s) => s.points);
  const low = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...all.map((p) => p.bytes)))));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.bytes), 10)));
  const w = WIDTH - PLOT.left - PLOT.right;
  const h = HEIGHT - PLOT.top - PLOT.bottom;
  const x = (turn: number) => PLOT.left + (turn / maxTurn) * w;
  const y = (bytes: number) =>
    PLOT.top + h - ((Math.log10(bytes) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * h;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="13">`,
    `<title>Bytes written per turn against turn number: ${escapeXml(series.map((s) => s.label).join('; '))}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="24" font-size="16" font-weight="600">Bytes written per turn (log scale)</text>`,
  ];
  for (let decade = low; decade <= high; decade *= 10) {
    out.push(
      `<line x1="${PLOT.left}" x2="${PLOT.left + w}" y1="${y(decade).toFixed(1)}" y2="${y(decade).toFixed(1)}" stroke="#dee2e6"/>`,
      `<text x="${PLOT.left - 8}" y="${(y(decade) + 4).toFixed(1)}" text-anchor="end" fill="#495057">${label(decade)}</text>`,
    );
  }
  const step = maxTurn > 500 ? 100 : maxTurn > 100 ? 50 : 10;
  for (let turn = 0; turn <= maxTurn; turn += step) {
    out.push(
      `<line x1="${x(turn).toFixed(1)}" x2="${x(turn).toFixed(1)}" y1="${PLOT.top + h}" y2="${PLOT.top + h + 5}" stroke="#495057"/>`,
      `<text x="${x(turn).toFixed(1)}" y="${PLOT.top + h + 20}" text-anchor="middle" fill="#495057">${turn}</text>`,
    );
  }
  out.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${w}" height="${h}" fill="none" stroke="#495057"/>`,
    `<text x="${PLOT.left + w / 2}" y="${HEIGHT - 18}" text-anchor="middle">turn</text>`,
  );
  series.forEach((s, index) => {
    const color = COLORS[index % COLORS.length]!;
    const path = s.points.map(
      (p, i) => `${i === 0 ? 'M' : 'L'}${x(p.turn).toFixed(1)},${y(p.bytes).toFixed(1)}`,
    );
    out.push(`<path d="${path.join('')}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    const legendY = PLOT.top + 10 + index * 22;
    out.push(
      `<line x1="${WIDTH - PLOT.right + 20}" x2="${WIDTH - PLOT.right + 44}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${WIDTH - PLOT.right + 50}" y="${legendY + 4}" font-size="12">${escapeXml(s.label)}</text>`,
    );
  });
  wrap(caption, 52).forEach((line, index) => {
    const lineY = PLOT.top + 30 + series.length * 22 + index * 16;
    out.push(
      `<text x="${WIDTH - PLOT.right + 20}" y="${lineY}" font-size="12" fill="#495057">${escapeXml(line)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
