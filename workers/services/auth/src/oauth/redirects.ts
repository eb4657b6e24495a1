import { Problem } from '../../../../lib/problem.ts';

/**
 * Where a finished sign-in may send its tokens: the platform's own origin or one of the
 * configured app origins, over http(s). Anything else would make the callback an open redirector
 * that hands tokens to a stranger.
 */
export function allowedRedirect(
  uri: string | undefined,
  origin: string,
  allowed: string[],
): string | undefined {
  if (uri === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw Problem.badRequest('redirect_uri is not a URL.');
  }
  const ok =
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    !url.username &&
    !url.password &&
    (url.origin === origin || allowed.includes(url.origin));
  if (!ok) throw Problem.badRequest('redirect_uri is not on the allow-list of this platform.');
  url.hash = '';
  return url.toString();
}
