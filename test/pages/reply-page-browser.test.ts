// The reply page in a real browser (Debian's Chromium, driven by playwright-core): the invitation
// link is taken from an e-mail the real relay and mail worker delivered to a local smtp-server
// (real Redis under a queue prefix of this test's own); the stakeholder accepts, comments on a
// section using only the keyboard and sees the comment listed with its reference; a ministry
// endorses; a removed stakeholder's link is refused. axe (@axe-core/playwright) finds no
// violation on each page, also after each interaction. Every wait is for an element or a
// navigation, never a sleep.
import { AxeBuilder } from '@axe-core/playwright';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { chromium, type Page } from 'playwright-core';
import t, { type Test } from 'tap';
import type { MailSettings } from '../../src/mail/compose.ts';
import { createMailer } from '../../src/mail/transport.ts';
import { inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';
import { MAIL_SETTINGS, startMail, until } from '../helpers/mail-system.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';

t.setTimeout(240_000);

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

async function noViolations(t: Test, page: Page, when: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  if (results.passes.length === 0) throw new Error(`axe checked nothing ${when}`); // it ran on the page (the CSP did not keep it out)
  t.same(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `axe: no violations ${when}`);
}

/** Presses Tab until the focused element is the one `selector` finds (at most `max` presses). */
async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement !== null && document.activeElement === document.querySelector(s), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

t.test('the invitation e-mail\'s link, in Chromium: accept, comment by keyboard, endorse, refused once removed; axe at every step', async (t) => {
  const api = await startApi(t);
  const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const settings: MailSettings = { ...MAIL_SETTINGS, publicUrl: address };
  const sink = await startSmtpSink(t);
  const logger = pino({ level: 'silent' });
  const mailer = createMailer({ kind: 'smtp', url: sink.url }, { logger, smtp: { connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 5_000 } });
  await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, sink, mail: { mailer, settings } });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  t.teardown(() => browser.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);

  const id = await openConsultation(api);
  const cso = await inviteThroughApi(api, id, {
    organisation: 'Women in Peace Network', kind: 'civil-society', language: 'en', endorser: false, contacts: [{ name: 'Ioana Marin', email: 'ioana@wipn.example' }],
  });
  const linkFor = async (email: string) => {
    await until(`the invitation to ${email}`, () => sink.received.some((r) => r.rcptTo.includes(email)), 60_000);
    const mail = await simpleParser(sink.received.find((r) => r.rcptTo.includes(email))!.raw);
    const link = new RegExp(`${address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/r/[A-Za-z0-9._%-]+`).exec(mail.text ?? '')?.[0];
    if (!link) throw new Error(`no personal link in the invitation to ${email}`);
    return link;
  };
  const link = await linkFor('ioana@wipn.example');

  const opened = await page.goto(link);
  t.equal(opened?.status(), 200);
  await page.getByRole('heading', { level: 1, name: 'Third National Action Plan on Women, Peace and Security' }).waitFor();
  t.equal(opened?.headers()['referrer-policy'], 'no-referrer');
  await noViolations(t, page, 'on the page as opened');

  await Promise.all([page.waitForURL(/done=accepted/), page.getByRole('button', { name: 'Accept the invitation' }).click()]);
  await page.getByRole('status').getByText('Thank you: your organisation takes part.').waitFor();
  await noViolations(t, page, 'after accepting');

  // the comment, keyboard only: from the top of the page to the section's link, then through the form
  await page.locator('body').focus();
  await tabTo(page, 'a[href*="section=s2"]');
  await Promise.all([page.waitForURL(/section=s2/), page.keyboard.press('Enter')]);
  await tabTo(page, '#comment-section');
  t.equal(await page.locator('#comment-section').inputValue(), 's2', 'the section\'s link chose it');
  await tabTo(page, '#comment-text');
  await page.keyboard.type('Name the shelters, and fund them in every county.');
  await tabTo(page, '#comment-proposed');
  await page.keyboard.type('Shelters in every county by 2029.');
  await tabTo(page, '#comment button[type="submit"]');
  await Promise.all([page.waitForURL(/done=comment/), page.keyboard.press('Enter')]);
  await page.getByRole('status').getByText(/Your comment was recorded as C-1/).waitFor();
  const listed = page.locator('#comment-C-1');
  await listed.waitFor();
  t.match(await listed.innerText(), /C-1 On section s2: Protection \(version 1\)/);
  t.match(await listed.innerText(), /Name the shelters, and fund them in every county\./);
  await noViolations(t, page, 'after commenting');

  const sent = await page.goto(`${link}?lang=ro`);
  t.equal(sent?.status(), 200);
  t.equal(await page.locator('html').getAttribute('lang'), 'ro');
  await noViolations(t, page, 'in Romanian');

  // as a ministry: endorse
  const ministry = await inviteThroughApi(api, id, {
    organisation: 'Ministry of Foreign Affairs', kind: 'ministry', language: 'en', endorser: true, contacts: [{ name: 'Ana Popescu', email: 'ana@mae.example' }],
  });
  const requested = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2099-07-30T17:00:00+03:00' } });
  t.equal(requested.statusCode, 201, requested.body);
  const ministryPage = await context.newPage();
  ministryPage.setDefaultTimeout(30_000);
  await ministryPage.goto(await linkFor('ana@mae.example'));
  await ministryPage.getByRole('heading', { name: 'Endorsement of version 1' }).waitFor();
  await noViolations(t, ministryPage, 'on the ministry\'s page');
  await ministryPage.getByLabel('Name of the signatory').fill('Ana Popescu');
  await ministryPage.getByLabel('Title of the signatory').fill('Secretary of State');
  await Promise.all([ministryPage.waitForURL(/done=endorsed/), ministryPage.getByRole('button', { name: 'Endorse this version' }).click()]);
  await ministryPage.getByRole('status').getByText('Your endorsement was recorded.').waitFor();
  t.match(await ministryPage.locator('#endorsement').innerText(), /Endorsed by Ana Popescu, Secretary of State/);
  await noViolations(t, ministryPage, 'after endorsing');
  const signOff = (await api.call({ url: `/consultations/${id}/sign-off` })).json();
  t.equal(signOff.endorsers.find((e: { stakeholderId: string }) => e.stakeholderId === ministry)?.status, 'endorsed');

  // removed: the same link is refused
  t.equal((await api.call({ method: 'DELETE', url: `/consultations/${id}/stakeholders/${cso}` })).statusCode, 200);
  const refused = await page.goto(link);
  t.equal(refused?.status(), 403);
  await page.getByRole('heading', { level: 1, name: 'This link no longer works' }).waitFor();
  t.equal(await page.getByText('Name the shelters').count(), 0, 'nothing of the consultation shows');
  await noViolations(t, page, 'on the refused link\'s page');
  await Promise.all([page.waitForURL(/done=new-link/), page.getByRole('button', { name: 'Ask the coordinator for a new link' }).click()]);
  await page.getByRole('status').getByText('Your request was passed on to the coordinator.').waitFor();
  await noViolations(t, page, 'after asking for a new link');
  await context.close();
});
