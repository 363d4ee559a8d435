/** The Clusters view in Chromium: cluster a folder, see one row per person, name one. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { clusterFolder, createClusterService } from '../../src/cluster/index.ts';
import { buildServer, type FacekitServer } from '../../src/server/index.ts';
import { MemoryKeyStore } from '../../src/server/keys/store.ts';
import { installWebPage } from '../../src/service/web-page.ts';
import { FakeFaceService } from '../server/fake-service.ts';
import { buildFolder } from './photos.ts';

const CHROMIUM = process.env.FACEKIT_CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}: install it with "apt-get install -y chromium" to run the web page test`;
const ARTIFACTS = 'test-artifacts';
let root: string;
let app: FacekitServer;
let browser: Browser;
let base: string;
let truth: Record<string, string[]>;

before(async () => {
  if (skip) return;
  root = mkdtempSync(join(tmpdir(), 'facekit-cluster-web-'));
  truth = await buildFolder(join(root, 'photos'));
  // embedded here, so the page's request finds the faces cached and the browser waits only for the grouping
  await clusterFolder(join(root, 'photos'));
  app = await buildServer({ host: '127.0.0.1', port: 0, service: new FakeFaceService(), keyStore: new MemoryKeyStore(), clusters: createClusterService({ root }) });
  installWebPage(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
});
after(async () => {
  await browser?.close();
  await app?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('the Clusters page shows one row of faces per person and names a cluster', { skip, timeout: 240_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/#clusters`);
  await page.fill('#clusters-dir', 'photos');
  await page.click('#clusters-form button[type=submit]');
  await page.waitForSelector('#clusters-list li.cluster');
  const rows = await page.$$eval('#clusters-list li.cluster', (els) => els.map((e) => ({ id: (e as HTMLElement).dataset.cluster, faces: e.querySelectorAll('.cluster-faces img').length })));
  assert.equal(rows.length, 3, JSON.stringify(rows));
  assert.deepEqual(rows.map((r) => r.faces), [4, 4, 4]);
  // thumbnails load (fetched with the API key header, shown as object URLs)
  await page.waitForFunction(() => [...document.querySelectorAll('.cluster-faces img')].every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
  await page.fill('#clusters-list li.cluster:first-child input', 'Ann');
  await page.click('#clusters-list li.cluster:first-child button');
  await page.waitForFunction(() => /is now Ann/.test(document.getElementById('clusters-result')!.textContent ?? ''));
  await page.waitForSelector('#clusters-list li.cluster:first-child strong:has-text("Ann")');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'clusters-page.png'), fullPage: true });
  assert.ok(truth.ann.length === 3);
  await page.close();
});
