#include "filter.h"

#include <pcap/pcap.h>

namespace xc {

struct PcapFilter {
  bpf_program prog{};
};

PcapFilter* PcapFilterCompile(const std::string& expr, int snaplen, std::string* err) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, snaplen);
  if (!dead) {
    *err = "libpcap could not start";
    return nullptr;
  }
  auto* f = new PcapFilter();
  if (pcap_compile(dead, &f->prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    *err = pcap_geterr(dead);
    delete f;
    f = nullptr;
  }
  pcap_close(dead);
  return f;
}

bool PcapFilterMatch(const PcapFilter* f, const uint8_t* data, uint32_t caplen, uint32_t len) {
  pcap_pkthdr h{};
  h.caplen = caplen;
  h.len = len;
  return pcap_offline_filter(&f->prog, &h, data) != 0;
}

void PcapFilterFree(PcapFilter* f) {
  if (!f) return;
  pcap_freecode(&f->prog);
  delete f;
}

}  // namespace xc
