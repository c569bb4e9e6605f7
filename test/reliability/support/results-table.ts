/** One cell row of the suite's table: what a scenario did on one store and what went wrong. */
export interface ResultRow {
  store: string;
  scenario: string;
  runs: number;
  /**
   * Distinct fault cases the row covers (crash points, duplicated triggers, kinds of store and model
   * failure, hostile inputs, probes): what the suite tried, where `faults` counts how often.
   */
  cases: number;
  faults: number;
  lost: number;
  duplicates: number;
  corrupted: number;
  /** How the scenario covered this store (e.g. "all 164 crash points", "a sample of 40"). */
  note?: string;
  /** Recovery after a crash, p50 / p99, of the host on this store as the benchmark last measured it. */
  recovery?: string;
}

const COLUMNS = [
  'store',
  'scenario',
  'runs',
  'cases',
  'faults',
  'lost',
  'duplicates',
  'corrupted',
  'recovery',
  'note',
] as const;
const HEADERS: Record<(typeof COLUMNS)[number], string> = {
  store: 'store',
  scenario: 'scenario',
  runs: 'runs',
  cases: 'fault cases',
  faults: 'injected faults',
  lost: 'lost inputs',
  duplicates: 'duplicate executions',
  corrupted: 'corrupted sessions',
  recovery: 'recovery p50 / p99',
  note: 'coverage',
};

/** Collects the rows of every scenario in this test process and prints them as one table. */
export class ResultsTable {
  readonly rows: ResultRow[] = [];

  add(row: ResultRow): void {
    this.rows.push(row);
  }

  render(): string {
    const cells = [
      COLUMNS.map((column) => HEADERS[column]),
      ...this.rows.map((row) => COLUMNS.map((column) => String(row[column] ?? ''))),
    ];
    const widths = COLUMNS.map((_, index) => Math.max(...cells.map((line) => line[index]!.length)));
    const numeric = (index: number) => index >= 2 && index <= 8;
    const line = (values: string[]) =>
      `| ${values.map((value, index) => (numeric(index) ? value.padStart(widths[index]!) : value.padEnd(widths[index]!))).join(' | ')} |`;
    const rule = `|${widths.map((width, index) => (numeric(index) ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
    return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
  }
}

/** The one table of this test process: every scenario adds its rows, the suite prints it at the end. */
export const resultsTable = new ResultsTable();
