#!/usr/bin/env node
// Runs one ONNX model with ONNX Runtime over inputs listed in a manifest (JSON lines).
//
//   node ort_run.js --model rec.onnx --manifest m.jsonl [--threads 1] [--dict keys.txt]
//
// Manifest line: {"input": "x.f32", "dims": [1,3,32,W], "output": "y.bin", "image": "..."}
// or {"image": "...", "error": "..."} for an image the preprocessor could not read.
// "input" is raw little-endian float32 in NCHW order.
// Without --dict: writes each output tensor to "output" as int32 ndim, int32 dims..., float32 data.
// With --dict: CTC-greedy-decodes each [1,T,C] output and prints one JSON object per manifest line,
// in manifest order, in the project's format.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

function parseArgs(argv) {
  const a = { threads: 1 };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${k}`);
    a[k.slice(2)] = argv[++i];
  }
  if (!a.model || !a.manifest) throw new Error('need --model and --manifest');
  a.threads = parseInt(a.threads, 10);
  return a;
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
  const session = await ort.InferenceSession.create(a.model, {
    intraOpNumThreads: a.threads, interOpNumThreads: 1,
    executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
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
