// The BPF object as the rest of the addon sees it: programs and maps by name,
// each with the fd this process holds. Either loaded (open(): programs and
// maps, the maps pinned) or maps only (openPinned(): what readers of a lab
// need, with no program loaded or verified).
#pragma once
#include <napi.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

struct xconnect;

namespace xc {

struct BpfMap {
  int fd = -1;
  uint32_t type = 0, key_size = 0, value_size = 0, max_entries = 0;
  // Bytes one lookup returns: value_size, or for per-CPU maps one 8-byte
  // aligned value per possible CPU.
  size_t lookup_size = 0;
};

struct BpfObject {
  static const napi_type_tag kTag;
  xconnect* skel = nullptr;            // loaded: owns the fds below
  std::map<std::string, BpfMap> maps;  // by map name
  std::map<std::string, int> progs;    // by program name (loaded only)
  ~BpfObject();
  const BpfMap* Map(const std::string& name) const;
  int Prog(const std::string& name) const;
};
using ObjectRef = std::shared_ptr<const BpfObject>;

// What attaching a program of the object to one port did.
struct Attached {
  uint32_t ifindex = 0, prog_id = 0, link_id = 0;  // link_id 0: no bpf_link (a cls_bpf filter)
  bool created = false;                            // false: an attachment of ours was kept
  bool qdisc_created = false;                      // legacy tc: a clsact qdisc was made for it
};
// [{ifindex, progId, linkId, created, qdiscCreated}], for attachXdp and attachTc.
Napi::Value AttachedToJs(Napi::Env env, const std::vector<Attached>& results);

// Argument i as an open object handle.
bool ArgBpfObject(const Napi::CallbackInfo& info, size_t i, ObjectRef* out);
bool GetBpfObject(Napi::Object o, const char* key, ObjectRef* out);

}  // namespace xc
