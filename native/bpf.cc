// BPF mechanism: load the embedded programs with their maps pinned (and reused)
// under a directory the caller names; attach/detach XDP through pinned
// bpf_links; map reads and writes. No policy: which port gets what is decided
// in TypeScript (src/dataplane/).
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <vector>

#include "job.h"
#include "pins.h"
#include "xconnect.skel.h"

namespace xc {

int QueryXdp(uint32_t ifindex, uint8_t* attached, uint32_t* prog_id);  // netlink.cc

namespace {

constexpr const char* kBpffs = "/sys/fs/bpf";
constexpr long kBpfFsMagic = 0xcafe4a11;

// libbpf prints through one process-wide callback: keep the last warnings of
// the loading thread so a failed load can say why.
thread_local std::string tl_libbpf_log;
int LibbpfPrint(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[1024];
  int n = vsnprintf(buf, sizeof(buf), fmt, args);
  if (tl_libbpf_log.size() < 4096) tl_libbpf_log.append(buf);
  return n;
}

// bpffs is not mounted on every host; pins need it.
int EnsureBpffs() {
  struct statfs st;
  if (statfs(kBpffs, &st) == 0 && st.f_type == kBpfFsMagic) return 0;
  if (mount("bpf", kBpffs, "bpf", 0, "mode=0700") < 0) return errno;
  return 0;
}

// Reuses the map pinned at `path` if there is one, else has libbpf create and
// pin it there. We check compatibility ourselves because the kernel adds
// BPF_F_RDONLY_PROG to every devmap, which libbpf 1.1's own reuse check reads
// as a mismatch (and a devmap cannot be created with that flag set).
int ReusePinnedMap(bpf_map* map, const std::string& path) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) {
    if (errno != ENOENT) return errno;
    return bpf_map__set_pin_path(map, path.c_str()) ? EINVAL : 0;
  }
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  int err = 0;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
    err = errno;
  else if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
           info.value_size != bpf_map__value_size(map) || info.max_entries != bpf_map__max_entries(map))
    err = EINVAL;
  else if (bpf_map__reuse_fd(map, fd) < 0)
    err = errno;
  close(fd);  // reuse_fd holds its own duplicate
  return err;
}

struct Loaded {
  xconnect* skel = nullptr;
  std::mutex mu;
};

Loaded* GetLoaded(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) return nullptr;
  return info[0].As<Napi::External<Loaded>>().Data();
}

const char* ModeName(uint8_t attached) {
  switch (attached) {
    case XDP_ATTACHED_NONE: return "none";
    case XDP_ATTACHED_DRV: return "native";
    case XDP_ATTACHED_SKB: return "generic";
    case XDP_ATTACHED_HW: return "offload";
    default: return "multi";
  }
}

// The structs the maps carry, as the compiler laid them out (BTF): the
// TypeScript encoders check their offsets against these at load, so the two
// sides cannot drift apart silently.
Napi::Object StructLayouts(Napi::Env env, const btf* b) {
  Napi::Object out = Napi::Object::New(env);
  for (const char* name : {"xc_port", "xc_stats", "xc_bucket", "xc_cap_hdr"}) {
    __s32 id = b ? btf__find_by_name_kind(b, name, BTF_KIND_STRUCT) : -1;
    if (id < 0) continue;
    const btf_type* t = btf__type_by_id(b, id);
    Napi::Object st = Napi::Object::New(env);
    st.Set("size", t->size);
    Napi::Object members = Napi::Object::New(env);
    for (uint16_t i = 0; i < btf_vlen(t); i++)
      members.Set(btf__name_by_offset(b, btf_members(t)[i].name_off), btf_member_bit_offset(t, i) / 8);
    st.Set("members", members);
    out.Set(name, st);
  }
  return out;
}

