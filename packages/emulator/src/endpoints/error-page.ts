import type { Hono } from 'hono';
import { AADSTS, type AadstsCode } from '../protocol/aad-error.ts';
import { AADSTS_HELP } from '../protocol/aad-error-help.ts';
import { errorExplanationPage } from '../views/aad-error-explanation-page.ts';
import { newNonce, setPageHeaders } from '../views/respond.ts';

/** `GET /error?code=N`: the page `error_uri` in every error body points to (as login.microsoftonline.com/error does). */
export function errorExplanationEndpoint(app: Hono): void {
  const all = (Object.keys(AADSTS) as unknown as string[])
    .map(Number)
    .sort((a, b) => a - b)
    .map((code) => ({ code, error: AADSTS[code as AadstsCode], help: AADSTS_HELP[code as AadstsCode] }));
  app.get('/error', async (c) => {
    const code = (c.req.query('code') ?? '').replace(/^AADSTS/i, '');
    const nonce = newNonce();
    setPageHeaders(c, { nonce });
    c.header('Cache-Control', 'public, max-age=3600');
    if (code === '') return c.html(await errorExplanationPage({ all }, nonce), 200);
    if (!/^\d{1,9}$/.test(code)) return c.html(await errorExplanationPage({ asked: { code: code.slice(0, 12).replace(/[^0-9A-Za-z]/g, '') }, all }, nonce), 400);
    const known = Number(code) in AADSTS ? (Number(code) as AadstsCode) : undefined;
    const asked = known === undefined ? { code } : { code, error: AADSTS[known], help: AADSTS_HELP[known] };
    return c.html(await errorExplanationPage({ asked, all }, nonce), known === undefined ? 404 : 200);
  });
}
