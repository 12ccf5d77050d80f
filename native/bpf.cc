// BPF mechanism: load the embedded programs with their maps pinned (and reused)
// under a directory the caller names, or open a lab's pinned maps alone; attach
// and detach XDP through pinned bpf_links; map reads and writes by map name. No
// policy: which port gets what is decided in TypeScript (src/dataplane/).
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "handle.h"
#include "job.h"
#include "object.h"
#include "pins.h"
#include "xconnect.skel.h"

namespace xc {

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

bool IsPerCpu(uint32_t type) {
  return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
         type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

BpfMap Describe(int fd, uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries) {
  BpfMap m{fd, type, key_size, value_size, max_entries, value_size};
  if (IsPerCpu(type)) m.lookup_size = ((value_size + 7) & ~7u) * (size_t)libbpf_num_possible_cpus();
  return m;
}

Napi::Object MapsToJs(Napi::Env env, const BpfObject& o) {
  Napi::Object maps = Napi::Object::New(env);
  for (const auto& [name, m] : o.maps) {
    Napi::Object d = Napi::Object::New(env);
    d.Set("type", m.type);
    d.Set("keySize", m.key_size);
    d.Set("valueSize", m.value_size);
    d.Set("maxEntries", m.max_entries);
    maps.Set(name, d);
  }
  return maps;
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

// The object's handle and what JavaScript may know of it: map shapes,
// program names, struct layouts (BTF, loaded objects only), CPU count.
Napi::Value ObjectToJs(Napi::Env env, std::shared_ptr<BpfObject> obj) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("maps", MapsToJs(env, *obj));
  Napi::Array progs = Napi::Array::New(env, obj->progs.size());
  uint32_t k = 0;
  for (const auto& p : obj->progs) progs.Set(k++, p.first);
  out.Set("progs", progs);
  out.Set("layouts", StructLayouts(env, obj->skel ? bpf_object__btf(obj->skel->obj) : nullptr));
  out.Set("possibleCpus", libbpf_num_possible_cpus());
  out.Set("handle", WrapHandle<const BpfObject>(env, std::move(obj)));
  return out;
}

// open(pinDir, {impairments?}) -> {handle, maps: {name: shape}, progs: name[], layouts, possibleCpus}
// impairments: false builds the wire without its impairment code (benchmarks).
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string pin_dir;
  if (!ArgString(info, 0, &pin_dir)) XC_THROW_TYPE(env, "open(pinDir: string, options?)");
  bool impairments = true;
  Napi::Object o;
  if (ArgObject(info, 1, &o) && o.Get("impairments").IsBoolean()) impairments = o.Get("impairments").As<Napi::Boolean>().Value();
  return RunJob(env, nullptr, [pin_dir, impairments]() -> Outcome {
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
    auto obj = std::make_shared<BpfObject>();
    obj->skel = skel;
    bpf_map* m;
    bpf_object__for_each_map(m, skel->obj) {
      if (bpf_map__is_internal(m)) continue;
      obj->maps[bpf_map__name(m)] = Describe(bpf_map__fd(m), bpf_map__type(m), bpf_map__key_size(m), bpf_map__value_size(m),
                                             bpf_map__max_entries(m));
    }
    bpf_program* p;
    bpf_object__for_each_program(p, skel->obj) obj->progs[bpf_program__name(p)] = bpf_program__fd(p);
    return Ok([obj](Napi::Env env) { return ObjectToJs(env, obj); });
  });
}

// openPinned(pinDir, names[]) -> like open(), with the maps of `names` pinned
// in pinDir (those not pinned are absent) and no programs: reading and
// changing a lab's wires needs its maps, not a program load and verification.
Napi::Value OpenPinned(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string pin_dir;
  std::vector<std::string> names;
  if (!ArgString(info, 0, &pin_dir) || !ArgStringList(info, 1, &names)) XC_THROW_TYPE(env, "openPinned(pinDir: string, names: string[])");
  return RunJob(env, nullptr, [pin_dir, names]() -> Outcome {
    auto obj = std::make_shared<BpfObject>();
    for (const auto& name : names) {
      std::string path = pin_dir + "/" + name;
      int fd = bpf_obj_get(path.c_str());
      if (fd < 0 && errno == ENOENT) continue;
      if (fd < 0) return Fail(errno, "cannot open pinned map " + path + ": " + strerror(errno));
      bpf_map_info mi{};
      uint32_t len = sizeof(mi);
      if (bpf_obj_get_info_by_fd(fd, &mi, &len) < 0) {
        int err = errno;
        close(fd);
        return Fail(err, "cannot read pinned map " + path + ": " + strerror(err));
      }
      obj->maps[name] = Describe(fd, mi.type, mi.key_size, mi.value_size, mi.max_entries);
    }
    return Ok([obj](Napi::Env env) { return ObjectToJs(env, obj); });
  });
}

struct XdpPort {
  uint32_t ifindex;
  std::string name, pin;
  bool replace;
};

// Attaches `prog_fd` to one port (calling thread's netns) through a bpf_link
// pinned at its pin. The caller decided from its snapshot that the port needs
// it (and, with `replace`, that the link pinned there is ours to drop, say for
// another mode). The kernel refuses (EBUSY) a device that carries any XDP
// program, so one that appeared since that snapshot is never replaced.
Outcome AttachOne(const NetnsRef& netns, const XdpPort& port, int prog_fd, const std::string& mode, Attached* res) {
  std::string where = " (" + port.name + " " + WhereNetns(netns) + ")";
  res->ifindex = port.ifindex;
  int err;
  if (port.replace && (err = DetachPinned(port.pin))) return Fail(err, "cannot remove link " + port.pin + ": " + strerror(err));
  LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = mode == "native" ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE);
  int link_fd = bpf_link_create(prog_fd, (int)port.ifindex, BPF_XDP, &lo);
  if (link_fd < 0) {
    err = errno;
    std::string hint;
    if (err == ENODEV) hint = " (the interface is gone)";
    if (err == ERANGE) hint = " (MTU too large for native XDP on this device)";
    if (err == EOPNOTSUPP || err == EINVAL) hint = " (the driver may not support " + mode + " XDP)";
    if (err == EBUSY || err == EEXIST) hint = " (another XDP program is attached: clab-xconnect does not replace what it did not install)";
    return Fail(err, "cannot attach XDP in " + mode + " mode" + where + ": " + strerror(err) + hint);
  }
  bpf_link_info li{};
  if ((err = PinLink(link_fd, port.pin, &li))) return Fail(err, "cannot pin link at " + port.pin + where + ": " + strerror(err));
  res->prog_id = li.prog_id;
  res->link_id = li.id;
  res->created = true;
  return Ok();
}

