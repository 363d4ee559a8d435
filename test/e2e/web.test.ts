/**
 * The web page in a real browser: Debian's Chromium driven by playwright-core against the real
 * `facekit serve` command (what `npm start` runs) on a free port with a temp SQLite gallery. Enrolls two people from photo files, identifies
 * them in the group photo, verifies a pair, enrolls a third through the (fake) camera, deletes a
 * person; saves a screenshot of each page to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { faceCrop, faceCropFiles, faceVideoY4m, GROUP_PHOTO, whichGroupFace } from '../service/photos.ts';

// FACEKIT_CHROMIUM: another Chromium build (default: Debian's package)
const CHROMIUM = process.env.FACEKIT_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const skip = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}: install it with "apt-get install -y chromium" to run the web page test`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Waits until the spawned server answers /health (it compiles and loads models first). */
async function waitForHealth(base: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`facekit serve exited with ${proc.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`facekit serve did not answer /health within 180 s:\n${log()}`);
}

describe('web page in Chromium', { skip }, () => {
  let server: ChildProcess | undefined;
  let serverLog = '';
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let work: string;
  let files: string[];
  let smallA: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'facekit-e2e-'));
    ({ files } = await faceCropFiles(2));
    smallA = join(work, 'person-A-small.jpg');
    writeFileSync(smallA, await faceCrop(0, 0.6));
    // Chromium's fake camera plays this file: person C, whom only the camera enrolls
    const video = join(work, 'camera-C.y4m');
    writeFileSync(video, await faceVideoY4m(2));
    const port = await freePort();
    server = spawn(process.execPath, [
      'bin/facekit.js', 'serve', '--port', String(port), '--db', join(work, 'gallery.db'),
      '--keys-file', join(work, 'keys.json'), '--audit-log', join(work, 'audit.jsonl'),
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d) => { serverLog += d; });
    server.stderr!.on('data', (d) => { serverLog += d; });
    base = `http://127.0.0.1:${port}`;
    await waitForHealth(base, server, () => serverLog);
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`,
      ],
      viewport: { width: 1000, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await context?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function enroll(name: string, file: string): Promise<void> {
    await page.fill('#enroll-name', name);
    await page.setInputFiles('#enroll-files', file);
    await page.click('#enroll-submit');
    await page.waitForFunction((n) => document.getElementById('enroll-result')?.textContent?.startsWith(`Enrolled ${n}`), name);
  }

  it('serves the page at / with its scripts', async () => {
    const res = await page.goto(`${base}/`);
    assert.equal(res?.status(), 200);
    assert.equal(await page.title(), 'facekit');
    assert.equal(await page.isVisible('#page-enroll'), true);
  });

  it('enrolls two people from photo files', async () => {
    await enroll('Alice', files[0]);
    await enroll('Bob', files[1]);
    // a photo without exactly one face is refused with the server's message
    await page.fill('#enroll-name', 'Crowd');
    await page.setInputFiles('#enroll-files', GROUP_PHOTO);
    await page.click('#enroll-submit');
    await page.waitForFunction(() => document.getElementById('enroll-result')?.textContent?.startsWith('Could not enroll'));
    assert.match((await page.textContent('#enroll-result')) ?? '', /MANY_FACES/);
    await page.screenshot({ path: join(ARTIFACTS, 'enroll.png'), fullPage: true });
  });

  it('identifies them in the group photo, boxes and names drawn on the canvas', async () => {
    await page.goto(`${base}/#identify`);
    const response = page.waitForResponse((r) => r.url().endsWith('/v1/identify'));
    await page.setInputFiles('#identify-file', GROUP_PHOTO);
    const body = (await (await response).json()) as { faces: { box: { x: number; y: number; w: number; h: number }; match: { name: string } | null }[] };
    await page.waitForFunction(() => /recognised/.test(document.getElementById('identify-result')?.textContent ?? ''));
    assert.equal(await page.textContent('#identify-result'), '3 face(s), 2 recognised.');
    const names = new Map(body.faces.map((f) => [whichGroupFace(f.box), f.match?.name ?? null]));
    assert.deepEqual([names.get(0), names.get(1), names.get(2)], ['Alice', 'Bob', null]);
    const items = await page.locator('#identify-list li').allTextContents();
    assert.equal(items.filter((t) => /Alice|Bob/.test(t)).length, 2);
    // the box of a recognised face is drawn in green, the stranger's in red (left edge, mid-height)
    const colorAt = (box: { x: number; y: number; h: number }) => page.evaluate(([x, y]) => {
      const c = document.getElementById('identify-canvas') as HTMLCanvasElement;
      return Array.from(c.getContext('2d')!.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3));
    }, [box.x, box.y + box.h / 2]);
    const known = body.faces.find((f) => f.match)!.box;
    const stranger = body.faces.find((f) => !f.match)!.box;
    const [kr, kg] = await colorAt(known);
    const [sr, sg] = await colorAt(stranger);
    assert.ok(kg > 120 && kr < 80, `known box colour ${kr},${kg}`);
    assert.ok(sr > 180 && sg < 60, `stranger box colour ${sr},${sg}`);
    await page.screenshot({ path: join(ARTIFACTS, 'identify.png'), fullPage: true });
  });

  it('verifies a pair side by side with distance, threshold and confidence', async () => {
    await page.goto(`${base}/#verify`);
    await page.setInputFiles('#verify-file1', files[0]);
    await page.setInputFiles('#verify-file2', smallA);
    await page.click('#verify-submit:not([disabled])');
    await page.waitForSelector('#verify-verdict');
    assert.equal(await page.textContent('#verify-verdict'), 'Same person');
    const facts = Object.fromEntries(
      await page.locator('#verify-result dl div').evaluateAll((divs) => divs.map((d) => [d.querySelector('dt')!.textContent, d.querySelector('dd')!.textContent])),
    ) as Record<string, string>;
    assert.ok(Number(facts.Distance) < Number(facts.Threshold), JSON.stringify(facts));
    assert.match(facts.Confidence, /^\d+(\.\d)?%$/);

    await page.setInputFiles('#verify-file2', files[1]);
    await page.click('#verify-submit:not([disabled])');
    await page.waitForFunction(() => document.getElementById('verify-verdict')?.textContent === 'Different people');
    // the fusion of two recognizers, chosen on the page, answers with its own fused score
    await page.selectOption('#verify-model', 'fusion');
    await page.click('#verify-submit:not([disabled])');
    await page.waitForFunction(() => /\(fused\)$/.test(document.querySelector('#verify-result dl')?.textContent ?? ''));
    assert.equal(await page.textContent('#verify-verdict'), 'Different people');
    await page.screenshot({ path: join(ARTIFACTS, 'verify.png'), fullPage: true });
  });

  it('enrolls a person from the camera, who is then recognised too', async () => {
    await page.goto(`${base}/#enroll`);
    await page.setInputFiles('#enroll-files', []); // the refused group photo is still chosen
    await page.click('#camera-start');
    await page.waitForFunction(() => (document.getElementById('camera-video') as HTMLVideoElement).videoWidth > 0);
    await page.click('#camera-shoot');
    await page.waitForFunction(() => document.querySelectorAll('#enroll-thumbs img').length === 1);
    await page.fill('#enroll-name', 'Carol');
    await page.click('#enroll-submit');
    await page.waitForFunction(() => /^(Enrolled|Could not)/.test(document.getElementById('enroll-result')?.textContent ?? ''));
    assert.equal(await page.textContent('#enroll-result'), 'Enrolled Carol with 1 face(s).');
    await page.screenshot({ path: join(ARTIFACTS, 'enroll-camera.png'), fullPage: true });
    await page.click('#camera-stop');
    assert.equal(await page.isVisible('#camera-video'), false);

    await page.goto(`${base}/#identify`);
    await page.setInputFiles('#identify-file', []); // the same document: the group photo is still chosen
    await page.setInputFiles('#identify-file', GROUP_PHOTO);
    await page.waitForFunction(() => /recognised/.test(document.getElementById('identify-result')?.textContent ?? ''));
    assert.equal(await page.textContent('#identify-result'), '3 face(s), 3 recognised.');
    assert.ok((await page.locator('#identify-list li').allTextContents()).some((t) => t.includes('Carol')));
  });

  it('lists people and deletes one', async () => {
    await page.goto(`${base}/#people`);
    await page.waitForFunction(() => document.querySelectorAll('#people-list li').length === 3);
    assert.match((await page.textContent('#people-summary')) ?? '', /^3 people, 3 faces$/);
    // Alice's faces: the file enrollment plus one added through the API, which the page removes
    const alice = ((await (await fetch(`${base}/v1/people`)).json()) as { people: { id: string; name: string }[] }).people.find((p) => p.name === 'Alice')!;
    const form = new FormData();
    form.append('images', new Blob([new Uint8Array(await faceCrop(0, 0.6))], { type: 'image/jpeg' }), 'a.jpg');
    assert.equal((await fetch(`${base}/v1/people/${alice.id}/faces`, { method: 'POST', body: form })).status, 201);
    await page.reload();
    await page.click('button[aria-label="Faces of Alice"]');
    await page.waitForFunction(() => document.querySelectorAll('ul.faces li').length === 2);
    await page.click('ul.faces li:first-child button');
    await page.waitForFunction(() => /^3 people, 3 faces$/.test(document.getElementById('people-summary')?.textContent ?? '') && !document.querySelector('ul.faces'));
    assert.equal(((await (await fetch(`${base}/v1/people/${alice.id}`)).json()) as { faceCount: number }).faceCount, 1);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, 'people-phone.png'), fullPage: true });
    page.once('dialog', (d) => void d.accept());
    await page.click('button[aria-label="Delete Bob"]');
    await page.waitForFunction(() => document.querySelectorAll('#people-list li').length === 2);
    assert.deepEqual((await page.locator('#people-list li strong').allTextContents()).sort(), ['Alice', 'Carol']);
    const res = await fetch(`${base}/v1/people`);
    const list = (await res.json()) as { people: { name: string }[] };
    assert.deepEqual(list.people.map((p) => p.name).sort(), ['Alice', 'Carol']);
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.screenshot({ path: join(ARTIFACTS, 'people.png'), fullPage: true });
  });
});
