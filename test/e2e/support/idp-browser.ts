/**
 * Just enough of a browser to sign in at the test identity providers without one: a cookie jar
 * per origin, redirects followed by hand, and the login and consent forms of oidc-provider's
 * development interactions submitted as a user would.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();
  private readonly headers: Record<string, string>;

  constructor(headers: Record<string, string> = {}) {
    this.headers = headers;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string) {
    if (!this.jar.has(origin)) this.jar.set(origin, new Map());
    this.jar.get(origin)!.set(name, value);
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const { origin } = new URL(url);
    const headers = new Headers(this.headers);
    const cookies = [...(this.jar.get(origin) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookies) headers.set('cookie', cookies);
    let body: string | undefined;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const expired = attrs.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired) this.jar.get(origin)?.delete(name);
      else this.setCookie(origin, name, pair!.slice(eq + 1).trim());
    }
    return res;
  }

  /**
   * Follows redirects from `url`, signing in as `login` and consenting when the provider asks,
   * until a redirect points at `stopAt` (the platform's callback); answers that URL.
   */
  async signIn(url: string, login: string, stopAt: string): Promise<string> {
    let current = url;
    for (let hop = 0; hop < 20; hop++) {
      const res = await this.request(current);
      const location = res.headers.get('location');
      if (location) {
        const next = new URL(location, current).toString();
        if (next.startsWith(stopAt)) return next;
        current = next;
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      if (res.status !== 200 || !action || !prompt) {
        throw new Error(`unexpected page at ${current}: ${res.status} ${html.slice(0, 300)}`);
      }
      const form: Record<string, string> =
        prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt };
      const submitted = await this.request(new URL(action, current).toString(), { form });
      const after = submitted.headers.get('location');
      if (!after) throw new Error(`the ${prompt} form was not accepted: ${submitted.status}`);
      current = new URL(after, current).toString();
      if (current.startsWith(stopAt)) return current;
    }
    throw new Error('too many redirects');
  }
}
