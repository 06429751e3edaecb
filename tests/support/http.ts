/**
 * A small HTTP client with a cookie jar, like a browser without JavaScript: forms are posted
 * url-encoded, redirects are not followed (tests look at them).
 */
export class Client {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    readonly defaultHeaders: Record<string, string> = {},
  ) {}

  get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers({ ...this.defaultHeaders, ...(init.headers as Record<string, string>) });
    if (this.cookies.size) headers.set('cookie', this.cookieHeader);
    const res = await fetch(new URL(path, this.baseUrl), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, ...rest] = pair.split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request(path, { headers });
  }

  /** A form post; repeated fields (checkboxes, multiple selects) as URLSearchParams or pairs. */
  post(path: string, form: Record<string, string> | URLSearchParams | [string, string][], headers: Record<string, string> = {}) {
    return this.request(path, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }
}

/** A registration form that passes; its name is new each time (no two accounts' names may look alike). */
export const validRegistration = (overrides: Record<string, string> = {}) => ({
  name: `Mariama Sow ${Math.random().toString(36).slice(2, 8)}`,
  email: `mariama.${Math.random().toString(36).slice(2)}@example.org`,
  password: 'a long enough password',
  organisation: 'Collectif Migrations Dakar',
  stakeholderGroup: 'civil-society',
  country: 'SN',
  ...overrides,
});
