/**
 * The Groups, Admin and Registrations pages over HTTP: the real web app (MSAL, the demo
 * registration from dev.json) against the real emulator, signed in through its login form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDemoWeb } from './helpers/emulator-sign-in.ts';
import type { DemoWeb } from './helpers/emulator-sign-in.ts';

let web: DemoWeb;
before(async () => {
  web = await startDemoWeb();
});
after(async () => {
  await web?.close();
});

/** `<tr data-group="NAME" data-depth="N">…<td class="m">PATH</td></tr>` rows of the Groups page. */
function groupRows(page: string): Array<{ name: string; depth: number; path: string }> {
  return [...page.matchAll(/<tr data-group="([^"]+)" data-depth="(\d+)">.*?<td class="m">([^<]*)<\/td><\/tr>/g)].map((m) => ({
    name: m[1]!,
    depth: Number(m[2]),
    path: m[3]!.replace(/&amp;/g, '&'),
  }));
}

describe('groups page', () => {
  it('shows adele\'s groups four levels deep, each inherited group with its path, beside the groups claim', async () => {
    const browser = await web.signIn('adele', '/groups');
    const response = await browser.get('/groups');
    assert.equal(response.status, 200);
    const page = await response.text();
    assert.deepEqual(groupRows(page), [
      { name: 'Identity Team', depth: 0, path: 'Adele Vance › Identity Team' },
      { name: 'Platform', depth: 1, path: 'Adele Vance › Identity Team › Platform' },
      { name: 'Engineering', depth: 2, path: 'Adele Vance › Identity Team › Platform › Engineering' },
      { name: 'All Staff', depth: 3, path: 'Adele Vance › Identity Team › Platform › Engineering › All Staff' },
    ]);
    // The tree nests each group under the one it is a member of.
    assert.match(page, /<ul class="tree"><li><strong>Identity Team<\/strong>.*?<ul class="tree"><li><strong>Platform<\/strong>.*?<ul class="tree"><li><strong>Engineering<\/strong>.*?<ul class="tree"><li><strong>All Staff<\/strong>/s);
    // The ID token's groups claim lists the same four ids.
    const claim = /<div class="card" id="claim">([\s\S]*?)<\/div>/.exec(page)?.[1] ?? '';
    assert.equal([...claim.matchAll(/<li><code>([0-9a-f-]{36})<\/code>/g)].length, 4);
    assert.match(page, /client credentials/);
    assert.doesNotMatch(page, /id="overage"/);
  });

  it('resolves the groups overage: nestor\'s ID token has _claim_names, the page reads his 210 groups from Graph over 3 pages', async () => {
    const browser = await web.signIn('nestor', '/groups');
    const page = await (await browser.get('/groups')).text();
    assert.match(page, /id="overage"/);
    assert.match(page, /data-resolved="210"/);
    assert.match(page, /read in 3 pages/);
    assert.match(page, new RegExp(`<code>${web.emulator.url.replace(/[.]/g, '\\.')}/v1\\.0/users/[0-9a-f-]{36}/getMemberObjects</code>`));
    const rows = groupRows(page);
    assert.equal(rows.length, 210);
    assert.ok(rows.every((r) => r.depth === 0 && /^Project \d{3}$/.test(r.name)));
  });
});

describe('admin pages', () => {
  it('opens /admin for adele (Admin role in her ID token), listing the local user records', async () => {
    await web.signIn('alex', '/');
    const browser = await web.signIn('adele', '/admin');
    const response = await browser.get('/admin');
    assert.equal(response.status, 200);
    const page = await response.text();
    assert.match(page, /your ID token's <code>roles<\/code>: Admin\)/);
    const users = [...page.matchAll(/<tr data-user="([^"]+)">/g)].map((m) => m[1]).sort();
    assert.ok(users.includes('adele@entrakitdemo.onmicrosoft.com') && users.includes('alex@entrakitdemo.onmicrosoft.com'), users.join(','));
  });

  it('answers 403 to alex and megan, naming the missing role', async () => {
    for (const alias of ['alex', 'megan']) {
      const browser = await web.signIn(alias, '/');
      for (const path of ['/admin', '/admin/registrations']) {
        const response = await browser.get(path);
        assert.equal(response.status, 403, `${alias} ${path}`);
        assert.equal(response.headers.get('x-entrakit-error'), 'ROLE_REQUIRED');
        const page = await response.text();
        assert.match(page, /<h1>You need the Admin role<\/h1>/);
        assert.match(page, /none: no app role of this app is assigned to you/);
      }
    }
  });

  it('sends an anonymous visitor to sign in', async () => {
    const response = await web.app.fetch(new Request('http://localhost:5000/admin'));
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/auth/sign-in?returnTo=%2Fadmin');
  });

  it('lists registrations and service principals with permissions by name', async () => {
    const browser = await web.signIn('adele', '/admin/registrations');
    const response = await browser.get('/admin/registrations');
    assert.equal(response.status, 200);
    const page = await response.text();
    const web_ = /<tr data-app="entrakit web">([\s\S]*?)<\/tr>/.exec(page)?.[1] ?? '';
    for (const name of ['User.Read', 'GroupMember.Read.All', 'Application.Read.All', 'user_impersonation']) assert.match(web_, new RegExp(`<strong>${name.replace(/\./g, '\\.')}</strong>`));
    const sp = /<tr data-sp="entrakit web">([\s\S]*?)<\/tr>/.exec(page)?.[1] ?? '';
    assert.match(sp, /application<\/span> Microsoft Graph: <strong>GroupMember\.Read\.All<\/strong>/);
    assert.match(sp, /delegated<\/span> Microsoft Graph: <strong>User\.Read<\/strong>/);
    assert.doesNotMatch(page, /Granted permissions could not be read/);
  });
});
