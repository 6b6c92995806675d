/**
 * The environment as Loupe reads it (src/config/index.ts readEnv): a variable set to nothing, or to spaces only,
 * means its default, as if unset — `LOUPE_HOME=$UNSET` in a compose file or a cron line must not put the database
 * in the current folder.
 */
import { describe, expect, it } from 'vitest';
import { loupePaths, readEnv } from '../../src/config/index.js';

describe('readEnv', () => {
  it('leaves out empty and blank variables, and keeps the others as they are', () => {
    expect(readEnv({ A: '', B: '   ', C: '\t', D: ' x ', E: '0', F: undefined })).toEqual({ D: ' x ', E: '0' });
  });

  it('reads the process environment by default', () => {
    process.env.LOUPE_READ_ENV_TEST = 'yes';
    try {
      expect(readEnv().LOUPE_READ_ENV_TEST).toBe('yes');
    } finally {
      delete process.env.LOUPE_READ_ENV_TEST;
    }
  });
});

describe('loupePaths', () => {
  it('takes an empty or blank LOUPE_HOME, LOUPE_DATA or LOUPE_DATABASE_URL as unset', () => {
    const defaults = loupePaths({});
    expect(loupePaths({ LOUPE_HOME: '', LOUPE_DATA: '', LOUPE_DATABASE_URL: '' })).toEqual(defaults);
    expect(loupePaths({ LOUPE_HOME: '  ', LOUPE_DATA: ' ', LOUPE_DATABASE_URL: ' ' })).toEqual(defaults);
    expect(defaults.home).toMatch(/\/var$/);
  });
});
