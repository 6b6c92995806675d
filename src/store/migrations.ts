/**
 * The database schema, as numbered migrations applied in order, each in one transaction.
 * A migration is never edited once it has shipped: change the schema by adding the next one.
 * Numbers are reserved per area so that parts built side by side do not collide:
 *   1–9 ingestion (files, diamonds, rejects) · 10–19 model registry and pipeline · 20–29 API (keys, request log),
 *   and the API on from 30.
 */
import { APPRAISALS_MIGRATION } from './appraisals.js';
import { INGESTION_DUP_KEY_MIGRATION, INGESTION_MIGRATION } from './ingestion-schema.js';
import {
  API_KEY_NAME_MIGRATION,
  API_LOG_INDEX_MIGRATION,
  API_MIGRATION,
  API_QUOTES_MIGRATION,
  API_QUOTES_UNCHECKED_MIGRATION,
  API_REQUEST_ID_MIGRATION,
  API_SIMILAR_INDEX_MIGRATION,
} from './api-schema.js';
import { OPERATIONS_TOTALS_MIGRATION } from './operations-schema.js';
import { RECORDER_TOTALS_MIGRATION } from './recorder-totals.js';
import { PIPELINE_MIGRATION, REGISTRY_MIGRATION } from './registry-schema.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  // Each area appends its migrations here.
  INGESTION_MIGRATION,
  INGESTION_DUP_KEY_MIGRATION,
  APPRAISALS_MIGRATION,
  REGISTRY_MIGRATION,
  PIPELINE_MIGRATION,
  API_MIGRATION,
  API_LOG_INDEX_MIGRATION,
  API_REQUEST_ID_MIGRATION,
  API_KEY_NAME_MIGRATION,
  API_QUOTES_MIGRATION,
  API_SIMILAR_INDEX_MIGRATION,
  API_QUOTES_UNCHECKED_MIGRATION,
  OPERATIONS_TOTALS_MIGRATION,
  RECORDER_TOTALS_MIGRATION,
];
