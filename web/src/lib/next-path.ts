// Where to go after signing in or joining: the ?next= path when it stays on Kindred, else home.
// "//host" and "/\host" are other sites to a browser, and tabs or newlines inside are dropped when a URL
// is parsed, so the path is judged by where it actually resolves, not by how it starts.
export function nextPath(url: URL): string {
  const next = url.searchParams.get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  const target = new URL(next, url.origin);
  if (target.origin !== url.origin) return '/';
  return `${target.pathname}${target.search}${target.hash}`;
}

/** A link to /signin or /join that keeps the ?next= the visitor came with. */
export function withNext(path: string, url: URL): string {
  const next = nextPath(url);
  return next === '/' ? path : `${path}?next=${encodeURIComponent(next)}`;
}
