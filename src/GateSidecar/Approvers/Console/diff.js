// JSON comparison for people: flatten to dotted paths and compare leaf values.

export function flatten(value, prefix = '', out = new Map()) {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`${prefix}[${i}]`, v])
      : Object.entries(value).map(([k, v]) => [prefix ? `${prefix}.${k}` : k, v]);
    if (entries.length === 0) {
      if (prefix) out.set(prefix, value);
      return out;
    }
    for (const [path, v] of entries) flatten(v, path, out);
    return out;
  }
  out.set(prefix || '(value)', value);
  return out;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Rows that differ between two JSON values: changed, added (only after) and removed (only before). */
export function diffJson(before, after) {
  const a = flatten(before ?? {});
  const b = flatten(after ?? {});
  const rows = [];
  for (const [path, value] of b) {
    if (!a.has(path)) rows.push({ path, kind: 'added', before: undefined, after: value });
    else if (!same(a.get(path), value)) rows.push({ path, kind: 'changed', before: a.get(path), after: value });
  }
  for (const [path, value] of a) {
    if (!b.has(path)) rows.push({ path, kind: 'removed', before: value, after: undefined });
  }
  return rows;
}

/**
 * The proposal against the current state of the object it changes: every proposed value, with the
 * current one beside it (fields the proposal leaves out are not shown: the call does not touch them).
 */
export function proposalAgainstCurrent(current, proposal) {
  const a = flatten(current ?? {});
  const rows = [];
  for (const [path, value] of flatten(proposal ?? {})) {
    if (!a.has(path)) rows.push({ path, kind: 'added', before: undefined, after: value });
    else rows.push({ path, kind: same(a.get(path), value) ? 'same' : 'changed', before: a.get(path), after: value });
  }
  return rows;
}
