#!/usr/bin/env node
// Times ONNX Runtime (the reference engine) on one model at one input shape.
//
//   node bench/ort_model_bench.js --kind rec|det --model PATH [--height H] [--width W] [--threads 1]
//                                 [--iterations K] [--warmup K]
//
// Defaults by kind: rec 32x320, 200 iterations after 20 warm-up runs; det 960x608 (multiples of
// 32), 50 after 5. Session: intraOpNumThreads=N, interOpNumThreads=1, sequential execution, all
// graph optimizations (as tools/reference/ort_run.js). Input: a fixed pseudo-random [1,3,H,W]
// tensor (same bytes every run) in about the range of the model's normalised input (rec [-1, 1],
// det [-2.2, 2.7]), reused for every call; the cost does not depend on the values. Each iteration
// times one session.run() from JS, so it includes the binding's cost of creating the output tensor.
// Prints one JSON line with the median and 90th percentile in milliseconds and the machine's
// 1-minute load average at the end (times taken under load are not comparable).
// onnxruntime-node comes from tools/reference/node_modules (tools/reference/ensure_ort.sh installs it).
'use strict';
const os = require('os');
const path = require('path');
const ortDir = path.join(__dirname, '..', 'tools', 'reference', 'node_modules', 'onnxruntime-node');
let ort;
try {
  ort = require(ortDir);
} catch (e) {
  process.stderr.write(`ort_model_bench: cannot load ${ortDir}; run tools/reference/ensure_ort.sh\n`);
  process.exit(1);
}

const KINDS = {
  rec: { height: 32, width: 320, iterations: 200, warmup: 20, low: -1.0, high: 1.0 },
  det: { height: 960, width: 608, iterations: 50, warmup: 5, low: -2.2, high: 2.7 },
};

function args(argv) {
  const given = {};
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${k}`);
    given[k.slice(2)] = argv[++i];
  }
  const kind = KINDS[given.kind];
  if (!kind) throw new Error('need --kind rec|det');
  if (!given.model) throw new Error('need --model PATH');
  const a = { ...kind, threads: 1, ...given };
  for (const k of ['height', 'width', 'threads', 'iterations', 'warmup']) {
    a[k] = parseInt(a[k], 10);
    if (!(a[k] >= (k === 'warmup' ? 0 : 1))) throw new Error(`bad --${k}`);
  }
  if (given.kind === 'det' && (a.height % 32 || a.width % 32)) throw new Error('--height and --width must be multiples of 32');
  return a;
}

// Deterministic input: 32-bit LCG (Numerical Recipes constants) mapped to [low, high].
function fixedInput(n, low, high) {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = low + (high - low) * (s / 4294967296);
  }
  return x;
}

function quantile(sorted, q) { // nearest rank
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function main() {
  const a = args(process.argv);
  const session = await ort.InferenceSession.create(a.model, {
    intraOpNumThreads: a.threads, interOpNumThreads: 1,
    executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const dims = [1, 3, a.height, a.width];
  const input = new ort.Tensor('float32', fixedInput(3 * a.height * a.width, a.low, a.high), dims);
  const feeds = { [session.inputNames[0]]: input };
  for (let i = 0; i < a.warmup; i++) await session.run(feeds);
  const t = [];
  for (let i = 0; i < a.iterations; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((x, y) => x - y);
  const mid = t.length >> 1;
  const median = t.length % 2 ? t[mid] : (t[mid - 1] + t[mid]) / 2;
  const version = require(path.join(ortDir, 'package.json')).version;
  process.stdout.write(JSON.stringify({
    engine: 'onnxruntime', version, kind: a.kind, model: a.model, shape: dims, threads: a.threads,
    median_ms: +median.toFixed(4), p90_ms: +quantile(t, 0.9).toFixed(4), iterations: a.iterations,
    loadavg_1min: +os.loadavg()[0].toFixed(2),
  }) + '\n');
}

main().catch((e) => { process.stderr.write(`ort_model_bench: ${e.message}\n`); process.exit(1); });
