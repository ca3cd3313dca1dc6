import { html, raw } from 'hono/html';
import type { View } from './respond.ts';

// Constant CSS (no user data), so it is inserted raw.
const STYLES = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;
  background:linear-gradient(160deg,#eef3f8 0%,#e4e9f2 100%);font:15px/1.45 "Segoe UI",system-ui,-apple-system,sans-serif;color:#1b1b1b}
.card{width:min(440px,calc(100vw - 32px));background:#fff;padding:40px 44px 36px;box-shadow:0 2px 12px rgba(0,0,0,.12);border-radius:4px}
.brand{display:flex;align-items:center;gap:8px;margin-bottom:20px;font-weight:600;color:#333}
.mark{display:grid;grid-template-columns:9px 9px;gap:2px}
.mark i{display:block;width:9px;height:9px;background:#0f6cbd}.mark i:nth-child(2){background:#5aa0dc}.mark i:nth-child(3){background:#7fb8e6}.mark i:nth-child(4){background:#0b4f8a}
.pill{font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.05em;color:#0f6cbd;border:1px solid #9cc3e8;border-radius:10px;padding:0 7px}
h1{font-size:24px;font-weight:600;margin:0 0 6px}
.sub{margin:0 0 20px;color:#555}
label{display:block;font-size:13px;color:#555;margin:14px 0 2px}
input[type=text],input[type=password]{width:100%;font:inherit;padding:7px 0;border:0;border-bottom:1px solid #8a8886;outline:none;background:transparent}
input[type=text]:focus,input[type=password]:focus{border-bottom:2px solid #0f6cbd}
.actions{display:flex;justify-content:flex-end;gap:8px;margin-top:28px}
button{font:inherit;min-width:108px;padding:6px 14px;border:1px solid transparent;cursor:pointer}
.primary{background:#0f6cbd;color:#fff}.primary:hover{background:#0b5a9e}
.secondary{background:#e1e1e1;color:#1b1b1b}.secondary:hover{background:#d0d0d0}
.error{color:#a4262c;background:#fde7e9;border-left:3px solid #a4262c;padding:8px 10px;margin:12px 0 0;font-size:14px}
.account{display:flex;flex-direction:column;padding:12px;border:1px solid #d6d6d6;margin:8px 0}
.account small,.muted{color:#666;font-size:13px}
ul.scopes{padding-left:20px;margin:8px 0 16px}ul.scopes li{margin:6px 0}ul.scopes small{display:block;color:#666}
code{font-family:ui-monospace,Consolas,monospace;font-size:12px;word-break:break-all;background:#f4f4f4;padding:1px 4px}
code.upn{word-break:normal;white-space:nowrap}
a{color:#0f6cbd}
footer{margin-top:18px;font-size:12px;color:#666}
iframe.frontchannel{display:none}
`;

/** The HTML document every emulator page is: head (title, nonce-bound styles, extra head) and body. */
export function pageDocument(title: string, nonce: string, styles: string, body: View, head: View = html``): View {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · entrakit emulator</title>
<style nonce="${nonce}">${raw(styles)}</style>
${head}
</head>
<body>
${body}
</body>
</html>`;
}

/** The page frame shared by every emulator sign-in screen. */
export function layout(title: string, nonce: string, content: View, head: View = html``): View {
  return pageDocument(
    title,
    nonce,
    STYLES,
    html`<main class="card">
<div class="brand"><span class="mark" aria-hidden="true"><i></i><i></i><i></i><i></i></span>entrakit <span class="pill">emulator</span></div>
${content}
</main>
<footer>Local Entra ID emulator · test accounts only</footer>`,
    head,
  );
}
