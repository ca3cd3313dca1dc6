import { html } from 'hono/html';
import type { AadErrorBody } from '../protocol/aad-error.ts';
import { layout } from './layout.ts';
import type { View } from './respond.ts';

/** Errors that must not be redirected (unknown app, unregistered redirect URI, bad tenant, CSRF). */
export function errorPage(error: AadErrorBody, nonce: string): View {
  return layout(
    'Sign-in error',
    nonce,
    html`<h1>Sorry, but we're having trouble signing you in.</h1>
<p class="error" role="alert">${error.error_description.replace(/ Trace ID: .*$/, '')}</p>
<p class="muted">Error: <code>${error.error}</code><br>
Request Id: <code>${error.trace_id}</code><br>
Correlation Id: <code>${error.correlation_id}</code><br>
Timestamp: <code>${error.timestamp}</code></p>`,
  );
}
