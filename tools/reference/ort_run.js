#!/usr/bin/env node
// Runs one ONNX model with ONNX Runtime over inputs listed in a manifest (JSON lines).
//
//   node ort_run.js --model rec.onnx --manifest m.jsonl [--threads 1] [--dict keys.txt]
//   node ort_run.js --serve NAME=model.onnx [--serve NAME2=other.onnx ...] [--threads 1]
//
// Manifest line: {"input": "x.f32", "dims": [1,3,32,W], "output": "y.bin", "image": "..."}
// or {"image": "...", "error": "..."} for an image the preprocessor could not read.
// "input" is raw little-endian float32 in NCHW order.
// Without --dict: writes each output tensor to "output" as int32 ndim, int32 dims..., float32 data.
// With --dict: CTC-greedy-decodes each [1,T,C] output and prints one JSON object per manifest line,
// in manifest order, in the project's format.
//
// --serve: a long-lived worker holding one session per NAME, speaking a binary protocol on
// stdin/stdout. Once the models are loaded it prints {"ready": true, "load_ms": ...}\n. Then per request
// it reads a JSON line {"model": NAME, "dims": [...]} followed by prod(dims) little-endian float32
// values, and answers with a JSON line {"dims": [...], "run_ms": ...} followed by the output's float32
// values (or {"error": "..."} and no data). With "reduce": "argmax" in the request the answer is
// [..., 2] instead of [..., C] (and the header adds "classes": C): per row the index of the first
// largest value, then that value (what greedy CTC needs, at 2/C of the bytes). It exits when stdin
// closes.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

