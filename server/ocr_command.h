// `crnn-ocr ocr`: recognise text in image files and print the results.
#pragma once

namespace crnn {

// argv excludes the program name and the "ocr" word. Returns the process exit status.
int run_ocr_command(int argc, char** argv);

}  // namespace crnn
