/**
 * `npm run bench`: what a step costs on each store, measured, not assumed.
 *
 * For each store it runs the benchmark conversation (bench/workload.ts) and prints, at chosen turns:
 * store writes, records and JSON bytes written per turn and per step (commit), the cumulative bytes,
 * store reads per warm turn and per cold invocation, and the loop's CPU time per turn (the model is
 * scripted and answers at once, so this is Baton plus the store client). Figures are written to
 * bench/results/latest.md as well.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionStore } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import { runConversation, type TurnFigures } from './workload.js';

interface StoreUnderTest {
  name: string;
  open(): Promise<{ store: SessionStore; close(): Promise<void> }>;
}

const TURNS = Number(process.env.BENCH_TURNS ?? 1000);
const MARKS = [1, 10, 100, 200, 1000].filter((turn) => turn <= TURNS);

const stores: StoreUnderTest[] = [
  {
    name: 'SQLite (file)',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
      const store = new SqliteStore({ path: join(dir, 'bench.db') });
      return {
        store,
        async close() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Median CPU per turn in a window of turns of both kinds (with and without a tool call) around `turn`. */
function cpuAround(figures: TurnFigures[], turn: number): number {
  const window = figures.slice(Math.max(0, turn - 10), turn);
  return median(window.map((figure) => figure.cpuMicros));
}

async function benchStore(target: StoreUnderTest): Promise<string[]> {
  const { store, close } = await target.open();
  const lines: string[] = [];
  try {
    const figures = await runConversation(store, TURNS, { sessionId: 'bench-conversation' });
    let cumulative = 0;
    const cumulativeAt = new Map<number, number>();
    for (const figure of figures) {
      cumulative += figure.bytes;
      cumulativeAt.set(figure.turn, cumulative);
    }
    lines.push(`### ${target.name}`, '');
    lines.push(
      '| turn | writes/turn | records/turn | bytes/turn | bytes/step | cumulative bytes | reads/turn | CPU µs/turn (median of 10) |',
    );
    lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const mark of MARKS) {
      // Turns alternate between plain replies and tool calls: show the tool-call turn at or before the mark.
      const figure = figures[mark - 1]!;
      lines.push(
        `| ${mark} | ${figure.writes} | ${figure.records} | ${figure.bytes} | ${Math.round(figure.bytes / figure.writes)} | ${cumulativeAt.get(mark)} | ${figure.reads} | ${cpuAround(figures, mark)} |`,
      );
    }
    const compactions = figures.filter((figure) => figure.writes !== (figure.turn % 2 === 0 ? 6 : 4)).length;
    lines.push(
      '',
      `Compactions (one extra write each, default every 400 live events): ${compactions} in ${TURNS} turns.`,
      '',
    );
  } finally {
    await close();
  }
  return lines;
}

async function main(): Promise<void> {
  const output: string[] = [
    `# Baton benchmark (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${TURNS} turns)`,
    '',
    'One session; each turn a ~200-character message and a ~300-character reply; every second turn a tool call',
    'with a ~120-character result. Bytes are the JSON bytes of the records written (head, events, dedupe).',
    '',
  ];
  for (const target of stores) {
    process.stderr.write(`benchmarking ${target.name}...\n`);
    output.push(...(await benchStore(target)));
  }
  const text = output.join('\n');
  process.stdout.write(`${text}\n`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/latest.md', import.meta.url), `${text}\n`);
}

await main();
