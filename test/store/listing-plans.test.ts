/**
 * The listings a request reads page by page walk their indexes in the listing's order and stop at the page's end:
 * SQLite's plan for each holds no temporary b-tree (a sort of every match, on the thread that answers requests,
 * before the first row of the page) and no scan of a whole table. Read from SQLite's EXPLAIN QUERY PLAN on the
 * schema every migration makes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openRejectsQuery, recordedQueries } from '../../src/store/appraisals.js';
import { openDatabase } from '../../src/store/db.js';

const db = openDatabase(':memory:');
afterAll(() => db.close());

/** The steps of SQLite's plan for a query. */
const plan = (q: { sql: string; params: unknown[] }): string[] =>
  (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map((r) => r.detail);

const sortsOrScans = (steps: string[]): string[] =>
  steps.filter((s) => s.includes('TEMP B-TREE') || /^SCAN (d|r|diamonds|rejects|request_log)\b/.test(s));

describe('listing plans', () => {
  it('recorded appraisals: a page, from a cursor, by grade', () => {
    for (const filter of [{}, { cut: 'Fair', who: 'Giulia' }, { from: '2026-12-01T00:00:00.000Z' }])
      for (const page of [
        { limit: 100, offset: 200 },
        { limit: 100, after: { submission: 7, line: 40 } },
      ])
        for (const query of recordedQueries(filter, page)) expect(sortsOrScans(plan(query(100)))).toEqual([]);
  });

  it('open rejected rows: all of them, and of one submission', () => {
    expect(sortsOrScans(plan(openRejectsQuery({ limit: 100, offset: 0 })))).toEqual([]);
    expect(sortsOrScans(plan(openRejectsQuery({ limit: 100, offset: 0, submission: 3 })))).toEqual([]);
  });
});
