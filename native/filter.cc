#include "filter.h"

#include <dlfcn.h>
#include <pcap/pcap.h>

namespace xc {

// libpcap is opened on the first filter, not linked: with its dependencies
// (dbus, systemd, gcrypt, compressors) it cost every CLI start ~3 ms of
// loading and ~1 MB of RSS, and only `capture --filter` uses it.
namespace {

struct Pcap {
  void* lib = nullptr;
  std::string error;
  decltype(&pcap_open_dead) open_dead = nullptr;
  decltype(&pcap_compile) compile = nullptr;
  decltype(&pcap_geterr) geterr = nullptr;
  decltype(&pcap_close) close = nullptr;
  decltype(&pcap_offline_filter) offline_filter = nullptr;
  decltype(&pcap_freecode) freecode = nullptr;
};

template <typename F>
bool Bind(void* lib, const char* name, F* out) {
  *out = reinterpret_cast<F>(dlsym(lib, name));
  return *out != nullptr;
}

// The sonames distributions ship it under (Debian's package is libpcap0.8).
const Pcap& Lib() {
  static const Pcap pcap = [] {
    Pcap p;
    for (const char* so : {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"})
      if ((p.lib = dlopen(so, RTLD_NOW | RTLD_LOCAL))) break;
    if (!p.lib) {
      p.error = "capture filters need libpcap, which is not installed (Debian: apt install libpcap0.8)";
      return p;
    }
    if (!Bind(p.lib, "pcap_open_dead", &p.open_dead) || !Bind(p.lib, "pcap_compile", &p.compile) ||
        !Bind(p.lib, "pcap_geterr", &p.geterr) || !Bind(p.lib, "pcap_close", &p.close) ||
        !Bind(p.lib, "pcap_offline_filter", &p.offline_filter) || !Bind(p.lib, "pcap_freecode", &p.freecode))
      p.error = std::string("the installed libpcap lacks a function capture filters need: ") + dlerror();
    return p;
  }();
  return pcap;
}

}  // namespace

struct PcapFilter {
  bpf_program prog{};
};

PcapFilter* PcapFilterCompile(const std::string& expr, int snaplen, std::string* err) {
  const Pcap& lib = Lib();
  if (!lib.error.empty()) {
    *err = lib.error;
    return nullptr;
  }
  pcap_t* dead = lib.open_dead(DLT_EN10MB, snaplen);
  if (!dead) {
    *err = "libpcap could not start";
    return nullptr;
  }
  auto* f = new PcapFilter();
  if (lib.compile(dead, &f->prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    *err = lib.geterr(dead);
    delete f;
    f = nullptr;
  }
  lib.close(dead);
  return f;
}

// Only called with a filter PcapFilterCompile made, so libpcap is loaded.
bool PcapFilterMatch(const PcapFilter* f, const uint8_t* data, uint32_t caplen, uint32_t len) {
  pcap_pkthdr h{};
  h.caplen = caplen;
  h.len = len;
  return Lib().offline_filter(&f->prog, &h, data) != 0;
}

void PcapFilterFree(PcapFilter* f) {
  if (!f) return;
  Lib().freecode(&f->prog);
  delete f;
}

}  // namespace xc
