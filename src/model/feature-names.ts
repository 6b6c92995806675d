/**
 * The names of the model features, in their column order: a module of its own, with no imports, so the command
 * line's help (`loupe features --help`) can list them without loading the feature code (./features.ts).
 */
export const FEATURE_NAMES = [
  'carat',
  'cut',
  'color',
  'clarity',
  'depth',
  'table',
  'x',
  'y',
  'z',
  'volume',
  'density',
  'roundness',
  'depthGap',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