// open(pinDir, {impairments?}) -> { handle, maps: {name: fd}, progs: {name: fd}, possibleCpus }
// impairments: false builds the wire without its impairment code (benchmarks).
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string pin_dir;
  if (!ArgString(info, 0, &pin_dir)) XC_THROW_TYPE(env, "open(pinDir: string, options?)");
  bool impairments = true;
  Napi::Object o;
  if (ArgObject(info, 1, &o) && o.Get("impairments").IsBoolean()) impairments = o.Get("impairments").As<Napi::Boolean>().Value();
  return RunJob(env, "", [pin_dir, impairments]() -> Outcome {
    int err = EnsureBpffs();
    if (err) return Fail(err, std::string("cannot mount bpffs at ") + kBpffs + ": " + strerror(err));
    if ((err = MkdirP(pin_dir))) return Fail(err, "cannot create pin directory " + pin_dir + ": " + strerror(err));
    tl_libbpf_log.clear();
    xconnect* skel = xconnect__open();
    if (!skel) return Fail(errno, std::string("cannot open the BPF object: ") + strerror(errno) + "\n" + tl_libbpf_log);
    skel->rodata->xc_impairments = impairments ? 1 : 0;
    bpf_map* map;
    bpf_object__for_each_map(map, skel->obj) {
      // .rodata holds load-time settings: each load gets its own (frozen) copy.
      if (bpf_map__is_internal(map)) continue;
      // A perf event array is sized by libbpf at load (one entry per CPU);
      // size it now so that a pinned one compares equal.
      if (bpf_map__type(map) == BPF_MAP_TYPE_PERF_EVENT_ARRAY && bpf_map__max_entries(map) == 0)
        bpf_map__set_max_entries(map, (uint32_t)libbpf_num_possible_cpus());
      std::string path = pin_dir + "/" + bpf_map__name(map);
      if ((err = ReusePinnedMap(map, path))) {
        xconnect__destroy(skel);
        return Fail(err, "pinned map " + path + " does not match this version of clab-xconnect (" +
                             strerror(err) + "); remove the lab's state with `clab-xconnect destroy`");
      }
    }
    err = xconnect__load(skel);
    if (err) {
      std::string log = tl_libbpf_log;
      xconnect__destroy(skel);
      return Fail(-err, "cannot load the BPF programs (maps pinned in " + pin_dir + "): " + strerror(-err) +
                            (log.empty() ? "" : "\n" + log));
    }
    return Ok([skel](Napi::Env env) -> Napi::Value {
      Napi::Object layouts = StructLayouts(env, bpf_object__btf(skel->obj));
      auto* loaded = new Loaded();
      loaded->skel = skel;
      Napi::Object out = Napi::Object::New(env);
      out.Set("handle", Napi::External<Loaded>::New(env, loaded, [](Napi::Env, Loaded* l) {
                if (l->skel) xconnect__destroy(l->skel);
                delete l;
              }));
      Napi::Object maps = Napi::Object::New(env);
      bpf_map* m;
      bpf_object__for_each_map(m, skel->obj) maps.Set(bpf_map__name(m), bpf_map__fd(m));
      Napi::Object progs = Napi::Object::New(env);
      bpf_program* p;
      bpf_object__for_each_program(p, skel->obj) progs.Set(bpf_program__name(p), bpf_program__fd(p));
      out.Set("maps", maps);
      out.Set("progs", progs);
      out.Set("layouts", layouts);
      out.Set("possibleCpus", libbpf_num_possible_cpus());
      return out;
    });
  });
}

// close(handle): releases the programs and map fds of this process; pins stay.
Napi::Value Close(const Napi::CallbackInfo& info) {
  Loaded* l = GetLoaded(info);
  if (!l) XC_THROW_TYPE(info.Env(), "close(handle)");
  std::lock_guard<std::mutex> g(l->mu);
  if (l->skel) xconnect__destroy(l->skel);
  l->skel = nullptr;
  return info.Env().Undefined();
}

struct AttachResult {
  uint32_t ifindex = 0, prog_id = 0, link_id = 0;
  bool created = false;
};

