/**
 * A database connection or pool as a store sees it, recording each statement it runs and the rows it got back:
 * what a request asks of the database, counted without a clock.
 */
import type pg from 'pg';
import type { Db } from '../../src/store/db.js';

/** A statement the store ran and the rows it got back. */
export interface Read {
  sql: string;
  args: unknown[];
  rows: number;
}

/** The connection as the store sees it, recording in `log` each statement run and the rows it returned. */
export function recordingDb(db: Db, log: Read[]): Db {
  const statement = (sql: string) =>
    new Proxy(db.prepare(sql), {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (prop === 'all')
          return (...args: unknown[]) => {
            const rows = target.all(...args);
            log.push({ sql, args, rows: rows.length });
            return rows;
          };
        if (prop === 'get')
          return (...args: unknown[]) => {
            const row = target.get(...args);
            log.push({ sql, args, rows: row === undefined ? 0 : 1 });
            return row;
          };
        if (prop === 'iterate')
          return function* (...args: unknown[]) {
            const read: Read = { sql, args, rows: 0 };
            log.push(read);
            for (const row of target.iterate(...args)) {
              read.rows++;
              yield row;
            }
          };
        return value.bind(target);
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return statement;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The pool as the store sees it, recording in `log` each query and the rows it returned. */
export function recordingPool(pool: pg.Pool, log: Read[]): pg.Pool {
  return new Proxy(pool, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'query')
        return async (text: string, values?: unknown[]) => {
          const result = await target.query(text, values);
          log.push({ sql: text, args: values ?? [], rows: result.rows.length });
          return result;
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
