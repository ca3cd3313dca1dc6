// Sign-in with Entra ID in an Express app. Settings: AZURE_TENANT_ID, AZURE_CLIENT_ID,
// AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST, PORT (default 5000), STORE_URL (default memory:).
import express from 'express';
import { createWebAuth } from 'entrakit/web';

const entra = createWebAuth();
const app = express();
app.use(entra.express());
const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

app.get('/', (req, res) => {
  const user = entra.user(req);
  res.send(`<h1>Home</h1><p>${user ? `Signed in as ${esc(user.name)}` : 'Not signed in'}</p><a href="/profile">Profile</a>`);
});

app.get('/profile', entra.requireSignIn(), async (req, res) => {
  const user = entra.user(req)!;
  const me = (await (await entra.graph(req, '/me', { scopes: ['User.Read'] })).json()) as { displayName?: string };
  res.send(`<h1>Profile</h1>
<p>name: <span id="name">${esc(user.name)}</span></p>
<p>preferred_username: <span id="username">${esc(user.username)}</span></p>
<p>Graph displayName: <span id="displayName">${esc(me.displayName)}</span></p>
<form method="post" action="/auth/sign-out"><input type="hidden" name="csrf" value="${esc(entra.csrfToken(req))}"><button>Sign out</button></form>`);
});

app.use(entra.expressErrors());
const port = Number(process.env.PORT ?? 5000);
app.listen(port, (error) => {
  if (error) throw error; // Express 5 hands a failed listen (EADDRINUSE) to this callback
  console.log(`listening on http://localhost:${port}`);
});
