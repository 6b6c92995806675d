/**
 * compose.yaml, read as `docker compose` reads it (no container engine with compose runs here): PostgreSQL, two API
 * replicas and the pipeline, all given the same PostgreSQL URL naming the compose service, its password from the
 * environment (never written in the file), the API waiting for a healthy database and the pipeline for a healthy
 * API, and the model files in one volume both share.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isPostgresUrl, redactUrl } from '../../src/store/postgres/connect.js';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
}

const text = readFileSync(join(import.meta.dirname, '../../compose.yaml'), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { postgres, api, pipeline } = compose.services;

/** Compose's ${NAME:?message} and ${NAME:-default} substitution, with these variables set. */
const substitute = (value: string, vars: Record<string, string>): string =>
  value.replace(/\$\{(\w+)(?::[?-]([^}]*))?\}/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`${name} is not set`);
    return vars[name];
  });

describe('compose.yaml', () => {
  it('runs PostgreSQL 15 with a health check, its data in a volume, its password from the environment', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'pipeline', 'postgres']);
    expect(postgres.image).toBe('postgres:15');
    expect(postgres.healthcheck?.test).toContain('pg_isready');
    expect(postgres.volumes).toContain('loupe-pg:/var/lib/postgresql/data');
    expect(compose.volumes).toHaveProperty('loupe-pg');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's own substitution syntax, meant literally
    expect(postgres.environment?.POSTGRES_PASSWORD).toBe('${LOUPE_PG_PASSWORD:?set LOUPE_PG_PASSWORD}');
  });

  it('runs two API replicas and the pipeline on that database, with one URL naming its service', () => {
    expect(api.deploy?.replicas).toBe(2);
    expect(api.command).toEqual(['serve']);
    // One host port per replica.
    expect(api.ports).toEqual(['127.0.0.1:3000-3001:3000']);
    expect(pipeline.command?.slice(0, 2)).toEqual(['pipeline', 'run']);
    const vars = { LOUPE_PG_PASSWORD: 's3cret' };
    const urls = [api, pipeline].map((s) => substitute(s.environment!.LOUPE_DATABASE_URL, vars));
    expect(urls[0]).toBe(urls[1]);
    expect(isPostgresUrl(urls[0])).toBe(true);
    const url = new URL(urls[0]);
    expect([url.hostname, url.port, url.username, url.pathname]).toEqual(['postgres', '5432', 'loupe', '/loupe']);
    expect(url.password).toBe('s3cret');
    expect(redactUrl(urls[0])).not.toContain('s3cret');
    expect(postgres.environment).toMatchObject({ POSTGRES_USER: url.username, POSTGRES_DB: url.pathname.slice(1) });
    // Without the password compose refuses to start, saying which variable to set.
    expect(() => substitute(api.environment!.LOUPE_DATABASE_URL, {})).toThrow(/LOUPE_PG_PASSWORD is not set/);
  });

  it('starts the API on a healthy database and the pipeline on a healthy API, sharing the model files', () => {
    expect(api.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(pipeline.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    for (const s of [api, pipeline]) {
      expect(s.environment?.LOUPE_HOME).toBe('/var/loupe');
      expect(s.volumes).toContain('loupe-home:/var/loupe');
    }
    // No password is written anywhere in the file: only the variable.
    expect(text).not.toMatch(/postgres:\/\/loupe:[^$]/);
  });
});