function parseArgs(argv) {
  const a = { threads: 1, serve: [] };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${k}`);
    if (k === '--serve') a.serve.push(argv[++i]);
    else a[k.slice(2)] = argv[++i];
  }
  if (!a.serve.length && (!a.model || !a.manifest)) throw new Error('need --model and --manifest, or --serve');
  a.threads = parseInt(a.threads, 10);
  if (!(a.threads >= 1)) throw new Error('bad --threads');
  return a;
}

function createSession(file, threads) {
  return ort.InferenceSession.create(file, {
    intraOpNumThreads: threads, interOpNumThreads: 1,
    executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
}

// Reads lines and exact byte counts from a stream, waiting for data as needed.
class StreamReader {
  constructor(stream) {
    this.chunks = [];
    this.length = 0;
    this.ended = false;
    this.wake = null;
    stream.on('data', (c) => { this.chunks.push(c); this.length += c.length; this.notify(); });
    stream.on('end', () => { this.ended = true; this.notify(); });
  }

  notify() {
    if (this.wake) { const w = this.wake; this.wake = null; w(); }
  }

  wait() { return new Promise((r) => { this.wake = r; }); }

  flat() {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks.length ? this.chunks[0] : Buffer.alloc(0);
  }

  take(n) {
    const b = this.flat();
    const head = b.subarray(0, n);
    this.chunks = n < b.length ? [b.subarray(n)] : [];
    this.length -= n;
    return head;
  }

  async line() { // null at end of stream
    for (let from = 0; ;) {
      const b = this.flat();
      const i = b.indexOf(10, from);
      if (i >= 0) return this.take(i + 1).toString('utf8', 0, i);
      from = b.length;
      if (this.ended) return null;
      await this.wait();
    }
  }

  async bytes(n) {
    while (this.length < n) {
      if (this.ended) throw new Error(`stream ended: wanted ${n} bytes, have ${this.length}`);
      await this.wait();
    }
    return this.take(n);
  }
}

// [..., C] -> [..., 2]: the first index of the largest value (as a float) and that value.
function argmaxLastAxis(y) {
  const C = y.dims[y.dims.length - 1];
  const rows = y.data.length / C;
  const out = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let best = 0;
    let bv = y.data[o];
    for (let c = 1; c < C; c++) if (y.data[o + c] > bv) { bv = y.data[o + c]; best = c; }
    out[2 * r] = best;
    out[2 * r + 1] = bv;
  }
  return [y.dims.slice(0, -1).concat([2]), out];
}

async function serve(a) {
  const t0 = process.hrtime.bigint();
  const sessions = {};
  for (const spec of a.serve) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new Error(`--serve wants NAME=model.onnx, got ${spec}`);
    sessions[spec.slice(0, eq)] = await createSession(spec.slice(eq + 1), a.threads);
  }
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(JSON.stringify({ ready: true, load_ms: +loadMs.toFixed(3) }) + '\n');
  const rd = new StreamReader(process.stdin);
  for (;;) {
    const head = await rd.line();
    if (head === null) break;
    if (!head.trim()) continue;
    const req = JSON.parse(head);
    const n = req.dims.reduce((x, y) => x * y, 1);
    const raw = await rd.bytes(n * 4);
    const s = sessions[req.model];
    if (!s) { process.stdout.write(JSON.stringify({ error: `no model ${req.model}` }) + '\n'); continue; }
    const x = new Float32Array(n); // aligned copy: the Buffer may sit at an odd offset
    new Uint8Array(x.buffer).set(raw);
    let y;
    const r0 = process.hrtime.bigint();
    try {
      y = (await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, req.dims) }))[s.outputNames[0]];
    } catch (e) {
      process.stdout.write(JSON.stringify({ error: e.message }) + '\n');
      continue;
    }
    const runMs = Number(process.hrtime.bigint() - r0) / 1e6;
    const ans = { dims: y.dims, run_ms: +runMs.toFixed(3) };
    let data = y.data;
    if (req.reduce === 'argmax') {
      ans.classes = y.dims[y.dims.length - 1];
      [ans.dims, data] = argmaxLastAxis(y);
    }
    const h = Buffer.from(JSON.stringify(ans) + '\n');
    process.stdout.write(Buffer.concat([h, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
  }
}

// PaddleOCR's character list: blank, one class per dictionary line (line ends stripped, a line
// holding a single space stays a space), then one extra space class (use_space_char).
function loadCharset(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return [''].concat(lines, [' ']);
}

function decode(data, T, C, charset) {
  let text = '';
  let sum = 0;
  let kept = 0;
  let prev = -1;
  for (let t = 0; t < T; t++) {
    let best = 0;
    let bp = data[t * C];
    for (let c = 1; c < C; c++) {
      const p = data[t * C + c];
      if (p > bp) { bp = p; best = c; }
    }
    if (best !== 0 && best !== prev) {
      text += best < charset.length ? charset[best] : '';
      sum += bp;
      kept++;
    }
    prev = best;
  }
  return { text, confidence: kept ? sum / kept : 0 };
}

function readInput(file, dims) {
  const buf = fs.readFileSync(file);
  const n = dims.reduce((x, y) => x * y, 1);
  if (buf.length !== n * 4) throw new Error(`${file}: ${buf.length} bytes, expected ${n * 4}`);
  // Copy into an aligned buffer: Buffer slices may be unaligned for Float32Array.
  const f = new Float32Array(n);
  new Uint8Array(f.buffer).set(buf);
  return f;
}

function writeOutput(file, tensor) {
  const dims = tensor.dims;
  const head = new Int32Array([dims.length, ...dims]);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(head.buffer), Buffer.from(tensor.data.buffer,
    tensor.data.byteOffset, tensor.data.byteLength)]));
}

async function main() {
  const a = parseArgs(process.argv);
  if (a.serve.length) return serve(a);
  const session = await createSession(a.model, a.threads);
  const inName = session.inputNames[0];
  const outName = session.outputNames[0];
  const charset = a.dict ? loadCharset(a.dict) : null;
  const items = fs.readFileSync(a.manifest, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const out = [];
  for (const it of items) {
    if (it.error) {
      if (charset) out.push(JSON.stringify({ image: it.image, success: false, error: it.error, results: [] }));
      else throw new Error(`${it.image}: ${it.error}`);
      continue;
    }
    const x = new ort.Tensor('float32', readInput(it.input, it.dims), it.dims);
    const y = (await session.run({ [inName]: x }))[outName];
    if (charset) {
      const [, T, C] = y.dims;
      if (C !== charset.length) throw new Error(`model has ${C} classes, dictionary gives ${charset.length}`);
      const r = decode(y.data, T, C, charset);
      out.push(JSON.stringify({ image: it.image, success: true, results: [r] }));
    } else {
      writeOutput(it.output, y);
    }
    if (out.length >= 64) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
}

main().catch((e) => { process.stderr.write(`ort_run: ${e.message}\n`); process.exit(1); });
