import { decodeHtml } from '../helpers/html.ts';

/** A minimal browser for driving the emulator's pages over HTTP: a cookie jar and form posts. */
export class CookieBrowser {
  private readonly cookies = new Map<string, string>();
  private readonly origin: string;
  constructor(origin: string) {
    this.origin = origin;
  }

  async get(url: string): Promise<Page> {
    return this.request(url, { method: 'GET' });
  }

  /** Posts the page's (first) form with its hidden fields plus `fields`. */
  async submit(page: Page, fields: Record<string, string>): Promise<Page> {
    const body = new URLSearchParams({ ...page.hiddenFields(), ...fields });
    return this.request(page.formAction(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  }

  async request(url: string, init: RequestInit): Promise<Page> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(new URL(url, this.origin), { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return new Page(response.status, response.headers.get('location'), await response.text(), this.origin);
  }
}

export class Page {
  readonly status: number;
  readonly location: string | null;
  readonly html: string;
  private readonly origin: string;
  constructor(status: number, location: string | null, html: string, origin: string) {
    this.status = status;
    this.location = location;
    this.html = html;
    this.origin = origin;
  }

  formAction(): string {
    const action = /<form method="post" action="([^"]+)"/.exec(this.html)?.[1];
    if (!action) throw new Error(`no form on the page (status ${this.status}): ${this.text().slice(0, 300)}`);
    return new URL(decodeHtml(action), this.origin).toString();
  }

  hiddenFields(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const match of this.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[match[1]!] = decodeHtml(match[2]!);
    return fields;
  }

  /** The page's visible text, for assertions and failure messages. */
  text(): string {
    return decodeHtml(this.html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
  }

  has(marker: string): boolean {
    return this.html.includes(marker);
  }
}

