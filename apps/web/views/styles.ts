/** The one stylesheet, inlined with the CSP nonce (no external assets). */
export const STYLES = `
*{box-sizing:border-box}
:root{--ink:#1b1f24;--muted:#5b6470;--line:#e3e6ea;--soft:#f5f6f8;--accent:#0f6cbd;--accent-ink:#fff;--ok:#107c41;--ok-bg:#e7f4ec;--warn:#8a5300;--warn-bg:#fff4e0;--bad:#b42318;--bad-bg:#fdecea}
html{font-size:16px}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif;color:var(--ink);background:var(--soft);line-height:1.5}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.86em}
header.top{background:#fff;border-bottom:1px solid var(--line)}
header.top .bar{max-width:1040px;margin:0 auto;padding:12px 24px;display:flex;align-items:center;gap:28px}
.brand{font-weight:700;font-size:1.05rem;color:var(--ink)}.brand span{color:var(--accent)}
nav.main{display:flex;gap:4px;flex:1;flex-wrap:wrap}
nav.main a{color:var(--muted);padding:6px 10px;border-radius:6px;font-size:.94rem}
nav.main a:hover{background:var(--soft);text-decoration:none}
nav.main a.active{color:var(--ink);background:var(--soft);font-weight:600}
.who{font-size:.88rem;color:var(--muted);text-align:right;line-height:1.25}.who strong{color:var(--ink);display:block}
main{max-width:1040px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:1.65rem;margin:0 0 6px}h2{font-size:1.15rem;margin:0 0 12px}h3{font-size:1rem;margin:18px 0 8px}
.lead{color:var(--muted);margin:0 0 22px;max-width:760px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin-bottom:18px}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:18px}
.grid2 .card{margin-bottom:0}.grid2+.card{margin-top:18px}
table{width:100%;border-collapse:collapse;font-size:.92rem}
th,td{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid #eef0f3}
th{font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.03em}
td.k{white-space:nowrap;font-weight:600}td.v{word-break:break-all}td.m{color:var(--muted)}
tr:last-child td{border-bottom:0}
table.claims{table-layout:fixed}table.claims col.c1{width:21%}table.claims col.c2{width:39%}table.claims col.c3{width:40%}
table.fields{table-layout:fixed}table.fields col.c1{width:26%}table.fields col.c2{width:40%}table.fields col.c3{width:34%}
p.token-header{font-size:.86rem;color:var(--muted);margin:0 0 8px;word-break:break-all}p.token-header code{color:var(--ink)}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.78rem;font-weight:600;background:var(--soft);color:var(--muted);white-space:nowrap}
.badge.ok{background:var(--ok-bg);color:var(--ok)}.badge.warn{background:var(--warn-bg);color:var(--warn)}.badge.bad{background:var(--bad-bg);color:var(--bad)}
.note{border-radius:8px;padding:12px 16px;margin:0 0 16px;font-size:.94rem}
.note.info{background:#eaf3fb;color:#0b4a82}.note.warn{background:var(--warn-bg);color:var(--warn)}.note.bad{background:var(--bad-bg);color:var(--bad)}.note.ok{background:var(--ok-bg);color:var(--ok)}
.btn{display:inline-block;border:1px solid var(--accent);background:var(--accent);color:var(--accent-ink);padding:9px 18px;border-radius:8px;font-weight:600;font-size:.95rem;cursor:pointer;font-family:inherit}
.btn:hover{text-decoration:none;filter:brightness(1.08)}
.btn.secondary{background:#fff;color:var(--accent)}
.btn.danger{background:var(--bad);border-color:var(--bad)}
ul.points{padding-left:20px;margin:8px 0 20px}ul.points li{margin:4px 0}
ul.checks{list-style:none;padding:0;margin:0}ul.checks li{padding:6px 0;border-bottom:1px solid #eef0f3;display:flex;gap:10px;align-items:baseline}ul.checks li:last-child{border-bottom:0}
.muted{color:var(--muted)}.small{font-size:.86rem}
div.doc{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:4px 16px;overflow-wrap:anywhere}div.doc h2{margin-top:12px}
pre.doc{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:16px;white-space:pre-wrap;word-break:break-word;margin:0}
ol.timeline{list-style:none;padding:0;margin:0;counter-reset:step}
ol.timeline>li{position:relative;padding:0 0 18px 44px;counter-increment:step}
ol.timeline>li::before{content:counter(step);position:absolute;left:0;top:0;width:28px;height:28px;border-radius:50%;background:var(--accent);color:#fff;font-weight:700;font-size:.85rem;display:flex;align-items:center;justify-content:center}
ol.timeline>li::after{content:"";position:absolute;left:13px;top:30px;bottom:4px;width:2px;background:var(--line)}
ol.timeline>li:last-child::after{display:none}
.step-head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap;margin-bottom:6px}.step-head strong{font-size:.98rem}
.step-url{font-size:.82rem;color:var(--muted);word-break:break-all;margin:0 0 6px}
.step ul.notes{margin:6px 0 0;padding-left:18px;font-size:.88rem;color:var(--muted)}
.diagram{overflow-x:auto}.diagram svg{display:block;margin:0 auto;max-width:none;height:auto}
@media (min-width:641px){.diagram svg{max-width:100%}}
table.wrap{table-layout:fixed}table.wrap td{overflow-wrap:anywhere}table.wrap td.k{white-space:normal}
.actions{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:18px}
.actions form{margin:0}.actions p{margin:0 0 16px;color:var(--muted);font-size:.94rem}
.scroll{overflow-x:auto}table.compare td,table.compare th{min-width:130px}table.compare td.m{min-width:260px}table.compare tr.differs td.v{background:#fffbea}.mt{margin-top:14px}.note p{margin:0 0 4px}
table.kv{table-layout:fixed}table.kv td{overflow-wrap:anywhere}table.kv td.k{width:34%;white-space:normal;word-break:break-word}
.grid2>div{min-width:0}
.lab-result h2{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline}
.verdict{font-size:1.05rem;font-weight:600}
@media (max-width:640px){
header.top .bar{flex-wrap:wrap;gap:6px 12px;padding:8px 12px}
nav.main{order:3;flex-basis:100%;flex-wrap:nowrap;overflow-x:auto;scrollbar-width:none;margin:0 -12px;padding:0 8px}
nav.main a{white-space:nowrap;padding:4px 8px}
.who{flex:1;text-align:right}.who .upn{display:none}
header.top .btn{padding:5px 12px;font-size:.88rem}
main{padding:18px 12px 36px}
.card{padding:14px 14px}
.grid2,.actions{grid-template-columns:minmax(0,1fr)}
h1{font-size:1.35rem}
td.k{white-space:normal}
main td,main code,.step-url{overflow-wrap:anywhere}
main td.k{overflow-wrap:normal;word-break:normal;min-width:6.5em}
.scroll>table{min-width:560px}.scroll td.k{white-space:nowrap}
ul.checks li{flex-wrap:wrap}ul.checks li>span{min-width:0;overflow-wrap:anywhere}
ol.timeline>li{padding-left:36px}
table.claims col.c1{width:30%}table.claims col.c3{width:30%}
}
footer{max-width:1040px;margin:0 auto;padding:0 24px 32px;color:var(--muted);font-size:.82rem}
`;
