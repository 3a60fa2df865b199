#include "server/webui_page.h"

#include <cstdint>

#include "weights/checksum.h"

namespace crnn {
namespace {

// Labels are Chinese first, then English. Element ids are what tests/browser drives.
constexpr const char* kBody = R"HTML(
<header>
  <h1>crnn-ocr <span class="sub">文字识别 · Text recognition</span></h1>
  <button id="token-button" type="button" class="quiet" hidden>API 令牌 · Token</button>
</header>
<main>
  <section id="upload-panel" aria-labelledby="upload-title">
    <h2 id="upload-title">上传图片 · Upload an image</h2>
    <label id="dropzone" for="file-input" tabindex="0">
      <input id="file-input" type="file" accept="image/*">
      <span class="hint">点击选择、拖放或粘贴图片<small>Click to choose, drag and drop, or paste (Ctrl+V) an image</small></span>
      <span id="preview" hidden>
        <img id="preview-image" alt="待识别的图片 · Image to read">
        <svg id="overlay" preserveAspectRatio="none" aria-hidden="true"></svg>
      </span>
    </label>
    <p id="file-name"></p>
    <fieldset id="options">
      <legend>选项 · Options</legend>
      <label><input id="opt-detect" type="checkbox" checked> 检测文字区域 · Detect text regions <small>(关闭 = 整张图是一行 · off = the image is one line)</small></label>
      <label>图像增强 · Enhancement
        <select id="opt-enhance">
          <option value="none">无 · None</option>
          <option value="auto">自动 · Auto</option>
          <option value="gray">灰度 · Gray</option>
          <option value="clahe">局部对比度 · CLAHE</option>
          <option value="otsu">二值化 · Otsu</option>
        </select>
      </label>
    </fieldset>
    <button id="run-button" type="button" disabled>开始高精度识别<small>Start recognition</small></button>
    <p id="status" role="status" aria-live="polite"></p>
  </section>
  <section id="result-panel" aria-labelledby="result-title">
    <div class="bar">
      <h2 id="result-title">识别结果 · Results</h2>
      <button id="copy-all" type="button" disabled>复制全部 · Copy all</button>
    </div>
    <p id="summary"></p>
    <p id="error" role="alert" hidden></p>
    <ol id="result-lines"></ol>
  </section>
</main>
<dialog id="token-dialog">
  <form id="token-form">
    <h3>需要 API 令牌 · API token required</h3>
    <p>此服务需要令牌才能识别。令牌只保存在当前浏览器标签页中。<small>This service needs a token. It is kept only in this browser tab.</small></p>
    <input id="token-input" type="password" autocomplete="off" required aria-label="API 令牌 · API token">
    <div class="actions">
      <button id="token-cancel" type="button" class="quiet">取消 · Cancel</button>
      <button id="token-save" type="submit">确定 · OK</button>
    </div>
  </form>
</dialog>
)HTML";

constexpr const char* kStyle = R"CSS(
:root { color-scheme: light; --accent: #d0021b; --ink: #1d2330; --muted: #5c6577; --line: #dde1e8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: var(--ink); background: #f4f6f9; }
header { display: flex; align-items: center; justify-content: space-between; padding: 12px 24px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0; }
h1 .sub { font-weight: normal; color: var(--muted); font-size: 15px; margin-left: 8px; }
h2 { font-size: 16px; margin: 0 0 12px; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 20px; padding: 20px 24px; }
@media (max-width: 820px) { main { grid-template-columns: minmax(0, 1fr); } }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px; }
small { display: block; color: var(--muted); font-size: 12px; }
#dropzone { display: flex; align-items: center; justify-content: center; min-height: 220px; border: 2px dashed #b9c0cc; border-radius: 8px; cursor: pointer; text-align: center; padding: 12px; background: #fafbfc; }
#dropzone.dragging { border-color: var(--accent); background: #fff5f6; }
#dropzone.has-image .hint { display: none; }
#dropzone:focus-visible { outline: 3px solid #7aa7ff; }
#file-input { position: absolute; width: 1px; height: 1px; opacity: 0; }
#preview { position: relative; display: inline-block; max-width: 100%; line-height: 0; }
#preview[hidden] { display: none; }
#preview-image { display: block; max-width: 100%; max-height: 70vh; }
#overlay { position: absolute; left: 0; top: 0; width: 100%; height: 100%; pointer-events: none; }
#overlay polygon { fill: rgba(208, 2, 27, 0.10); stroke: var(--accent); stroke-width: 2; vector-effect: non-scaling-stroke; }
#overlay polygon.active { fill: rgba(255, 196, 0, 0.35); stroke: #e69500; }
#file-name { color: var(--muted); margin: 6px 0 0; min-height: 1.5em; word-break: break-all; }
fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; padding: 8px 12px; }
fieldset label { display: block; margin: 4px 0; }
fieldset small { display: inline; }
button { font: inherit; border-radius: 8px; border: 1px solid var(--line); background: #fff; padding: 6px 14px; cursor: pointer; }
button:disabled { opacity: 0.5; cursor: not-allowed; }
button.quiet { background: transparent; }
#run-button { width: 100%; padding: 12px; background: var(--accent); color: #fff; border: none; font-size: 17px; font-weight: 600; }
#run-button small { color: #ffe3e6; font-weight: normal; }
.bar { display: flex; align-items: center; justify-content: space-between; gap: 12px; }
.bar h2 { margin: 0; }
#summary { color: var(--muted); }
#error { color: #fff; background: #b00020; border-radius: 8px; padding: 8px 12px; white-space: pre-wrap; }
#result-lines { margin: 0; padding-left: 2.4em; }
#result-lines li { padding: 6px 4px; border-bottom: 1px solid #eef0f4; }
#result-lines li:hover { background: #fff8e1; }
#result-lines .text { font-size: 16px; word-break: break-all; }
#result-lines .conf { float: right; color: var(--muted); font-variant-numeric: tabular-nums; margin-left: 12px; }
#result-lines .conf.low { color: #b00020; }
dialog { border: 1px solid var(--line); border-radius: 10px; max-width: 420px; }
dialog input { width: 100%; padding: 8px; font: inherit; margin: 8px 0; }
dialog .actions { display: flex; justify-content: flex-end; gap: 8px; }
)CSS";