// Attaches `prog_fd` to `ifname` (calling thread's netns) through a bpf_link
// pinned at `pin`. Idempotent: a link already pinned there, on this interface,
// in this mode, is kept. Refuses (EBUSY) an interface that carries any other
// XDP program: we never replace what we did not install.
Outcome AttachOne(const std::string& netns, const std::string& ifname, const std::string& pin, int prog_fd,
                  const std::string& mode, AttachResult* res) {
  std::string where = " (" + ifname + " " + WhereNetns(netns) + ")";
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (!ifindex) return Fail(ENODEV, "interface " + ifname + " not found " + WhereNetns(netns));
  res->ifindex = ifindex;
  uint32_t want_flags = mode == "native" ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
  uint8_t want_attached = mode == "native" ? XDP_ATTACHED_DRV : XDP_ATTACHED_SKB;

  LinkState ours;
  int err = ReadPinnedLink(pin, &ours);
  if (err) return Fail(err, "cannot read pinned link " + pin + ": " + strerror(err));
  uint8_t attached = 0;
  uint32_t prog_id = 0;
  if ((err = QueryXdp(ifindex, &attached, &prog_id)))
    return Fail(err, std::string("cannot query XDP state") + where + ": " + strerror(err));
  bool held_by_ours = ours.exists && prog_id && ours.info.prog_id == prog_id && ours.info.type == kLinkTypeXdp && ours.ifindex() == ifindex;
  if (held_by_ours && attached == want_attached) {
    res->prog_id = prog_id;
    res->link_id = ours.info.id;
    return Ok();
  }
  // Our pin but another mode, or a stale pin (device gone, recreated): redo.
  if (ours.exists && (err = DetachPinned(pin))) return Fail(err, "cannot remove stale link " + pin + ": " + strerror(err));
  if (!held_by_ours && attached != XDP_ATTACHED_NONE)
    return Fail(EBUSY, "interface " + ifname + " " + WhereNetns(netns) + " already carries XDP program id " +
                           std::to_string(prog_id) + " (" + ModeName(attached) +
                           " mode) that clab-xconnect did not install; refusing to replace it");
  LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = want_flags);
  int link_fd = bpf_link_create(prog_fd, (int)ifindex, BPF_XDP, &lo);
  if (link_fd < 0) {
    err = errno;
    std::string hint;
    if (err == ERANGE) hint = " (MTU too large for native XDP on this device)";
    if (err == EOPNOTSUPP || err == EINVAL) hint = " (the driver may not support " + mode + " XDP)";
    if (err == EBUSY || err == EEXIST) hint = " (another XDP program is attached)";
    return Fail(err, "cannot attach XDP in " + mode + " mode" + where + ": " + strerror(err) + hint);
  }
  bpf_link_info li{};
  if ((err = PinLink(link_fd, pin, &li))) return Fail(err, "cannot pin link at " + pin + where + ": " + strerror(err));
  res->prog_id = li.prog_id;
  res->link_id = li.id;
  res->created = true;
  return Ok();
}

// attachXdp({netns, progFd, mode: 'native'|'generic', ports: [{ifname, pin}]})
//   -> [{ifindex, progId, linkId, created}]
// All or nothing: when one port fails, the links this call created are
// removed again and the call fails naming that port.
Napi::Value AttachXdp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o;
  if (!ArgObject(info, 0, &o) || !o.Get("ports").IsArray()) XC_THROW_TYPE(env, "attachXdp(options)");
  std::string netns = GetString(o, "netns"), mode = GetString(o, "mode");
  int prog_fd = (int)GetInt(o, "progFd", -1);
  std::vector<std::pair<std::string, std::string>> ports;
  Napi::Array arr = o.Get("ports").As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object p = arr.Get(i).As<Napi::Object>();
    ports.emplace_back(GetString(p, "ifname"), GetString(p, "pin"));
    if (ports.back().first.empty() || ports.back().second.empty()) XC_THROW_TYPE(env, "attachXdp: port needs ifname and pin");
  }
  if (prog_fd < 0 || (mode != "native" && mode != "generic"))
    XC_THROW_TYPE(env, "attachXdp({netns, progFd, mode: 'native'|'generic', ports})");
  return RunJob(env, netns, [=]() -> Outcome {
    std::vector<AttachResult> results(ports.size());
    for (size_t i = 0; i < ports.size(); i++) {
      Outcome o = AttachOne(netns, ports[i].first, ports[i].second, prog_fd, mode, &results[i]);
      if (o.errnum) {
        for (size_t j = 0; j < i; j++)
          if (results[j].created) DetachPinned(ports[j].second);
        return o;
      }
    }
    return Ok([results, mode](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, results.size());
      for (uint32_t i = 0; i < results.size(); i++) {
        Napi::Object r = Napi::Object::New(env);
        r.Set("ifindex", results[i].ifindex);
        r.Set("mode", mode);
        r.Set("progId", results[i].prog_id);
        r.Set("linkId", results[i].link_id);
        r.Set("created", results[i].created);
        out.Set(i, r);
      }
      return out;
    });
  });
}

std::vector<std::string> StringList(const Napi::CallbackInfo& info, size_t i) {
  std::vector<std::string> out;
  if (info.Length() <= i || !info[i].IsArray()) return out;
  Napi::Array a = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < a.Length(); k++) out.push_back(a.Get(k).As<Napi::String>().Utf8Value());
  return out;
}

