import { chromium } from 'playwright-core';
import { startStack } from './stack.ts';
const stack = await startStack();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'] });
const page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 800 } })).newPage();
await page.goto(`${stack.webUrl}/auth/sign-in`);
const u = stack.user('adele');
await page.locator('input[name="username"]').fill(u.username);
await page.locator('input[name="password"]').fill(u.password);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL(`${stack.webUrl}/`);
for (const [path, name, ys] of [['/tokens', 'tokens', [0, 700, 1400, 2100, 2800]], ['/trace', 'trace', [0, 700, 1400, 2100, 2800, 3500]]] as const) {
  await page.goto(`${stack.webUrl}${path}`);
  for (const y of ys) await page.screenshot({ path: `/tmp/clip-${name}-${y}.png`, fullPage: true, clip: { x: 0, y, width: 1200, height: 700 } });
}
await browser.close(); await stack.close();
