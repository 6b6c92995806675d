export * from './grades.js';
export * from './fields.js';
export * from './plausibility.js';
export * from './validate.js';
export * from './schemas.js';
export { csvCell, isFormulaLike } from './csv-cell.js';
export * from './suggest.js';
export { COLUMN_ALIASES, columnKey, delimiterMessage, otherDelimiter } from './columns.js';