// detachLinks(pins[]) -> boolean[] (false: nothing was pinned there). XDP and
// TCX links alike; needs no netns: a bpf_link knows its device.
Napi::Value DetachLinks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) XC_THROW_TYPE(env, "detachLinks(pins: string[])");
  std::vector<std::string> pins = StringList(info, 0);
  return RunJob(env, "", [pins]() -> Outcome {
    std::vector<bool> existed;
    for (const auto& pin : pins) {
      existed.push_back(access(pin.c_str(), F_OK) == 0);
      if (int err = DetachPinned(pin)) return Fail(err, "cannot detach link " + pin + ": " + strerror(err));
    }
    return Ok([existed](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, existed.size());
      for (uint32_t i = 0; i < existed.size(); i++) out.Set(i, Napi::Boolean::New(env, existed[i]));
      return out;
    });
  });
}

// pinnedLinks(pins[]) -> ({id, progId, ifindex, type: xdp|tcx|other} | null)[]: what pinned links hold.
Napi::Value PinnedLinks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) XC_THROW_TYPE(env, "pinnedLinks(pins: string[])");
  std::vector<std::string> pins = StringList(info, 0);
  return RunJob(env, "", [pins]() -> Outcome {
    std::vector<LinkState> states(pins.size());
    for (size_t i = 0; i < pins.size(); i++)
      if (int err = ReadPinnedLink(pins[i], &states[i]))
        return Fail(err, "cannot read pinned link " + pins[i] + ": " + strerror(err));
    return Ok([states](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, states.size());
      for (uint32_t i = 0; i < states.size(); i++) {
        if (!states[i].exists) {
          out.Set(i, env.Null());
          continue;
        }
        Napi::Object r = Napi::Object::New(env);
        r.Set("id", states[i].info.id);
        r.Set("progId", states[i].info.prog_id);
        r.Set("ifindex", states[i].ifindex());
        uint32_t t = states[i].info.type;
        r.Set("type", t == kLinkTypeXdp ? "xdp" : t == kLinkTypeTcx ? "tcx" : "other");
        out.Set(i, r);
      }
      return out;
    });
  });
}

struct MapOp {
  enum Kind { kUpdate, kDelete, kLookup } kind;
  int fd;
  std::vector<uint8_t> key, value;
  size_t value_size = 0;
};

std::vector<uint8_t> Bytes(Napi::Value v) {
  if (!v.IsBuffer()) return {};
  auto b = v.As<Napi::Buffer<uint8_t>>();
  return std::vector<uint8_t>(b.Data(), b.Data() + b.Length());
}

// mapOps(netns, [{op: 'update'|'delete'|'lookup', fd, key, value?, valueSize?}])
//   -> per op: update -> true; delete -> existed; lookup -> Buffer | null.
// Runs inside `netns` because devmap values (ifindexes) are resolved in the
// updating thread's netns.
Napi::Value MapOps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string netns;
  if (info.Length() < 2 || !(info[0].IsString() || info[0].IsNull()) || !info[1].IsArray())
    XC_THROW_TYPE(env, "mapOps(netns: string | null, ops: MapOp[])");
  if (info[0].IsString()) netns = info[0].As<Napi::String>().Utf8Value();
  Napi::Array arr = info[1].As<Napi::Array>();
  std::vector<MapOp> ops;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object o = arr.Get(i).As<Napi::Object>();
    std::string k = GetString(o, "op");
    MapOp op{k == "update" ? MapOp::kUpdate : k == "delete" ? MapOp::kDelete : MapOp::kLookup,
             (int)GetInt(o, "fd", -1), Bytes(o.Get("key")), Bytes(o.Get("value")),
             (size_t)GetInt(o, "valueSize", 0)};
    if ((k != "update" && k != "delete" && k != "lookup") || op.fd < 0 || op.key.empty() ||
        (op.kind == MapOp::kUpdate && op.value.empty()) || (op.kind == MapOp::kLookup && !op.value_size))
      XC_THROW_TYPE(env, "mapOps: bad op at index " + std::to_string(i));
    ops.push_back(std::move(op));
  }
  return RunJob(env, netns, [netns, ops = std::move(ops)]() mutable -> Outcome {
    struct Res { int kind; bool flag; std::vector<uint8_t> data; };
    std::vector<Res> res;
    res.reserve(ops.size());
    for (size_t i = 0; i < ops.size(); i++) {
      MapOp& op = ops[i];
      if (op.kind == MapOp::kUpdate) {
        if (bpf_map_update_elem(op.fd, op.key.data(), op.value.data(), BPF_ANY) < 0) {
          int err = errno;
          return Fail(err, "map update failed (op " + std::to_string(i) + ", " + WhereNetns(netns) + "): " +
                               strerror(err) + (err == ENODEV || err == EINVAL ? " (no such ifindex in this netns?)" : ""));
        }
        res.push_back({0, true, {}});
      } else if (op.kind == MapOp::kDelete) {
        int rc = bpf_map_delete_elem(op.fd, op.key.data());
        if (rc < 0 && errno != ENOENT)
          return Fail(errno, "map delete failed (op " + std::to_string(i) + "): " + strerror(errno));
        res.push_back({1, rc == 0, {}});
      } else {
        std::vector<uint8_t> v(op.value_size);
        int rc = bpf_map_lookup_elem(op.fd, op.key.data(), v.data());
        if (rc < 0 && errno != ENOENT)
          return Fail(errno, "map lookup failed (op " + std::to_string(i) + "): " + strerror(errno));
        res.push_back({2, rc == 0, rc == 0 ? std::move(v) : std::vector<uint8_t>{}});
      }
    }
    return Ok([res = std::move(res)](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, res.size());
      for (uint32_t i = 0; i < res.size(); i++) {
        const Res& r = res[i];
        if (r.kind == 2)
          out.Set(i, r.flag ? Napi::Buffer<uint8_t>::Copy(env, r.data.data(), r.data.size()).As<Napi::Value>()
                            : env.Null());
        else
          out.Set(i, Napi::Boolean::New(env, r.flag));
      }
      return out;
    });
  });
}

