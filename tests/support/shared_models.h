// The real recognizers, detectors and classifier of ../shared/models, converted in-process
// once per test run (converting is itself under test).
#pragma once

#include <memory>
#include <string>

#include "runtime/model.h"

namespace crnn::test {

// kind_and_name like "rec/ch_ppocr_mobile_v2.0"; fails the test (throws) when the file is missing.
std::shared_ptr<const Model> shared_model(const std::string& kind_and_name);

}  // namespace crnn::test
