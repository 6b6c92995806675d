/**
 * The names of the kinds Loupe trains, and the default: a module of its own, with no imports, so the command
 * line's help (`loupe train --help`) can name them without loading the kinds and the engine (./index.ts checks
 * at load that these are the trainable kinds' names).
 */
export const KIND_NAMES: readonly string[] = ['gbdt', 'hedonic'];
export const DEFAULT_KIND = 'gbdt';
