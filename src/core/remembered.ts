/**
 * `fn` with its results remembered by argument, at most `most` of them (past that, all are
 * forgotten at once): for what a page works out hundreds of times from few arguments (a
 * date's text, a commenter's initials). `fn` never returns undefined.
 */
export function remembered<K, V>(fn: (key: K) => V, most: number): (key: K) => V {
  const seen = new Map<K, V>();
  return (key) => {
    let value = seen.get(key);
    if (value === undefined) {
      if (seen.size >= most) seen.clear();
      value = fn(key);
      seen.set(key, value);
    }
    return value;
  };
}
