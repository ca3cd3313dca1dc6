/** A minimal cookie-keeping browser for driving sign-in pages over HTTP(S), without following redirects. */
export interface Page {
  url: URL;
  status: number;
  body: string;
  location?: URL;
}

export class Browser {
  /** origin → cookie name → value */
  readonly #jars = new Map<string, Map<string, string>>();

  async get(url: URL | string, step: string): Promise<Page> {
    return this.#request(new URL(url), step);
  }

  async post(url: URL | string, step: string, form: Record<string, string>): Promise<Page> {
    return this.#request(new URL(url), step, form);
  }

  /**
   * Posts a form of the page with its hidden fields plus `fields`: the first form, or the first
   * whose action contains `action`.
   */
  async submit(page: Page, step: string, fields: Record<string, string>, action?: string): Promise<Page> {
    const form = [...page.body.matchAll(/<form[^>]*\saction="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].find((m) => action === undefined || (m[1] ?? '').includes(action));
    if (!form) throw new Error(`${step}: no form${action ? ` posting to ${action}` : ''} on the page`);
    const hidden: Record<string, string> = {};
    for (const m of (form[2] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[m[1] ?? ''] = decodeEntities(m[2] ?? '');
    return this.post(new URL(decodeEntities(form[1] ?? ''), page.url), step, { ...hidden, ...fields });
  }

  /**
   * Follows redirects (GET) from `page` until a page that is not one, at most `maxHops`.
   * `rewrite` maps a redirect target first, e.g. a registered redirect URI to where the app listens.
   */
  async follow(page: Page, step: string, rewrite: (url: URL) => URL = (url) => url, maxHops = 10): Promise<Page> {
    let current = page;
    for (let hop = 0; current.location; hop++) {
      if (hop >= maxHops) throw new Error(`${step}: more than ${maxHops} redirects`);
      current = await this.get(rewrite(current.location), step);
    }
    return current;
  }

  async #request(url: URL, step: string, form?: Record<string, string>): Promise<Page> {
    const jar = this.#jars.get(url.origin) ?? new Map<string, string>();
    this.#jars.set(url.origin, jar);
    const headers: Record<string, string> = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, { method: form ? 'POST' : 'GET', headers, redirect: 'manual', ...(form ? { body: new URLSearchParams(form) } : {}) });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0\b/i.test(line)) jar.delete(pair.slice(0, eq).trim());
      else jar.set(pair.slice(0, eq).trim(), value);
    }
    const body = await response.text();
    const location = response.headers.get('location');
    if (response.status !== 200 && !(response.status >= 300 && response.status < 400 && location)) {
      throw new Error(`${step}: unexpected HTTP ${response.status} ${body.slice(0, 120)}`);
    }
    return { url, status: response.status, body, ...(location ? { location: new URL(location, url) } : {}) };
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[e] ?? '');
}