// attachXdp({object, prog, netns, mode: 'native'|'generic', ports: [{ifindex, name, pin, replace}]})
//   -> [{ifindex, progId, linkId}]
// All or nothing: when one port fails, the links this call created are
// removed again and the call fails naming that port.
Napi::Value AttachXdp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o;
  ObjectRef obj;
  NetnsRef netns;
  if (!ArgObject(info, 0, &o) || !o.Get("ports").IsArray() || !GetBpfObject(o, "object", &obj))
    XC_THROW_TYPE(env, "attachXdp({object, prog, netns, mode, ports})");
  Napi::Value ns = o.Get("netns");
  if (!ns.IsNull() && !ns.IsUndefined() && !(netns = UnwrapHandle<const Netns>(ns))) XC_THROW_TYPE(env, "attachXdp: netns is not an open handle");
  std::string mode = GetString(o, "mode");
  int prog_fd = obj->Prog(GetString(o, "prog"));
  std::vector<XdpPort> ports;
  Napi::Array arr = o.Get("ports").As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object p = arr.Get(i).As<Napi::Object>();
    ports.push_back({(uint32_t)GetInt(p, "ifindex"), GetString(p, "name"), GetString(p, "pin"), p.Get("replace").ToBoolean().Value()});
    if (!ports.back().ifindex || ports.back().pin.empty()) XC_THROW_TYPE(env, "attachXdp: a port needs ifindex and pin");
  }
  if (prog_fd < 0 || (mode != "native" && mode != "generic"))
    XC_THROW_TYPE(env, "attachXdp({object, prog, netns, mode: 'native'|'generic', ports})");
  return RunJob(env, netns, [obj, netns, ports, prog_fd, mode]() -> Outcome {
    std::vector<Attached> results(ports.size());
    for (size_t i = 0; i < ports.size(); i++) {
      Outcome o = AttachOne(netns, ports[i], prog_fd, mode, &results[i]);
      if (o.errnum) {
        for (size_t j = 0; j < i; j++) DetachPinned(ports[j].pin);
        return o;
      }
    }
    return Ok([results](Napi::Env env) { return AttachedToJs(env, results); });
  });
}

