/**
 * The app as a user first meets it: browser mode in Chromium, found by roles and names.
 */
import { mkdir } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  expect(await host.stop()).toBe(0);
});

test('a new profile shows the empty state: add your first account', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });

  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Add your first account' })).toBeVisible();
  // The one-time token leaves the address bar once traded for the cookie.
  expect(page.url()).toBe(`${host.origin}/`);
  await expect(page).toHaveTitle('Petrel');

  await mkdir('artifacts', { recursive: true });
  const screenshot = await page.screenshot({ path: 'artifacts/empty-state.png' });
  await testInfo.attach('empty-state', { body: screenshot, contentType: 'image/png' });
  expect(errors).toEqual([]);
});

test('a second tab is told Petrel is open elsewhere, and can take over', async ({ context }) => {
  const first = await context.newPage();
  await first.goto(host.url);
  await expect(first.getByRole('heading', { name: 'Add your first account' })).toBeVisible();

  const second = await context.newPage();
  await second.goto(`${host.origin}/`);
  await expect(
    second.getByRole('heading', { name: 'Petrel is open in another tab' }),
  ).toBeVisible();

  await second.getByRole('button', { name: 'Use Petrel here' }).click();
  await expect(second.getByRole('heading', { name: 'Add your first account' })).toBeVisible();
  await expect(
    first.getByRole('heading', { name: 'Petrel was opened in another tab' }),
  ).toBeVisible();

  await first.getByRole('button', { name: 'Use Petrel here' }).click();
  await expect(first.getByRole('heading', { name: 'Add your first account' })).toBeVisible();
  await expect(
    second.getByRole('heading', { name: 'Petrel was opened in another tab' }),
  ).toBeVisible();
});

test('a page without the token is refused, and says what to do', async ({ page }) => {
  const response = await page.goto(`${host.origin}/`);
  expect(response?.status()).toBe(401);
  await expect(page.getByText('link it printed')).toBeVisible();
});

test('the host says when it has stopped', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Add your first account' })).toBeVisible();
  host.process.kill('SIGTERM');
  await expect(page.getByRole('heading', { name: 'Petrel is not running' })).toBeVisible();
});
