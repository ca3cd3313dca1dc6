import { Browser, type Page } from './browser.ts';

export interface JourneyUser {
  username: string;
  password: string;
  displayName: string;
}

/** The web app under test and how its four steps are reached. */
export interface JourneyTarget {
  /** entrakit: the reference app (dev stack); peer: express-openid-connect on node-oidc-provider;
   * library: the Express example on entrakit/web; eoc: Express + express-openid-connect (both on the emulator). */
  stack: 'entrakit' | 'peer' | 'library' | 'eoc';
  /** Where the web app listens. */
  webUrl: string;
  /**
   * The app's registered origin when it differs from where it listens (the emulator's demo
   * registration says http://localhost:5000): redirects to it are replayed to `webUrl`.
   */
  registeredOrigin?: string;
}

export const STEPS = ['sign-in', 'profile', 'story', 'sign-out'] as const;
export type Step = (typeof STEPS)[number];

export interface JourneyOutcome {
  /** Milliseconds per completed step. */
  ms: Partial<Record<Step, number>>;
  /** The step that failed and why (no tokens or secrets in it). */
  failure?: { step: Step; message: string };
  /** Pages that showed another simulated user's name: the worst failure there is. */
  leaks: string[];
}

/** `Bench User 007` and friends: every simulated user's name on a page. */
const USER_NAME = /Bench User \d{3}/g;

/**
 * One simulated user in a new browser (cookie jar): sign in with the password, open the profile
 * and the story, sign out; each page checked to show this user and nobody else.
 */
export async function runJourney(target: JourneyTarget, user: JourneyUser, only: readonly Step[] = STEPS): Promise<JourneyOutcome> {
  const browser = new Browser();
  const outcome: JourneyOutcome = { ms: {}, leaks: [] };
  const app = new URL(target.webUrl);
  // The two sign-in libraries compared on the emulator show the ID token's claims there.
  const profilePath = target.stack === 'library' || target.stack === 'eoc' ? '/claims' : '/profile';
  const rewrite = (url: URL) => (target.registeredOrigin && url.origin === target.registeredOrigin ? new URL(`${url.pathname}${url.search}`, app) : url);
  const show = (step: Step, page: Page) => {
    const names = new Set(page.body.match(USER_NAME) ?? []);
    names.delete(user.displayName);
    if (names.size > 0) outcome.leaks.push(`${step}: ${user.displayName} saw ${[...names].join(', ')}`);
  };
  const mustShowUser = (step: Step, page: Page) => {
    show(step, page);
    if (!page.body.includes(user.displayName)) throw new Error(`the page (HTTP ${page.status}, ${page.url.pathname}) does not show the signed-in user`);
  };
  const steps: Record<Step, () => Promise<void>> = {
    'sign-in': async () => {
      const start = target.stack === 'entrakit' || target.stack === 'library' ? '/auth/sign-in?returnTo=/' : '/login';
      let page = await browser.follow(await browser.get(new URL(start, app), 'sign-in'), 'sign-in', rewrite);
      page = await browser.submit(page, 'sign-in', { username: user.username, password: user.password });
      if (page.status === 200 && page.body.includes('value="accept"')) page = await browser.submit(page, 'consent', { action: 'accept' });
      page = await browser.follow(page, 'sign-in', rewrite);
      mustShowUser('sign-in', page);
    },
    profile: async () => mustShowUser('profile', await browser.follow(await browser.get(new URL(profilePath, app), 'profile'), 'profile', rewrite)),
    story: async () => {
      let page = await browser.follow(await browser.get(new URL('/story', app), 'story'), 'story', rewrite);
      // The first visit may ask for consent to the API, as it asks a person.
      if (page.status === 200 && page.body.includes('value="accept"')) page = await browser.follow(await browser.submit(page, 'story consent', { action: 'accept' }), 'story', rewrite);
      mustShowUser('story', page);
    },
    'sign-out': async () => {
      let page: Page;
      if (target.stack === 'entrakit') {
        const choice = await browser.get(new URL('/sign-out', app), 'sign-out');
        page = await browser.submit(choice, 'sign-out', {}, '/auth/sign-out/local');
      } else if (target.stack === 'library') {
        page = await browser.submit(await browser.get(new URL(profilePath, app), 'sign-out'), 'sign-out', {}, '/auth/sign-out');
      } else {
        page = await browser.get(new URL('/logout', app), 'sign-out');
      }
      page = await browser.follow(page, 'sign-out', rewrite);
      show('sign-out', page);
      if (page.body.includes(user.displayName)) throw new Error('still signed in after signing out');
      // The session must be gone on the server side too, not only the page.
      const profile = await browser.get(new URL(profilePath, app), 'sign-out');
      if (profile.status === 200 && profile.body.includes(user.displayName)) throw new Error('the profile still shows the user after signing out');
    },
  };
  for (const step of STEPS.filter((s) => only.includes(s))) {
    const started = performance.now();
    try {
      await steps[step]();
    } catch (error) {
      outcome.failure = { step, message: error instanceof Error ? error.message : String(error) };
      return outcome;
    }
    outcome.ms[step] = performance.now() - started;
  }
  return outcome;
}
