// pcap-filter expressions compiled by libpcap, kept apart from libbpf (both
// define struct bpf_insn): the capture reader sees an opaque handle.
#pragma once
#include <stdint.h>

#include <string>

namespace xc {

struct PcapFilter;

// Compiles `expr` for Ethernet frames; nullptr and `*err` on a bad expression.
PcapFilter* PcapFilterCompile(const std::string& expr, int snaplen, std::string* err);
// Whether the frame (caplen bytes of a len-byte frame) passes.
bool PcapFilterMatch(const PcapFilter* f, const uint8_t* data, uint32_t caplen, uint32_t len);
void PcapFilterFree(PcapFilter* f);

}  // namespace xc
