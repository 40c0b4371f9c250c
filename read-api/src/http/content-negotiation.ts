/**
 * Picks a media type among those a route produces, from `Accept` (RFC 9110 §12.5.1): the highest
 * `q` wins, a specific range beats a wildcard one, ties go to the route's first type. `null` when
 * the client accepts none of them (406).
 */
export function negotiate<T extends string>(
  accept: string | undefined,
  produced: readonly [T, ...T[]],
): T | null {
  if (accept === undefined || accept.trim() === '') return produced[0];
  const ranges = accept.split(',').map((part) => {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return { range: range.trim(), quality: Number.isFinite(quality) ? quality : 0 };
  });
  let best: { type: T; quality: number } | null = null;
  for (const type of produced) {
    const [major] = type.split('/');
    const match =
      ranges.find((r) => r.range === type) ??
      ranges.find((r) => r.range === `${major}/*`) ??
      ranges.find((r) => r.range === '*/*');
    if (match === undefined || match.quality <= 0) continue;
    if (best === null || match.quality > best.quality) best = { type, quality: match.quality };
  }
  return best?.type ?? null;
}
