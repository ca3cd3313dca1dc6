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

  /** Posts the page's form with its hidden fields plus `fields`. */
  async submit(page: Page, step: string, fields: Record<string, string>): Promise<Page> {
    const action = /<form[^>]*\saction="([^"]+)"/.exec(page.body)?.[1];
    if (!action) throw new Error(`${step}: no form on the page`);
    const hidden: Record<string, string> = {};
    for (const m of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[m[1] ?? ''] = decodeEntities(m[2] ?? '');
    return this.post(new URL(decodeEntities(action), page.url), step, { ...hidden, ...fields });
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
