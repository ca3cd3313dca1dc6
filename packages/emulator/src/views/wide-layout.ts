import { html } from 'hono/html';
import { pageDocument } from './layout.ts';
import type { View } from './respond.ts';

// Constant CSS (no user data), so it is inserted raw.
const STYLES = `
*{box-sizing:border-box}
body{margin:0;background:#f3f5f9;font:14px/1.5 "Segoe UI",system-ui,-apple-system,sans-serif;color:#1b1b1b}
header{background:#fff;border-bottom:1px solid #dde3ea;padding:14px 28px;display:flex;align-items:center;gap:10px;font-weight:600}
header a{color:inherit;text-decoration:none}
.pill{font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.05em;color:#0f6cbd;border:1px solid #9cc3e8;border-radius:10px;padding:0 7px}
main{max-width:1200px;margin:0 auto;padding:20px 28px 48px}
h1{font-size:22px;font-weight:600;margin:8px 0 12px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:18px 0 6px}
section{background:#fff;border:1px solid #dde3ea;border-radius:4px;padding:14px 18px;margin:12px 0}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #eceff3}
th{color:#555;font-weight:600;background:#fafbfc}
code{font-family:ui-monospace,Consolas,monospace;font-size:12px;word-break:break-all;background:#f4f4f4;padding:1px 4px}
a{color:#0f6cbd}.muted{color:#666}.error{color:#a4262c}.ok{color:#107c10}.wait{color:#8a6100}
ul{margin:4px 0;padding-left:20px}
input[type=text],input[type=password]{font:inherit;padding:4px 6px;border:1px solid #8a8886;min-width:320px}
button{font:inherit;padding:4px 12px;border:1px solid #0f6cbd;background:#0f6cbd;color:#fff;cursor:pointer}
form.filters{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center}
details.groups summary{cursor:pointer}
@media (max-width:640px){
header{padding:10px 12px;flex-wrap:wrap}
main{padding:12px 12px 32px}
section{padding:10px 12px;overflow-x:auto}
input[type=text],input[type=password]{min-width:0;width:100%}
form.filters label{flex-basis:100%}
}
`;

/** The frame of the emulator's developer pages (home, request log, error explanations). */
export function wideLayout(title: string, nonce: string, content: View): View {
  return pageDocument(
    title,
    nonce,
    STYLES,
    html`<header><a href="/">entrakit <span class="pill">emulator</span></a><span class="muted">· local Entra ID emulator, test accounts only</span></header>
<main>
${content}
</main>`,
  );
}