// mapDump(fd, keySize, valueSize) -> [{key, value}]
Napi::Value MapDump(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber())
    XC_THROW_TYPE(env, "mapDump(fd, keySize, valueSize)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  size_t ks = info[1].As<Napi::Number>().Uint32Value(), vs = info[2].As<Napi::Number>().Uint32Value();
  return RunJob(env, "", [=]() -> Outcome {
    std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>> rows;
    std::vector<uint8_t> key(ks), next(ks);
    void* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
      std::vector<uint8_t> val(vs);
      if (bpf_map_lookup_elem(fd, next.data(), val.data()) == 0) rows.emplace_back(next, std::move(val));
      key = next;
      prev = key.data();
    }
    if (errno != ENOENT) return Fail(errno, std::string("map dump failed: ") + strerror(errno));
    return Ok([rows = std::move(rows)](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, rows.size());
      for (uint32_t i = 0; i < rows.size(); i++) {
        Napi::Object r = Napi::Object::New(env);
        r.Set("key", Napi::Buffer<uint8_t>::Copy(env, rows[i].first.data(), rows[i].first.size()));
        r.Set("value", Napi::Buffer<uint8_t>::Copy(env, rows[i].second.data(), rows[i].second.size()));
        out.Set(i, r);
      }
      return out;
    });
  });
}

// openPinnedMap(path) -> {fd, type, keySize, valueSize, maxEntries} | null
// (null: nothing pinned there). For readers that need a lab's maps and not its
// programs; close the fd with closeFd.
Napi::Value OpenPinnedMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!ArgString(info, 0, &path)) XC_THROW_TYPE(env, "openPinnedMap(path: string)");
  return RunJob(env, "", [path]() -> Outcome {
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0 && errno == ENOENT) return Ok([](Napi::Env env) { return env.Null(); });
    if (fd < 0) return Fail(errno, "cannot open pinned map " + path + ": " + strerror(errno));
    bpf_map_info mi{};
    uint32_t len = sizeof(mi);
    if (bpf_obj_get_info_by_fd(fd, &mi, &len) < 0) {
      int err = errno;
      close(fd);
      return Fail(err, "cannot read pinned map " + path + ": " + strerror(err));
    }
    return Ok([fd, mi](Napi::Env env) -> Napi::Value {
      Napi::Object o = Napi::Object::New(env);
      o.Set("fd", fd);
      o.Set("type", mi.type);
      o.Set("keySize", mi.key_size);
      o.Set("valueSize", mi.value_size);
      o.Set("maxEntries", mi.max_entries);
      return o;
    });
  });
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  if (info.Length() >= 1 && info[0].IsNumber()) close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

}  // namespace

void InitBpf(Napi::Env env, Napi::Object exports) {
  libbpf_set_print(LibbpfPrint);
  exports.Set("open", Napi::Function::New(env, Open));
  exports.Set("close", Napi::Function::New(env, Close));
  exports.Set("attachXdp", Napi::Function::New(env, AttachXdp));
  exports.Set("detachLinks", Napi::Function::New(env, DetachLinks));
  exports.Set("pinnedLinks", Napi::Function::New(env, PinnedLinks));
  exports.Set("mapOps", Napi::Function::New(env, MapOps));
  exports.Set("mapDump", Napi::Function::New(env, MapDump));
  exports.Set("openPinnedMap", Napi::Function::New(env, OpenPinnedMap));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
}

}  // namespace xc
