// bpffs helpers shared by the attach code of both engines: directories, and
// bpf_links pinned by path (a pinned link keeps its program attached after the
// loader exits; unpinning and detaching removes it).
#pragma once
#include <bpf/bpf.h>

#include <string>

namespace xc {

// bpf_link types the kernel reports (the 6.1 uapi headers lack TCX).
constexpr uint32_t kLinkTypeXdp = 6;   // BPF_LINK_TYPE_XDP
constexpr uint32_t kLinkTypeTcx = 11;  // BPF_LINK_TYPE_TCX
constexpr int kAttachTcxIngress = 46;  // BPF_TCX_INGRESS

// mkdir -p with mode 0700. Returns 0 or an errno.
int MkdirP(const std::string& path);

struct LinkState {
  bool exists = false;
  bpf_link_info info{};
  // Both the xdp and the tcx link info start with the ifindex.
  uint32_t ifindex() const { return info.xdp.ifindex; }
};

// Reads the bpf_link pinned at `pin`, if any. Returns 0 or an errno.
int ReadPinnedLink(const std::string& pin, LinkState* st);

// Detaches the link pinned at `pin` and removes the pin (nothing there: 0).
int DetachPinned(const std::string& pin);

// Pins `link_fd` at `pin` (creating its directory) and closes the fd; on
// failure the fd is closed too, which detaches the unpinned link again.
// Returns 0 or an errno; `info` receives the link's info.
int PinLink(int link_fd, const std::string& pin, bpf_link_info* info);

}  // namespace xc
