import { describe, expect, it } from 'vitest';
import { parseRunMessage } from '../app/run-message.js';
import { type EventBody, SCHEMA_VERSION, type SessionEvent } from '../events.js';
import { newHead } from '../head.js';
import { parseEvents, parseHead } from '../migrate.js';
import { eventRecords, headRecord } from '../record-codec.js';
import { sessionRef } from '../session-ref.js';
import { wakeMessage } from './schedule-commits.js';

const AT = 1_767_225_600_000;

describe('schedule records', () => {
  it('stores schedule events in the short form and reads them back as they were', () => {
    const bodies: EventBody[] = [
      {
        kind: 'schedule_set',
        scheduleId: 'sch_1',
        text: 'daily report',
        dueAt: AT + 3600_000,
        cron: '0 9 * * *',
        timezone: 'Europe/Paris',
        by: 'api:ops',
      },
      { kind: 'schedule_set', scheduleId: 'sch_2', text: 'stretch', dueAt: AT + 10_000, by: 'tool:remind' },
      { kind: 'schedule_cancelled', scheduleId: 'sch_2', by: 'api:ops' },
    ];
    const events = bodies.map(
      (body, index) => ({ ...body, v: SCHEMA_VERSION, seq: index + 1, at: AT }) as SessionEvent,
    );
    const records = eventRecords(events);
    expect(records.map((record) => record.k)).toEqual(['ss', 'ss', 'sx']);
    expect(records[1]).toEqual({
      v: SCHEMA_VERSION,
      s: 2,
      t: AT,
      k: 'ss',
      scheduleId: 'sch_2',
      x: 'stretch',
      dueAt: AT + 10_000,
      by: 'tool:remind',
    });
    expect(parseEvents(JSON.parse(JSON.stringify(records)))).toEqual(events);
  });

  it('keeps a head without schedules exactly as before and round-trips one with them', () => {
    const plain = newHead('acme', 's1', 'support', AT);
    expect(headRecord(plain)).not.toHaveProperty('sch');
    expect(parseHead(JSON.parse(JSON.stringify(headRecord(plain))))).toEqual(plain);
    const scheduled = { ...plain, schedules: [{ id: 'sch_1', dueAt: AT + 3600_000, seq: 1 }] };
    const record = headRecord(scheduled);
    expect(record.sch).toEqual([{ id: 'sch_1', dueAt: AT + 3600_000, seq: 1 }]);
    expect(parseHead(JSON.parse(JSON.stringify(record)))).toEqual(scheduled);
  });

  it('parses a wake-up run message and refuses a malformed schedule field', () => {
    const message = wakeMessage(sessionRef('acme', 's1'), 'sch_1', AT);
    expect(parseRunMessage(JSON.stringify(message))).toEqual({ ok: true, message });
    expect(parseRunMessage({ ...message, schedule: { id: '', dueAt: -1 } })).toMatchObject({ ok: false });
  });
});
