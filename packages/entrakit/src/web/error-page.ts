/** The page a failed sign-in ends on: the stable code, the message, an AADSTS explanation; no token, no stack. */
import type { EntrakitError } from '../core/errors.ts';
import { aadstsCode, explainAadsts } from './aadsts.ts';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function errorPage(error: EntrakitError): Response {
  const description = typeof error.details?.['errorDescription'] === 'string' ? error.details['errorDescription'] : undefined;
  const explanation = explainAadsts(aadstsCode(description));
  const body = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title></head><body>',
    `<h1>Sign-in failed</h1><p><code>${escapeHtml(error.code)}</code>: ${escapeHtml(error.message)}</p>`,
    explanation ? `<p>${escapeHtml(explanation)}</p>` : '',
    '<p><a href="/">Home</a></p></body></html>',
  ].join('');
  return new Response(body, {
    status: error.status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-entrakit-error': error.code },
  });
}
