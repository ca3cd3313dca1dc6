import { html, raw } from 'hono/html';
import { layout } from './layout.ts';
import type { View } from './respond.ts';

export interface SignedOutModel {
  /** Front-channel logout URLs (with iss and sid) loaded in hidden iframes. */
  frontchannelUrls: string[];
  /** Registered post_logout_redirect_uri (with state), visited once the iframes have loaded. */
  continueUrl?: string;
}

// Constant script (no user data; the target is read from the escaped link), inserted raw.
// Waits for every front-channel iframe (at most 3 s), then leaves for the registered URI.
const CONTINUE_SCRIPT = `(function () {
  var link = document.getElementById('continue');
  var frames = document.querySelectorAll('iframe.frontchannel');
  var pending = frames.length, left = false;
  function go() { if (!left) { left = true; window.location.replace(link.getAttribute('href')); } }
  Array.prototype.forEach.call(frames, function (f) {
    function one() { pending -= 1; if (pending <= 0) go(); }
    f.addEventListener('load', one); f.addEventListener('error', one);
  });
  if (pending === 0) go();
  setTimeout(go, 3000);
})();`;

export function signedOutPage(model: SignedOutModel, nonce: string): View {
  const next = model.continueUrl;
  return layout(
    'Signed out',
    nonce,
    html`<h1>You signed out of your account</h1>
<p class="sub">It's a good idea to close all browser windows.</p>
${next ? html`<p><a id="continue" href="${next}">Return to the application</a></p>` : ''}
${model.frontchannelUrls.map((src) => html`<iframe class="frontchannel" src="${src}" title="Signing out of an application" tabindex="-1" aria-hidden="true"></iframe>`)}
${next ? html`<script nonce="${nonce}">${raw(CONTINUE_SCRIPT)}</script>` : ''}`,
    next ? html`<noscript><meta http-equiv="refresh" content="3;url=${next}"></noscript>` : html``,
  );
}
