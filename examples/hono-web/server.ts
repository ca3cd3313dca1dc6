// Sign-in with Entra ID in a Hono app. Settings: AZURE_TENANT_ID, AZURE_CLIENT_ID,
// AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST, PORT (default 5000), STORE_URL (default memory:).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createWebAuth } from 'entrakit/web';

const entra = createWebAuth();
const app = new Hono();
app.use(entra.hono());
const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

app.get('/', (c) => {
  const user = entra.user(c);
  return c.html(`<h1>Home</h1><p>${user ? `Signed in as ${esc(user.name)}` : 'Not signed in'}</p><a href="/profile">Profile</a>`);
});

app.get('/profile', entra.requireSignIn(), async (c) => {
  const user = entra.user(c)!;
  const me = (await (await entra.graph(c, '/me', { scopes: ['User.Read'] })).json()) as { displayName?: string };
  return c.html(`<h1>Profile</h1>
<p>name: <span id="name">${esc(user.name)}</span></p>
<p>preferred_username: <span id="username">${esc(user.username)}</span></p>
<p>Graph displayName: <span id="displayName">${esc(me.displayName)}</span></p>
<form method="post" action="/auth/sign-out"><input type="hidden" name="csrf" value="${esc(entra.csrfToken(c))}"><button>Sign out</button></form>`);
});

const port = Number(process.env.PORT ?? 5000);
serve({ fetch: app.fetch, port }, () => console.log(`listening on http://localhost:${port}`));
