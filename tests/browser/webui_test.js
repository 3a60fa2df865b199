// The WebUI in a real browser (Debian's headless Chromium driven by playwright-core): asks for
// the API token, uploads a photo through the file picker, presses the button, and checks the
// lines, the boxes drawn over the image, copy-all, paste and drag-and-drop.
//
// Run by tools/browser_test.sh, which starts the server. Environment:
//   CRNN_OCR_URL    the server's base URL (http://127.0.0.1:PORT/)
//   CRNN_OCR_TOKEN  the API token the server requires
//   CRNN_SAMPLES    folder with the sample images (../shared/samples)
//   CRNN_ARTIFACTS  folder for screenshots (optional)
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const baseUrl = process.env.CRNN_OCR_URL;
const token = process.env.CRNN_OCR_TOKEN;
const samples = process.env.CRNN_SAMPLES;
const artifacts = process.env.CRNN_ARTIFACTS || '';
const photo = path.join(samples, 'PaddleOCR-ONNX-Sample_sample.jpg');
const word = path.join(samples, 'Light-STR-Competition-No.5_doc_imgs_words_ch_word_1.jpg');

async function apiResults(file, detect) {
  const form = new FormData();
  form.append('image', new Blob([fs.readFileSync(file)]), path.basename(file));
  form.append('detect', detect ? 'true' : 'false');
  const response = await fetch(new URL('ocr', baseUrl), { method: 'POST', body: form, headers: { 'X-API-Token': token } });
  assert.equal(response.status, 200, 'the API itself answers');
  return (await response.json()).results;
}

async function displayedLines(page) {
  return page.$$eval('#result-lines li', (items) =>
    items.map((li) => ({ text: li.querySelector('.text').textContent, confidence: li.querySelector('.conf').textContent })));
}

async function waitForResults(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll('#result-lines li').length === n, count, { timeout: 60000 });
}

