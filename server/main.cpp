// crnn-ocr: OCR from the command line (`ocr`) and as an HTTP service (`serve`).
#include <cstring>
#include <iostream>

#include "ops/cpu_features.h"
#include "server/ocr_command.h"
#include "server/serve_command.h"

namespace {
constexpr const char* kVersion = "0.1.0";
}

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "ocr") == 0) return crnn::run_ocr_command(argc - 2, argv + 2);
  if (argc >= 2 && std::strcmp(argv[1], "serve") == 0) return crnn::run_serve_command(argc - 2, argv + 2, kVersion);
  if (argc >= 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "version") == 0)) {
    std::cout << "crnn-ocr " << kVersion << " (kernels: " << crnn::isa_name(crnn::active_isa()) << ", " << crnn::isa_note() << ")\n";
    return 0;
  }
  std::cerr << "usage: crnn-ocr ocr [options] IMAGE...   (crnn-ocr ocr --help for options)\n"
               "       crnn-ocr serve [options]          (crnn-ocr serve --help for options)\n"
               "       crnn-ocr --version\n";
  return 2;
}
