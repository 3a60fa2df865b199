// `crnn-ocr serve`: the HTTP service (server/http_server.h) with its flags, model loading and
// warm-up, and a graceful stop on SIGTERM or SIGINT.
#pragma once

namespace crnn {

// argv excludes the program name and the "serve" word. version: reported by /health.
// Returns the process exit status: 0 after a signal and a clean drain, 2 on bad flags or when
// the port or the models cannot be opened.
int run_serve_command(int argc, char** argv, const char* version);

}  // namespace crnn
