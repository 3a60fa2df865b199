// crnn-ocr: OCR from the command line (`ocr`) and, later, as an HTTP service (`serve`).
#include <cstring>
#include <iostream>

#include "ops/cpu_features.h"
#include "server/ocr_command.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "ocr") == 0) return crnn::run_ocr_command(argc - 2, argv + 2);
  if (argc >= 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "version") == 0)) {
    std::cout << "crnn-ocr 0.1.0 (kernels: " << crnn::isa_name(crnn::active_isa()) << ", " << crnn::isa_note() << ")\n";
    return 0;
  }
  std::cerr << "usage: crnn-ocr ocr [options] IMAGE...   (crnn-ocr ocr --help for options)\n"
               "       crnn-ocr --version\n";
  return 2;
}
