#include "server/serve_command.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ops/cpu_features.h"
#include "ops/error.h"
#include "runtime/ocr_engine.h"
#include "server/arg_reader.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "server/model_paths.h"
#include "server/ocr_request.h"
#include "server/request_log.h"

namespace crnn {
namespace {

constexpr const char* kTokenVariable = "CRNN_OCR_TOKEN";

constexpr const char* kUsage =
    "usage: crnn-ocr serve [options]\n"
    "  --host ADDR           address to listen on (default 127.0.0.1)\n"
    "  --port N              port (default 5000; 0 = any free port, reported in the log)\n"
    "  --rec-model PATH      recognizer model (.crnn, made by crnn-convert)\n"
    "  --det-model PATH      text detector model\n"
    "  --cls-model PATH      0/180 degree direction classifier model\n"
    "  --no-det              load no detector (every image is read as one text line)\n"
    "  --no-cls              load no direction classifier\n"
    "  --threads N           threads of the pool the recognitions share (default: all cores;\n"
    "                        one recognition alone uses them all, several at once split them)\n"
    "  --int8                run the detector and recognizer in int8 (experimental; README: int8)\n"
    "  --max-inflight N      recognitions at once (default: the cores: one per core under\n"
    "                        load; each holds its own image and detector scratch)\n"
    "  --max-queue N         requests waiting beyond those before 503 (default 16)\n"
    "  --max-upload-mb N     largest request body in MB (default 50; larger: 413)\n"
    "  --max-pixels N        largest image in pixels (default 40000000; larger: 422)\n"
    "  --max-det-limit N     largest det_limit a request may ask for (default 1280; the\n"
    "                        detector's memory grows with its square)\n"
    "  --io-timeout S        seconds allowed for each socket read or write (default 15)\n"
    "  --upload-timeout S    seconds allowed to receive a whole request body (default 120)\n"
    "  --queue-timeout S     seconds a request may wait for a recognition slot (default 60)\n"
    "  --token-file PATH     API tokens, one per line; also read from $CRNN_OCR_TOKEN\n"
    "                        (comma-separated). With tokens, every route but / and /health\n"
    "                        needs X-API-Token: <t> or Authorization: Bearer <t>\n";

struct ServeOptions {
  HttpServerSettings http;
  EngineConfig engine;
  bool load_detector = true;
  bool load_classifier = true;
  std::string token_file;
};

// Returns false for --help.
bool parse(int argc, char** argv, ServeOptions& o) {
  const int cores = int(std::thread::hardware_concurrency()) > 0 ? int(std::thread::hardware_concurrency()) : 1;
  int max_inflight = 0;  // 0: not given
  ArgReader args(argc, argv);
  while (!args.done()) {
    const std::string a = args.next();
    if (a == "--host") o.http.host = args.value("--host");
    else if (a == "--port") o.http.port = int(args.number("--port", 0, 65535));
    else if (a == "--rec-model") o.engine.rec_model = args.value("--rec-model");
    else if (a == "--det-model") o.engine.det_model = args.value("--det-model");
    else if (a == "--cls-model") o.engine.cls_model = args.value("--cls-model");
    else if (a == "--no-det") o.load_detector = false;
    else if (a == "--no-cls") o.load_classifier = false;
    else if (a == "--threads") o.engine.threads = int(args.number("--threads", 1, 256));
    else if (a == "--int8") o.engine.int8_det = o.engine.int8_rec = true;
    else if (a == "--max-inflight") max_inflight = int(args.number("--max-inflight", 1, 256));
    else if (a == "--max-queue") o.http.max_queue = int(args.number("--max-queue", 0, 4096));
    else if (a == "--max-upload-mb") o.http.max_upload_bytes = uint64_t(args.number("--max-upload-mb", 1, 4096)) << 20;
    else if (a == "--max-pixels") o.http.max_pixels = args.number("--max-pixels", 1, int64_t(1) << 40);
    else if (a == "--max-det-limit") o.http.max_det_limit = int(args.number("--max-det-limit", kMinDetLimit, kMaxDetLimit));
    else if (a == "--io-timeout") o.http.io_timeout = std::chrono::seconds(args.number("--io-timeout", 1, 3600));
    else if (a == "--upload-timeout") o.http.upload_timeout = std::chrono::seconds(args.number("--upload-timeout", 1, 86400));
    else if (a == "--queue-timeout") o.http.queue_timeout = std::chrono::seconds(args.number("--queue-timeout", 1, 3600));
    else if (a == "--token-file") o.token_file = args.value("--token-file");
    else if (a == "-h" || a == "--help") return false;
    else throw Error(ErrorCode::InvalidArgument, "unknown option " + a);
  }
  // Fill the cores without oversubscribing them: the engine's pool splits its threads among the
  // recognitions in flight (one alone gets them all), so one per core keeps every core busy,
  // also through each recognition's serial parts. Each also holds its own image and detector
  // scratch (about 150 MB for a 12-megapixel photo): more at once costs memory, buys nothing.
  o.http.max_inflight = max_inflight > 0 ? max_inflight : cores;
  if (o.engine.rec_model.empty()) o.engine.rec_model = default_model("rec");
  if (!o.load_detector) o.engine.det_model.clear();
  else if (o.engine.det_model.empty()) o.engine.det_model = default_model("det");
  if (!o.load_classifier) o.engine.cls_model.clear();
  else if (o.engine.cls_model.empty()) o.engine.cls_model = default_model("cls");
  return true;
}

std::string file_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "source": "file" (flag, $CRNN_MODEL_DIR or models/ beside the executable) or "embedded".
nlohmann::json model_json(const ModelMetadata* meta, const ModelSource& source) {
  if (meta == nullptr) return nullptr;
  return {{"name", meta->name}, {"file", file_name(source.path)}, {"source", source.is_embedded() ? "embedded" : "file"}};
}

// A white page with dark bars: runs every model once so the first request pays no one-time
// costs (page faults in the weights, first allocations). The detector's page is small: the
// weights are touched as fully as by a 960-pixel photo at a tenth of the cost, which keeps
// exec-to-ready short; a real page's larger buffers are planned on its first request.
Image warm_up_image(int width, int height) {
  Image image(width, height, 3);
  for (int y = 0; y < height; ++y) {
    uint8_t* row = image.row(y);
    const bool bar_row = height >= 64 && (y / 16) % 3 == 1;
    for (int x = 0; x < width; ++x) {
      const bool dark = bar_row ? (x / 12) % 4 != 3 && x > 16 && x < width - 16 : false;
      for (int c = 0; c < 3; ++c) row[x * 3 + c] = dark ? 30 : 235;
    }
  }
  return image;
}

const char* signal_name(int number) { return number == SIGTERM ? "SIGTERM" : number == SIGINT ? "SIGINT" : "signal"; }

void warm_up(const OcrEngine& engine) {
  OcrOptions line;
  line.detect = false;
  engine.read(warm_up_image(320, 32), line);
  if (engine.has_detector()) engine.read(warm_up_image(320, 224), OcrOptions());
}

}  // namespace

int run_serve_command(int argc, char** argv, const char* version) {
  ServeOptions o;
  TokenAuth auth;
  try {
    if (!parse(argc, argv, o)) {
      std::cout << kUsage;
      return 0;
    }
    auth = TokenAuth::load(o.token_file, std::getenv(kTokenVariable));
  } catch (const Error& e) {
    std::cerr << "crnn-ocr serve: " << e.what() << "\n" << kUsage;
    return 2;
  }
  o.http.version = version;

  // Requests run on many connection threads, each with its own malloc arena; with glibc's
  // default (a threshold that grows up to 32 MB) freed image buffers stay cached per arena and
  // the resident size creeps up towards (threads x largest image). Buffers of 256 KB and more
  // are mapped and unmapped instead, so memory returns to the system when a request ends.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);

  // SIGTERM and SIGINT are taken by sigwait() below, never by an asynchronous handler: block
  // them before any thread starts so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up is a failed write, not the end of the service

  RequestLog log;
  HttpServer server(o.http, auth, log);
  int port = 0;
  try {
    port = server.start();
  } catch (const Error& e) {
    log.event("error", {{"error", e.what()}});
    return 2;
  }
  log.event("listening", {{"host", o.http.host},
                          {"port", port},
                          {"url", "http://" + o.http.host + ":" + std::to_string(port) + "/"},
                          {"auth", auth.enabled()},
                          {"tokens", auth.token_count()},
                          {"isa", isa_name(active_isa())},
                          {"isa_note", isa_note()}});

  // The signal watcher. Before the models are ready nothing is in progress (every route but
  // /health answers 503), so a signal then ends the process at once, even when loading hangs.
  // After that, it hands the signal to the main thread, which drains.
  std::mutex lifecycle;
  std::condition_variable signalled;
  bool ready = false, leaving = false;
  int signal_number = 0;
  std::thread watcher([&] {
    int number = 0;
    sigwait(&stop_signals, &number);
    std::unique_lock<std::mutex> lock(lifecycle);
    if (leaving) return;  // woken by the main thread on its way out
    if (!ready) {
      log.event("stopping", {{"signal", signal_name(number)}, {"while", "loading"}});
      server.stop();
      log.event("stopped");
      std::_Exit(0);
    }
    signal_number = number;
    signalled.notify_all();
  });
  auto leave = [&](int status) {
    {
      std::lock_guard<std::mutex> lock(lifecycle);
      leaving = true;
    }
    pthread_kill(watcher.native_handle(), SIGTERM);  // ends its sigwait(); it sees `leaving`
    watcher.join();
    server.stop();
    return status;
  };

  const auto load_start = std::chrono::steady_clock::now();
  std::shared_ptr<const OcrEngine> engine;
  try {
    engine = std::make_shared<const OcrEngine>(o.engine);
    warm_up(*engine);
  } catch (const std::exception& e) {
    log.event("error", {{"error", std::string("cannot load the models: ") + e.what()},
                        {"hint", "run tools/setup.sh to convert the default models, or pass --rec-model/--det-model/"
                                 "--cls-model (or --no-det/--no-cls)"}});
    return leave(2);
  }
  const nlohmann::json models = {{"rec", model_json(engine->recognizer_metadata(), o.engine.rec_model)},
                                 {"det", model_json(engine->detector_metadata(), o.engine.det_model)},
                                 {"cls", model_json(engine->classifier_metadata(), o.engine.cls_model)}};
  {
    std::lock_guard<std::mutex> lock(lifecycle);
    server.set_engine(engine, models);
    ready = true;
  }
  const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start).count();
  log.event("ready", {{"port", port}, {"load_ms", std::round(load_ms)}, {"models", models}, {"threads", engine->threads()}});

  {
    std::unique_lock<std::mutex> lock(lifecycle);
    signalled.wait(lock, [&] { return signal_number != 0; });
  }
  watcher.join();
  log.event("stopping", {{"signal", signal_name(signal_number)}});
  server.stop();  // returns once every request in progress has been answered
  log.event("stopped");
  return 0;
}

}  // namespace crnn
