#include "ops/cpu_features.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#define CRNN_X86 1
#endif

namespace crnn {
namespace {

#ifdef CRNN_X86
unsigned long long read_xcr0() {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

Isa detect_x86() {
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return Isa::Sse2;
  const bool osxsave = ecx & (1u << 27);
  const bool avx = ecx & (1u << 28);
  const bool fma = ecx & (1u << 12);
  if (!osxsave || !avx) return Isa::Sse2;
  const unsigned long long xcr0 = read_xcr0();
  const bool os_saves_ymm = (xcr0 & 0x6) == 0x6;          // XMM and YMM state
  const bool os_saves_zmm = (xcr0 & 0xe6) == 0xe6;        // plus opmask and ZMM state
  if (!os_saves_ymm) return Isa::Sse2;
  if (__get_cpuid_max(0, nullptr) < 7) return Isa::Sse2;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx2 = ebx & (1u << 5);
  const bool avx512f = ebx & (1u << 16);
  const bool avx512dq = ebx & (1u << 17);
  const bool avx512bw = ebx & (1u << 30);
  const bool avx512vl = ebx & (1u << 31);
  if (avx2 && fma && avx512f && avx512dq && avx512bw && avx512vl && os_saves_zmm) return Isa::Avx512;
  if (avx2 && fma) return Isa::Avx2;
  return Isa::Sse2;
}
#endif

struct Choice {
  Isa isa;
  std::string note;
};

Choice choose() {
  const Isa best = detected_isa();
  const char* forced = std::getenv("CRNN_ISA");
  if (!forced || !*forced) return {best, std::string("detected ") + isa_name(best)};
  Isa want = best;
  bool known = true;
  if (!std::strcmp(forced, "scalar")) want = Isa::Scalar;
  else if (!std::strcmp(forced, "sse2")) want = Isa::Sse2;
  else if (!std::strcmp(forced, "avx2")) want = Isa::Avx2;
  else if (!std::strcmp(forced, "avx512")) want = Isa::Avx512;
  else if (!std::strcmp(forced, "neon")) want = Isa::Neon;
  else known = false;
  if (!known) return {best, std::string("CRNN_ISA=") + forced + " unknown; using " + isa_name(best)};
  if (!cpu_supports(want))
    return {best, std::string("CRNN_ISA=") + forced + " not supported here; using " + isa_name(best)};
  return {want, std::string("forced by CRNN_ISA=") + forced};
}

const Choice& choice() {
  static const Choice c = choose();
  return c;
}

}  // namespace

Isa detected_isa() {
#ifdef CRNN_X86
  static const Isa isa = detect_x86();
  return isa;
#elif defined(__aarch64__)
  return Isa::Neon;
#else
  return Isa::Scalar;
#endif
}

bool cpu_supports(Isa isa) {
  if (isa == Isa::Scalar) return true;
  const Isa best = detected_isa();
  if (best == Isa::Neon) return isa == Isa::Neon;
  if (isa == Isa::Neon) return false;
  return static_cast<int>(isa) <= static_cast<int>(best);
}

bool cpu_has_avx512_vnni() {
#ifdef CRNN_X86
  static const bool vnni = [] {
    if (detected_isa() != Isa::Avx512) return false;  // needs the ZMM state saved by the OS
    unsigned int eax, ebx, ecx, edx;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ecx & (1u << 11)) != 0;
  }();
  return vnni;
#else
  return false;
#endif
}

Isa active_isa() { return choice().isa; }

std::string isa_note() { return choice().note; }

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Sse2: return "sse2";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
    case Isa::Neon: return "neon";
  }
  return "unknown";
}

}  // namespace crnn
