import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { HtmlEscapedString } from 'hono/utils/html';

export type View = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageSecurity {
  /** Allows the page's own <style> and, when `script` is set, its <script> blocks. */
  nonce: string;
  script?: boolean;
  /** Where forms may post, besides this origin (the app's redirect URI after sign-in). */
  formAction?: string[];
  /** Origins the page may frame (front-channel logout). */
  frameSrc?: string[];
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:$/;

/** A URI as a CSP source (its origin, or `scheme:` for custom schemes); undefined when unsafe to put in a header. */
export function cspSource(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return ORIGIN.test(url.origin) ? url.origin : undefined;
    return SCHEME.test(url.protocol) ? url.protocol : undefined;
  } catch {
    return undefined;
  }
}

function sources(uris: string[] | undefined): string[] {
  return [...new Set((uris ?? []).map(cspSource).filter((s): s is string => s !== undefined))];
}

function contentSecurityPolicy(security: PageSecurity): string {
  const frames = sources(security.frameSrc);
  return [
    "default-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    `form-action ${["'self'", ...sources(security.formAction)].join(' ')}`,
    `style-src 'nonce-${security.nonce}'`,
    security.script ? `script-src 'nonce-${security.nonce}'` : "script-src 'none'",
    "img-src 'self' data:",
    `frame-src ${frames.length > 0 ? frames.join(' ') : "'none'"}`,
  ].join('; ');
}

/** Anti-framing, CSP, no caching and no referrer: these pages carry CSRF tokens and codes. */
export function setPageHeaders(c: Context, security: PageSecurity): void {
  c.header('Content-Security-Policy', contentSecurityPolicy(security));
  c.header('X-Frame-Options', 'DENY');
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Content-Type-Options', 'nosniff');
}

export async function sendPage(c: Context, view: View, status: 200 | 400 | 403, security: PageSecurity): Promise<Response> {
  setPageHeaders(c, security);
  return c.html(await view, status);
}