async function run(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  // Chromium reports every non-2xx response on the console; the 401 and 400 (not an image) this test provokes
  // are expected. Script errors and CSP refusals ("Refused to ...") are not.
  const expectedNetworkError = /^Failed to load resource: the server responded with a status of (400|401)\b/;
  page.on('console', (m) => {
    if (m.type() === 'error' && !expectedNetworkError.test(m.text())) problems.push('console error: ' + m.text());
  });

  await page.goto(baseUrl);
  assert.match(await page.textContent('#run-button'), /开始高精度识别/);
  assert.match(await page.textContent('#upload-title'), /上传图片.*Upload/);
  assert.equal(await page.isDisabled('#run-button'), true, 'nothing to read before an image is chosen');

  // File picker -> button -> the service wants a token -> the page asks for it.
  await page.setInputFiles('#file-input', photo);
  await page.waitForFunction(() => document.getElementById('preview-image').naturalWidth > 0);
  await page.click('#run-button');
  await page.waitForSelector('#token-dialog[open]', { timeout: 10000 });
  await page.fill('#token-input', 'not-the-token');
  await page.click('#token-save');
  await page.waitForSelector('#token-dialog[open]', { timeout: 10000 });
  assert.match(await page.textContent('#status'), /令牌无效|not accepted/, 'a wrong token is reported');
  await page.fill('#token-input', token);
  await page.click('#token-save');

  const expected = await apiResults(photo, true);
  assert.ok(expected.length >= 3, 'the sample photo has several lines');
  await waitForResults(page, expected.length);
  const lines = await displayedLines(page);
  assert.deepEqual(lines.map((l) => l.text), expected.map((r) => r.text), 'each line\'s text, in order');
  lines.forEach((l, i) => assert.equal(l.confidence, (expected[i].confidence * 100).toFixed(1) + '%'));
  assert.ok(lines.some((l) => l.text.includes('Japan')), 'the sign is read');
  assert.match(await page.textContent('#summary'), new RegExp(`${expected.length} lines`));

  // The boxes: one polygon per line, at the API's coordinates, over the image and visible.
  const overlay = await page.evaluate(() => {
    const image = document.getElementById('preview-image');
    const svg = document.getElementById('overlay');
    const imageBox = image.getBoundingClientRect();
    return {
      viewBox: svg.getAttribute('viewBox'),
      natural: [image.naturalWidth, image.naturalHeight],
      imageBox: { x: imageBox.x, y: imageBox.y, width: imageBox.width, height: imageBox.height },
      polygons: Array.from(svg.querySelectorAll('polygon')).map((p) => {
        const r = p.getBoundingClientRect();
        return { points: p.getAttribute('points'), stroke: getComputedStyle(p).stroke, x: r.x, y: r.y, width: r.width, height: r.height };
      }),
    };
  });
  assert.equal(overlay.viewBox, `0 0 ${overlay.natural[0]} ${overlay.natural[1]}`);
  assert.equal(overlay.polygons.length, expected.length);
  const scale = overlay.imageBox.width / overlay.natural[0];
  overlay.polygons.forEach((p, i) => {
    assert.equal(p.points, expected[i].box.map((q) => q.join(',')).join(' '));
    assert.equal(p.stroke, 'rgb(208, 2, 27)');
    assert.ok(p.width > 10 && p.height > 3, 'a visible box');
    const xs = expected[i].box.map((q) => q[0]);
    assert.ok(Math.abs(p.x - (overlay.imageBox.x + Math.min(...xs) * scale)) < 2, 'drawn where the line is');
    assert.ok(p.x >= overlay.imageBox.x - 1 && p.x + p.width <= overlay.imageBox.x + overlay.imageBox.width + 1);
    assert.ok(p.y >= overlay.imageBox.y - 1 && p.y + p.height <= overlay.imageBox.y + overlay.imageBox.height + 1);
  });
  // The red strokes really are painted: sample the screenshot along the first box's top edge.
  if (artifacts) await page.screenshot({ path: path.join(artifacts, 'webui_results.png'), fullPage: true });
  const first = overlay.polygons[0];
  const strip = await page.screenshot({ clip: { x: first.x, y: first.y, width: first.width, height: Math.max(4, first.height) } });
  const redPixels = await page.evaluate(async (png) => {
    const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let red = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] > 150 && data[i + 1] < 90 && data[i + 2] < 90) ++red;
    return red;
  }, strip.toString('base64'));
  assert.ok(redPixels > first.width / 2, `the box outline is painted (${redPixels} red pixels)`);

  // Copy all.
  await page.click('#copy-all');
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('Copied'));
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(clipboard, expected.map((r) => r.text).join('\n'));

  // Paste an image from the clipboard, read it as one line.
  await page.uncheck('#opt-detect');
  await page.evaluate(async (bytes) => {
    const file = new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], 'pasted.jpg', { type: 'image/jpeg' });
    const data = new DataTransfer();
    data.items.add(file);
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, fs.readFileSync(word).toString('base64'));
  assert.equal(await page.textContent('#file-name'), 'pasted.jpg');
  assert.equal(await page.$$eval('#result-lines li', (l) => l.length), 0, 'a new image clears the old results');
  await page.click('#run-button');
  await waitForResults(page, 1);
  assert.deepEqual((await displayedLines(page)).map((l) => l.text), (await apiResults(word, false)).map((r) => r.text));
  assert.equal((await displayedLines(page))[0].text, '韩国小馆');

  // Drag and drop the photo back in.
  await page.evaluate(async (bytes) => {
    const file = new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], 'dropped.jpg', { type: 'image/jpeg' });
    const data = new DataTransfer();
    data.items.add(file);
    const zone = document.getElementById('dropzone');
    zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, fs.readFileSync(photo).toString('base64'));
  assert.equal(await page.textContent('#file-name'), 'dropped.jpg');
  await page.check('#opt-detect');
  await page.click('#run-button');
  await waitForResults(page, expected.length);

  // A server-side error is shown, not swallowed.
  await page.selectOption('#opt-enhance', 'gray');
  await page.evaluate(async () => {
    const file = new File(['this is not an image'], 'notes.png', { type: 'image/png' });
    const data = new DataTransfer();
    data.items.add(file);
    document.getElementById('dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await page.click('#run-button');
  await page.waitForSelector('#error:not([hidden])', { timeout: 30000 });
  assert.match(await page.textContent('#error'), /识别失败.*Recognition failed: .+/);

  assert.deepEqual(problems, [], 'no script errors or CSP violations');
  await page.close();
}

(async () => {
  for (const [name, value] of Object.entries({ CRNN_OCR_URL: baseUrl, CRNN_OCR_TOKEN: token, CRNN_SAMPLES: samples }))
    if (!value) throw new Error(`${name} is not set (run tools/browser_test.sh)`);
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'crnn-webui-'));
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const watchdog = setTimeout(() => { console.error('webui test: timed out'); process.exit(1); }, 180000);
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
    await run(context);
    console.log('webui test: passed');
  } finally {
    clearTimeout(watchdog);
    await context.close();
    fs.rmSync(userData, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error('webui test: FAILED\n' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