// detachLinks(pins[]) -> boolean[] (false: nothing was pinned there). XDP and
// TCX links alike; needs no netns: a bpf_link knows its device.
Napi::Value DetachLinks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> pins;
  if (!ArgStringList(info, 0, &pins)) XC_THROW_TYPE(env, "detachLinks(pins: string[])");
  return RunJob(env, nullptr, [pins]() -> Outcome {
    std::vector<char> existed(pins.size(), 0);
    for (size_t i = 0; i < pins.size(); i++) {
      existed[i] = access(pins[i].c_str(), F_OK) == 0;
      if (int err = DetachPinned(pins[i])) return Fail(err, "cannot detach link " + pins[i] + ": " + strerror(err));
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
  std::vector<std::string> pins;
  if (!ArgStringList(info, 0, &pins)) XC_THROW_TYPE(env, "pinnedLinks(pins: string[])");
  return RunJob(env, nullptr, [pins]() -> Outcome {
    std::vector<LinkState> states(pins.size());
    std::vector<Outcome> outs = FanOut(pins.size(), [&](size_t i) {
      int err = ReadPinnedLink(pins[i], &states[i]);
      return err ? Fail(err, "cannot read pinned link " + pins[i] + ": " + strerror(err)) : Ok();
    });
    for (Outcome& o : outs)
      if (o.errnum) return o;
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
  const BpfMap* map;
  std::vector<uint8_t> key, value;
};

std::vector<uint8_t> Bytes(Napi::Value v) {
  if (!v.IsBuffer()) return {};
  auto b = v.As<Napi::Buffer<uint8_t>>();
  return std::vector<uint8_t>(b.Data(), b.Data() + b.Length());
}

// mapOps(object, netns, [{op: 'update'|'delete'|'lookup', map, key, value?}])
//   -> per op: update -> true; delete -> existed; lookup -> Buffer | null.
// Runs inside `netns` because devmap values (ifindexes) are resolved in the
// updating thread's netns. Keys and values must have the map's sizes.
Napi::Value MapOps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ObjectRef obj;
  NetnsRef netns;
  if (!ArgBpfObject(info, 0, &obj) || !ArgNetns(info, 1, &netns) || info.Length() < 3 || !info[2].IsArray())
    XC_THROW_TYPE(env, "mapOps(object, netns, ops)");
  Napi::Array arr = info[2].As<Napi::Array>();
  std::vector<MapOp> ops;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object o = arr.Get(i).As<Napi::Object>();
    std::string k = GetString(o, "op"), name = GetString(o, "map");
    MapOp op{k == "update" ? MapOp::kUpdate : k == "delete" ? MapOp::kDelete : MapOp::kLookup, obj->Map(name),
             Bytes(o.Get("key")), Bytes(o.Get("value"))};
    if ((k != "update" && k != "delete" && k != "lookup") || !op.map || op.key.size() != op.map->key_size ||
        (op.kind == MapOp::kUpdate && op.value.size() != op.map->lookup_size))
      XC_THROW_TYPE(env, "mapOps: bad op at index " + std::to_string(i) + " (map " + name + ")");
    ops.push_back(std::move(op));
  }
  return RunJob(env, netns, [obj, netns, ops = std::move(ops)]() mutable -> Outcome {
    struct Res { int kind; bool flag; std::vector<uint8_t> data; };
    std::vector<Res> res;
    res.reserve(ops.size());
    for (size_t i = 0; i < ops.size(); i++) {
      MapOp& op = ops[i];
      int fd = op.map->fd;
      if (op.kind == MapOp::kUpdate) {
        if (bpf_map_update_elem(fd, op.key.data(), op.value.data(), BPF_ANY) < 0) {
          int err = errno;
          return Fail(err, "map update failed (op " + std::to_string(i) + ", " + WhereNetns(netns) + "): " +
                               strerror(err) + (err == ENODEV || err == EINVAL ? " (no such ifindex in this netns?)" : ""));
        }
        res.push_back({0, true, {}});
      } else if (op.kind == MapOp::kDelete) {
        int rc = bpf_map_delete_elem(fd, op.key.data());
        if (rc < 0 && errno != ENOENT)
          return Fail(errno, "map delete failed (op " + std::to_string(i) + "): " + strerror(errno));
        res.push_back({1, rc == 0, {}});
      } else {
        std::vector<uint8_t> v(op.map->lookup_size);
        int rc = bpf_map_lookup_elem(fd, op.key.data(), v.data());
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

// Reads every entry of a hash map with BPF_MAP_LOOKUP_BATCH into `keys` and
// `values`, packed one entry after another. Returns 0 or an errno.
int DumpBatched(const BpfMap& m, std::vector<uint8_t>* keys, std::vector<uint8_t>* values, uint32_t* count) {
  const uint32_t chunk = 1024;
  uint64_t in = 0, out = 0;  // opaque batch cursors (a hash map's is a bucket index)
  bool first = true;
  *count = 0;
  for (;;) {
    uint32_t n = chunk;
    keys->resize((size_t)(*count + chunk) * m.key_size);
    values->resize((size_t)(*count + chunk) * m.lookup_size);
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    int rc = bpf_map_lookup_batch(m.fd, first ? nullptr : &in, &out, keys->data() + (size_t)*count * m.key_size,
                                  values->data() + (size_t)*count * m.lookup_size, &n, &opts);
    int err = rc < 0 ? errno : 0;
    if (err && err != ENOENT) return err;
    *count += n;
    if (err == ENOENT) break;  // the last batch
    in = out;
    first = false;
  }
  keys->resize((size_t)*count * m.key_size);
  values->resize((size_t)*count * m.lookup_size);
  return 0;
}

// mapDump(object, map) -> {count, keySize, valueSize, keys, values}: entries
// packed in two buffers, not an object and two buffers per entry: making those
// cost ~10 ms of a 2,000-port lab's no-op apply.
Napi::Value MapDump(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ObjectRef obj;
  std::string name;
  if (!ArgBpfObject(info, 0, &obj) || !ArgString(info, 1, &name) || !obj->Map(name)) XC_THROW_TYPE(env, "mapDump(object, map)");
  return RunJob(env, nullptr, [obj, name]() -> Outcome {
    const BpfMap* m = obj->Map(name);
    std::vector<uint8_t> keys, values;
    uint32_t count = 0;
    // One syscall per batch of entries (a 2,000-port lab's map in one or two),
    // where the map type has batch lookups; else key by key.
    int err = DumpBatched(*m, &keys, &values, &count);
    if (err == EINVAL || err == ENOTSUP || err == EOPNOTSUPP) {
      keys.clear();
      values.clear();
      count = 0;
      std::vector<uint8_t> key(m->key_size), next(m->key_size), val(m->lookup_size);
      void* prev = nullptr;
      while (bpf_map_get_next_key(m->fd, prev, next.data()) == 0) {
        if (bpf_map_lookup_elem(m->fd, next.data(), val.data()) == 0) {
          keys.insert(keys.end(), next.begin(), next.end());
          values.insert(values.end(), val.begin(), val.end());
          count++;
        }
        key = next;
        prev = key.data();
      }
      err = errno == ENOENT ? 0 : errno;
    }
    if (err) return Fail(err, "map dump of " + name + " failed: " + strerror(err));
    uint32_t key_size = m->key_size, value_size = m->lookup_size;
    return Ok([keys = std::move(keys), values = std::move(values), count, key_size, value_size](Napi::Env env) -> Napi::Value {
      Napi::Object out = Napi::Object::New(env);
      out.Set("count", count);
      out.Set("keySize", key_size);
      out.Set("valueSize", value_size);
      out.Set("keys", Napi::Buffer<uint8_t>::Copy(env, keys.data(), keys.size()));
      out.Set("values", Napi::Buffer<uint8_t>::Copy(env, values.data(), values.size()));
      return out;
    });
  });
}

}  // namespace

const napi_type_tag BpfObject::kTag = {0x636c61622d786331ULL, 0x6f626a6563740002ULL};

BpfObject::~BpfObject() {
  if (skel) {
    xconnect__destroy(skel);  // closes the programs' and maps' fds
    return;
  }
  for (const auto& m : maps) close(m.second.fd);
}

Napi::Value AttachedToJs(Napi::Env env, const std::vector<Attached>& results) {
  Napi::Array out = Napi::Array::New(env, results.size());
  for (uint32_t i = 0; i < results.size(); i++) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("ifindex", results[i].ifindex);
    r.Set("progId", results[i].prog_id);
    r.Set("linkId", results[i].link_id);
    r.Set("created", results[i].created);
    r.Set("qdiscCreated", results[i].qdisc_created);
    out.Set(i, r);
  }
  return out;
}

const BpfMap* BpfObject::Map(const std::string& name) const {
  auto it = maps.find(name);
  return it == maps.end() ? nullptr : &it->second;
}

int BpfObject::Prog(const std::string& name) const {
  auto it = progs.find(name);
  return it == progs.end() ? -1 : it->second;
}

bool ArgBpfObject(const Napi::CallbackInfo& info, size_t i, ObjectRef* out) {
  if (info.Length() <= i) return false;
  *out = UnwrapHandle<const BpfObject>(info[i]);
  return *out != nullptr;
}

bool GetBpfObject(Napi::Object o, const char* key, ObjectRef* out) {
  *out = UnwrapHandle<const BpfObject>(o.Get(key));
  return *out != nullptr;
}

void InitBpf(Napi::Env env, Napi::Object exports) {
  libbpf_set_print(LibbpfPrint);
  exports.Set("open", Napi::Function::New(env, Open));
  exports.Set("openPinned", Napi::Function::New(env, OpenPinned));
  exports.Set("attachXdp", Napi::Function::New(env, AttachXdp));
  exports.Set("detachLinks", Napi::Function::New(env, DetachLinks));
  exports.Set("pinnedLinks", Napi::Function::New(env, PinnedLinks));
  exports.Set("mapOps", Napi::Function::New(env, MapOps));
  exports.Set("mapDump", Napi::Function::New(env, MapDump));
}

}  // namespace xc
