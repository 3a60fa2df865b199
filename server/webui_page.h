// The WebUI served at GET /: one self-contained HTML page (styles and script inline) compiled
// into the binary, so the service needs no files on disk.
#pragma once

#include <string>

namespace crnn {

struct WebUiPage {
  std::string html;
  // A Content-Security-Policy that allows exactly the page's own inline style and script (by
  // their SHA-256 hashes), same-origin requests, and images from blob: URLs.
  std::string content_security_policy;
};

// Built once, on first use.
const WebUiPage& webui_page();

}  // namespace crnn
