/**
 * The request target a backend gets: the client's bytes after the backend
 * URL's path (`/api` + `/users?x=1`), byte for byte (http-proxy's own join
 * would fold `//` and the like); an absolute-form target (`http://host/p`)
 * gives its path and query.
 */
export function upstreamPath(prefix: string, target: string): string {
  let path = target;
  if (!path.startsWith('/')) {
    try {
      const url = new URL(path);
      path = url.pathname + url.search;
    } catch {
      path = `/${path}`;
    }
  }
  return prefix === '/' || prefix === '' ? path : prefix.replace(/\/$/, '') + path;
}
