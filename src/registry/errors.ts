/** Errors of the registry, each with a code a caller (CLI, API) can map to an answer. */
export type RegistryErrorCode =
  | 'not_found'
  | 'no_champion'
  | 'no_previous_champion'
  | 'already_champion'
  | 'artifact_mismatch'
  | 'artifact_missing'
  | 'conflict';

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}
