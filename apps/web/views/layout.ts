import { html, raw } from 'hono/html';
import { STYLES } from './styles.ts';

export type Html = ReturnType<typeof html>;

export type NavKey = 'home' | 'profile' | 'tokens' | 'trace' | 'story' | 'sessions' | 'lab' | 'groups' | 'admin' | 'sign-out' | 'none';

export interface PageFrame {
  title: string;
  nonce: string;
  active: NavKey;
  /** The signed-in user, for the header; undefined when anonymous. */
  user: { name: string | null; username: string | null } | undefined;
}

const NAV: Array<{ key: NavKey; href: string; label: string; signedIn: boolean }> = [
  { key: 'home', href: '/', label: 'Home', signedIn: false },
  { key: 'profile', href: '/profile', label: 'Profile', signedIn: true },
  { key: 'tokens', href: '/tokens', label: 'Tokens', signedIn: true },
  { key: 'trace', href: '/trace', label: 'Trace', signedIn: true },
  { key: 'story', href: '/story', label: 'Story', signedIn: true },
  { key: 'sessions', href: '/sessions', label: 'Sessions', signedIn: false },
  { key: 'lab', href: '/lab', label: 'Break it', signedIn: true },
  { key: 'groups', href: '/groups', label: 'Groups', signedIn: true },
  { key: 'admin', href: '/admin', label: 'Admin', signedIn: true },
];

/** The shared page frame: header with navigation and the user, then the page body. */
export function layout(frame: PageFrame, body: Html): Html {
  const links = NAV.filter((item) => !item.signedIn || frame.user).map(
    (item) => html`<a href="${item.href}" class="${item.key === frame.active ? 'active' : ''}">${item.label}</a>`,
  );
  const who = frame.user
    ? html`<div class="who"><strong>${frame.user.name ?? 'Signed in'}</strong><span class="upn">${frame.user.username ?? ''}</span></div>
        <a class="btn secondary" href="/sign-out">Sign out</a>`
    : html`<a class="btn" href="/auth/sign-in">Sign in</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${frame.title} · entrakit web</title>
<style nonce="${frame.nonce}">${raw(STYLES)}</style>
</head>
<body>
<header class="top"><div class="bar">
<a class="brand" href="/">entrakit <span>web</span></a>
<nav class="main">${links}</nav>
${who}
</div></header>
<main>
${body}
</main>
<footer>entrakit reference web app · OpenID Connect with Microsoft Entra ID · tokens are never sent to this page, only their decoded claims.</footer>
</body>
</html>`;
}
