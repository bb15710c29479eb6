/**
 * The runs store every experiment keeps in its output folder: rows of earlier sessions (and of
 * other folders) merged with new ones, one row per key.
 */

/**
 * `existing` with `added` merged in: a row whose key is already present replaces the old one,
 * and the result is sorted by `order` (stable). O((n + k) log(n + k)) for n existing, k added rows.
 */
export function mergeRuns<T>(existing: readonly T[], added: readonly T[], key: (r: T) => string, order: (a: T, b: T) => number): T[] {
  const byKey = new Map<string, T>();
  for (const r of existing) byKey.set(key(r), r);
  for (const r of added) byKey.set(key(r), r);
  return [...byKey.values()].sort(order);
}