constexpr const char* kScript = R"JS(
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const TOKEN_KEY = 'crnn-ocr-token';
  const fileInput = $('file-input'), dropzone = $('dropzone'), preview = $('preview');
  const image = $('preview-image'), overlay = $('overlay'), runButton = $('run-button');
  const statusText = $('status'), errorText = $('error'), list = $('result-lines');
  const copyButton = $('copy-all'), summary = $('summary'), tokenButton = $('token-button');
  let currentFile = null, objectUrl = null, lines = [];

  const storedToken = () => sessionStorage.getItem(TOKEN_KEY) || '';
  const setStatus = (text) => { statusText.textContent = text; };
  const showError = (text) => { errorText.textContent = text; errorText.hidden = !text; };
  tokenButton.hidden = !storedToken();

  function clearResults() {
    lines = [];
    list.replaceChildren();
    overlay.replaceChildren();
    summary.textContent = '';
    copyButton.disabled = true;
  }

  function chooseFile(file) {
    if (!file) return;
    if (file.type && !file.type.startsWith('image/')) {
      showError('这不是图片文件 · This is not an image file: ' + file.name);
      return;
    }
    currentFile = file;
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(file);
    image.src = objectUrl;
    preview.hidden = false;
    dropzone.classList.add('has-image');
    $('file-name').textContent = file.name || '粘贴的图片 · pasted image';
    clearResults();
    showError('');
    setStatus('');
    runButton.disabled = false;
  }

  fileInput.addEventListener('change', () => chooseFile(fileInput.files[0]));
  for (const type of ['dragenter', 'dragover'])
    dropzone.addEventListener(type, (e) => { e.preventDefault(); dropzone.classList.add('dragging'); });
  dropzone.addEventListener('dragleave', () => dropzone.classList.remove('dragging'));
  dropzone.addEventListener('drop', (e) => {
    e.preventDefault();
    dropzone.classList.remove('dragging');
    chooseFile(e.dataTransfer && e.dataTransfer.files[0]);
  });
  dropzone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fileInput.click(); }
  });
  document.addEventListener('paste', (e) => {
    const files = e.clipboardData ? Array.from(e.clipboardData.files) : [];
    const file = files.find((f) => f.type.startsWith('image/'));
    if (file) { e.preventDefault(); chooseFile(file); }
  });

  // Resolves true when the user entered a token, false when they cancelled.
  function askToken(message) {
    const dialog = $('token-dialog'), form = $('token-form'), input = $('token-input');
    input.value = storedToken();
    if (message) setStatus(message);
    return new Promise((resolve) => {
      const finish = (ok) => {
        form.removeEventListener('submit', onSubmit);
        $('token-cancel').removeEventListener('click', onCancel);
        dialog.removeEventListener('cancel', onCancel);
        dialog.close();
        resolve(ok);
      };
      const onSubmit = (e) => {
        e.preventDefault();
        const token = input.value.trim();
        if (!token) return;
        sessionStorage.setItem(TOKEN_KEY, token);
        tokenButton.hidden = false;
        finish(true);
      };
      const onCancel = (e) => { e.preventDefault(); finish(false); };
      form.addEventListener('submit', onSubmit);
      $('token-cancel').addEventListener('click', onCancel);
      dialog.addEventListener('cancel', onCancel);
      dialog.showModal();
      input.focus();
    });
  }
  tokenButton.addEventListener('click', () => askToken(''));

  function showResults(body) {
    clearResults();
    lines = Array.isArray(body.results) ? body.results : [];
    let width = image.naturalWidth, height = image.naturalHeight;
    if (!width || !height) {  // a format the browser cannot show: size the overlay from the boxes
      for (const line of lines) for (const [x, y] of line.box) { width = Math.max(width, x); height = Math.max(height, y); }
    }
    overlay.setAttribute('viewBox', `0 0 ${width || 1} ${height || 1}`);
    lines.forEach((line, i) => {
      const item = document.createElement('li');
      const text = document.createElement('span');
      text.className = 'text';
      text.textContent = line.text;
      const confidence = document.createElement('span');
      confidence.className = 'conf' + (line.confidence < 0.8 ? ' low' : '');
      confidence.textContent = (line.confidence * 100).toFixed(1) + '%';
      confidence.title = '置信度 · Confidence';
      item.append(confidence, text);
      list.append(item);
      const polygon = document.createElementNS(SVG_NS, 'polygon');
      polygon.setAttribute('points', line.box.map((p) => p[0] + ',' + p[1]).join(' '));
      overlay.append(polygon);
      item.addEventListener('mouseenter', () => polygon.classList.add('active'));
      item.addEventListener('mouseleave', () => polygon.classList.remove('active'));
    });
    summary.textContent = lines.length
      ? `${lines.length} 行 · ${lines.length} lines · ${Math.round(body.elapsed_ms)} ms`
      : '未识别到文字 · No text found';
    copyButton.disabled = lines.length === 0;
  }

  async function recognise() {
    if (!currentFile) return;
    const form = new FormData();
    form.append('image', currentFile, currentFile.name || 'pasted.png');
    form.append('detect', $('opt-detect').checked ? 'true' : 'false');
    form.append('enhance', $('opt-enhance').value);
    runButton.disabled = true;
    showError('');
    setStatus('识别中… · Reading…');
    try {
      for (;;) {
        const headers = {};
        const token = storedToken();
        if (token) headers['X-API-Token'] = token;
        const response = await fetch('ocr', { method: 'POST', body: form, headers });
        let body = null;
        try { body = await response.json(); } catch (_) { body = null; }
        if (response.status === 401) {
          if (await askToken(token ? '令牌无效 · The token was not accepted' : '')) continue;
          throw new Error('需要 API 令牌 · An API token is required');
        }
        if (!response.ok || !body || !body.success)
          throw new Error((body && body.error) || 'HTTP ' + response.status);
        showResults(body);
        setStatus('');
        return;
      }
    } catch (err) {
      setStatus('');
      showError('识别失败 · Recognition failed: ' + err.message);
    } finally {
      runButton.disabled = !currentFile;
    }
  }
  runButton.addEventListener('click', recognise);

  copyButton.addEventListener('click', async () => {
    const text = lines.map((l) => l.text).join('\n');
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {  // no async clipboard (plain http on another host): the older way
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setStatus('已复制 · Copied');
  });
})();
)JS";

std::string base64(const std::string& bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) v |= uint32_t(uint8_t(bytes[i + 2]));
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// CSP source expression 'sha256-<base64 digest>' of an inline element's exact text.
std::string csp_hash(const std::string& text) {
  const std::string hex = sha256_hex(text.data(), text.size());
  std::string digest;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) digest += char(std::stoi(hex.substr(i, 2), nullptr, 16));
  return "'sha256-" + base64(digest) + "'";
}

WebUiPage build_page() {
  WebUiPage page;
  page.html = std::string(
                  "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<title>crnn-ocr 文字识别 · Text recognition</title>\n<style>") +
              kStyle + "</style>\n</head>\n<body>" + kBody + "<script>" + kScript + "</script>\n</body>\n</html>\n";
  page.content_security_policy = "default-src 'none'; script-src " + csp_hash(kScript) + "; style-src " +
                                 csp_hash(kStyle) +
                                 "; img-src blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                                 "frame-ancestors 'none'";
  return page;
}

}  // namespace

const WebUiPage& webui_page() {
  static const WebUiPage page = build_page();
  return page;
}

}  // namespace crnn
