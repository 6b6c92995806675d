/**
 * SQL text both stores share: a WHERE clause built from the conditions a query was given, with `?` placeholders
 * (SQLite's), and those placeholders numbered as PostgreSQL wants them.
 */

/**
 * The WHERE clause of the conditions whose value is given (each condition's SQL holds one `?`, for its value), in
 * order, and their parameters; '' and none when no value is given.
 */
export function whereOf(conditions: readonly (readonly [sql: string, value: unknown])[]): {
  where: string;
  params: unknown[];
} {
  const given = conditions.filter(([, value]) => value !== undefined);
  return {
    where: given.length > 0 ? `WHERE ${given.map(([sql]) => sql).join(' AND ')}` : '',
    params: given.map(([, value]) => value),
  };
}

/** `?` placeholders as $1, $2, … (the SQL holds no `?` but placeholders). */
export function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}
