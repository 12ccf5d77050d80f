// The tc engine's attachment: the wire program at a port's ingress, either
// through TCX (a bpf_link, pinned like the XDP ones; kernel 6.6+) or, where the
// kernel has no TCX, as a direct-action cls_bpf filter in the port's ingress
// qdisc, ahead of containerlab's u32 stitch. No policy: which ports, and which
// attach type, is decided in TypeScript (src/dataplane/).
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <unordered_set>
#include <vector>

#include "handle.h"
#include "job.h"
#include "nl.h"
#include "object.h"
#include "pins.h"
#include "xconnect.h"

namespace xc {
namespace {

// The name our legacy filter carries (TCA_BPF_NAME): how we tell it from
// others. A filter for which we added the clsact qdisc says so in its name, so
// that whoever removes the filter knows the qdisc is ours to remove too, with
// no other record to keep in step.
constexpr const char* kFilterName = "clab-xconnect:xc_wire_tc";
constexpr const char* kFilterNameOwnQdisc = "clab-xconnect:xc_wire_tc:own-qdisc";
constexpr uint32_t kIngressParent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);

struct Filter {
  uint32_t prio = 0, handle = 0, prog_id = 0;
  std::string kind, name;
  bool ours() const {
    return kind == "bpf" && prio == XC_TC_PRIO && handle == XC_TC_HANDLE && (name == kFilterName || name == kFilterNameOwnQdisc);
  }
  bool owns_qdisc() const { return ours() && name == kFilterNameOwnQdisc; }
};

struct TcState {
  std::vector<uint32_t> tcx;     // prog ids at TCX ingress
  std::vector<Filter> filters;   // ingress filters (legacy tc)
};

nlmsghdr* PutTc(char* buf, uint16_t type, uint16_t flags, uint32_t ifindex, uint32_t parent, uint32_t handle, uint32_t info) {
  nlmsghdr* nlh;
  auto* t = NlPutRequest<tcmsg>(buf, type, flags, &nlh);
  t->tcm_family = AF_UNSPEC;
  t->tcm_ifindex = (int)ifindex;
  t->tcm_parent = parent;
  t->tcm_handle = handle;
  t->tcm_info = info;
  return nlh;
}

// Prog ids at TCX ingress of `ifindex`.
int QueryTcx(uint32_t ifindex, std::vector<uint32_t>* ids) {
  uint32_t buf[64], cnt = 64, flags = 0;
  if (bpf_prog_query((int)ifindex, (bpf_attach_type)kAttachTcxIngress, 0, &flags, buf, &cnt) < 0) {
    // No TCX in this kernel: nothing can be attached there either.
    return errno == EINVAL ? 0 : errno;
  }
  ids->assign(buf, buf + cnt);
  return 0;
}

// Ingress filters of `ifindex` (none when it has no ingress qdisc, or no such
// device: the kernel's filter dump answers both with an empty list).
int QueryFilters(uint32_t ifindex, std::vector<Filter>* out, std::string* ack) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = PutTc(buf, RTM_GETTFILTER, NLM_F_DUMP, ifindex, kIngressParent, 0, 0);
  int err = NlTalk(NETLINK_ROUTE, nlh, [&](const nlmsghdr* m) {
    auto* t = (const tcmsg*)mnl_nlmsg_get_payload(m);
    if (!t->tcm_handle) return;  // the classifier's head entry, not a filter
    Filter f;
    f.prio = TC_H_MAJ(t->tcm_info) >> 16;
    f.handle = t->tcm_handle;
    nlattr* a;
    XC_ATTRS(a, m, sizeof(*t)) {
      if (mnl_attr_get_type(a) == TCA_KIND) f.kind = mnl_attr_get_str(a);
      if (mnl_attr_get_type(a) != TCA_OPTIONS) continue;
      nlattr* o;
      XC_NESTED(o, a) {
        if (mnl_attr_get_type(o) == TCA_BPF_NAME) f.name = mnl_attr_get_str(o);
        if (mnl_attr_get_type(o) == TCA_BPF_ID) f.prog_id = mnl_attr_get_u32(o);
      }
    }
    out->push_back(f);
  }, ack);
  // No ingress qdisc: no filters.
  if (err == EINVAL || err == ENOENT) {
    out->clear();
    return 0;
  }
  return err;
}

// The devices that have an ingress (or clsact) qdisc, from one dump of every
// device's qdiscs: only they can hold ingress filters, and a filter dump per
// device without one cost a netlink round trip each (2,000 at 1,000 wires).
int IngressQdiscs(std::unordered_set<uint32_t>* out, std::string* ack) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = PutTc(buf, RTM_GETQDISC, NLM_F_DUMP, 0, 0, 0, 0);
  return NlTalk(NETLINK_ROUTE, nlh, [&](const nlmsghdr* m) {
    auto* t = (const tcmsg*)mnl_nlmsg_get_payload(m);
    if (t->tcm_parent == TC_H_INGRESS) out->insert((uint32_t)t->tcm_ifindex);
  }, ack);
}

// `ingress`: whether the device has an ingress qdisc (IngressQdiscs).
int ReadState(uint32_t ifindex, bool ingress, TcState* st, std::string* ack) {
  if (int err = QueryTcx(ifindex, &st->tcx)) return err;
  return ingress ? QueryFilters(ifindex, &st->filters, ack) : 0;
}

int AddClsact(uint32_t ifindex, bool* created, std::string* ack) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = PutTc(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0);
  mnl_attr_put_strz(nlh, TCA_KIND, "clsact");
  int err = NlTalk(NETLINK_ROUTE, nlh, [](const nlmsghdr*) {}, ack);
  *created = err == 0;
  // EEXIST: an ingress or clsact qdisc is there already (containerlab's stitch).
  return err == EEXIST ? 0 : err;
}

// Deletes the device's clsact qdisc. The kind in the request makes the kernel
// refuse (EINVAL) to delete an `ingress` qdisc, such as containerlab's.
int DelClsact(uint32_t ifindex, std::string* ack) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = PutTc(buf, RTM_DELQDISC, 0, ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0);
  mnl_attr_put_strz(nlh, TCA_KIND, "clsact");
  int err = NlTalk(NETLINK_ROUTE, nlh, [](const nlmsghdr*) {}, ack);
  return err == ENOENT || err == EINVAL || err == ENODEV ? 0 : err;
}

int AddFilter(uint32_t ifindex, int prog_fd, bool own_qdisc, std::string* ack) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = PutTc(buf, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex, kIngressParent, XC_TC_HANDLE,
                        TC_H_MAKE((uint32_t)XC_TC_PRIO << 16, htons(ETH_P_ALL)));
  mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
  nlattr* opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
  mnl_attr_put_u32(nlh, TCA_BPF_FD, (uint32_t)prog_fd);
  mnl_attr_put_strz(nlh, TCA_BPF_NAME, own_qdisc ? kFilterNameOwnQdisc : kFilterName);
  mnl_attr_put_u32(nlh, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
  mnl_attr_nest_end(nlh, opts);
  return NlTalk(NETLINK_ROUTE, nlh, [](const nlmsghdr*) {}, ack);
}

int DelFilter(uint32_t ifindex, std::string* ack) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = PutTc(buf, RTM_DELTFILTER, 0, ifindex, kIngressParent, XC_TC_HANDLE,
                        TC_H_MAKE((uint32_t)XC_TC_PRIO << 16, htons(ETH_P_ALL)));
  mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
  return NlTalk(NETLINK_ROUTE, nlh, [](const nlmsghdr*) {}, ack);
}

std::string Foreign(const std::string& ifname, const NetnsRef& netns, const std::string& what) {
  return "interface " + ifname + " " + WhereNetns(netns) + " already carries " + what +
         " that clab-xconnect did not install; refusing to run beside it";
}

Outcome AttachTcxOne(const NetnsRef& netns, const std::string& ifname, uint32_t ifindex, const std::string& pin,
                     int prog_fd, Attached* res) {
  std::string where = " (" + ifname + " " + WhereNetns(netns) + ")";
  LinkState ours;
  int err = ReadPinnedLink(pin, &ours);
  if (err) return Fail(err, "cannot read pinned link " + pin + ": " + strerror(err));
  std::vector<uint32_t> progs;
  if ((err = QueryTcx(ifindex, &progs))) return Fail(err, "cannot query TCX programs" + where + ": " + strerror(err));
  bool held = ours.exists && ours.info.type == kLinkTypeTcx && ours.ifindex() == ifindex;
  bool held_attached = false;
  for (uint32_t id : progs) {
    if (held && id == ours.info.prog_id) {
      held_attached = true;
      continue;
    }
    return Fail(EBUSY, Foreign(ifname, netns, "TCX program id " + std::to_string(id)));
  }
  if (held && held_attached) {
    res->prog_id = ours.info.prog_id;
    res->link_id = ours.info.id;
    return Ok();
  }
  // A stale pin (device gone or recreated): redo.
  if (ours.exists && (err = DetachPinned(pin))) return Fail(err, "cannot remove stale link " + pin + ": " + strerror(err));
  int link_fd = bpf_link_create(prog_fd, (int)ifindex, (bpf_attach_type)kAttachTcxIngress, nullptr);
  if (link_fd < 0) {
    err = errno;
    std::string hint = err == EINVAL ? " (this kernel may lack TCX: kernel 6.6+; the legacy tc attach works on older kernels)" : "";
    return Fail(err, "cannot attach the tc wire at TCX ingress" + where + ": " + strerror(err) + hint);
  }
  bpf_link_info li{};
  if ((err = PinLink(link_fd, pin, &li))) return Fail(err, "cannot pin link at " + pin + where + ": " + strerror(err));
  res->prog_id = li.prog_id;
  res->link_id = li.id;
  res->created = true;
  return Ok();
}

Outcome AttachLegacyOne(const NetnsRef& netns, const std::string& ifname, uint32_t ifindex, int prog_fd, uint32_t prog_id,
                        Attached* res) {
  std::string where = " (" + ifname + " " + WhereNetns(netns) + ")";
  std::string ack;
  int err = AddClsact(ifindex, &res->qdisc_created, &ack);
  if (err) return Fail(err, "cannot add a clsact qdisc" + where + ": " + strerror(err) + AckSuffix(ack));
  auto undo = [&]() {
    std::string a;
    if (res->qdisc_created) DelClsact(ifindex, &a);
  };
  // A qdisc made just now holds no filters: nothing to look through.
  std::vector<Filter> filters;
  if (!res->qdisc_created && (err = QueryFilters(ifindex, &filters, &ack))) {
    undo();
    return Fail(err, "cannot list the tc filters" + where + ": " + strerror(err) + AckSuffix(ack));
  }
  for (const Filter& f : filters) {
    if (f.ours()) {
      res->prog_id = f.prog_id;
      return Ok();
    }
    if (f.kind == "bpf" || f.prio == XC_TC_PRIO) {
      undo();
      return Fail(EBUSY, Foreign(ifname, netns, "tc " + f.kind + " filter (pref " + std::to_string(f.prio) + ", name \"" +
                                                    f.name + "\")"));
    }
  }
  if ((err = AddFilter(ifindex, prog_fd, res->qdisc_created, &ack))) {
    undo();
    return Fail(err, "cannot add the tc wire filter" + where + ": " + strerror(err) + AckSuffix(ack));
  }
  res->prog_id = prog_id;
  res->created = true;
  return Ok();
}

// Removes our legacy filter from `ifindex` (and the clsact qdisc we made, once
// nothing else sits in it). Returns whether there was a filter of ours.
Outcome DetachLegacyOne(const NetnsRef& netns, uint32_t ifindex, bool* existed) {
  std::string where = " (ifindex " + std::to_string(ifindex) + " " + WhereNetns(netns) + ")";
  std::string ack;
  std::vector<Filter> filters;
  int err = QueryFilters(ifindex, &filters, &ack);
  if (err) return Fail(err, "cannot list the tc filters" + where + ": " + strerror(err) + AckSuffix(ack));
  *existed = false;
  bool own_qdisc = false;
  size_t others = 0;
  for (const Filter& f : filters) {
    if (f.ours()) *existed = true;
    else others++;
    own_qdisc = own_qdisc || f.owns_qdisc();
  }
  if (*existed && (err = DelFilter(ifindex, &ack)) && err != ENOENT)
    return Fail(err, "cannot remove the tc wire filter" + where + ": " + strerror(err) + AckSuffix(ack));
  if (own_qdisc && others == 0 && (err = DelClsact(ifindex, &ack)))
    return Fail(err, "cannot remove the clsact qdisc" + where + ": " + strerror(err) + AckSuffix(ack));
  return Ok();
}

struct TcPort {
  uint32_t ifindex;
  std::string name, pin;
};

// attachTc({object, prog, netns, attach: 'tcx'|'legacy', ports: [{ifindex, name, pin}]})
//   -> [{ifindex, progId, linkId, created, qdiscCreated}]
// Idempotent per port; refuses (EBUSY) a port carrying a TCX program or a bpf
// filter that is not ours. TCX lets programs share a hook, so unlike XDP the
// kernel does not refuse a foreign one for us: the check is made here, on the
// job thread, right before the attach. All or nothing: on failure, what this
// call made is removed again.
Napi::Value AttachTc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o;
  ObjectRef obj;
  NetnsRef netns;
  if (!ArgObject(info, 0, &o) || !o.Get("ports").IsArray() || !GetBpfObject(o, "object", &obj))
    XC_THROW_TYPE(env, "attachTc({object, prog, netns, attach, ports})");
  Napi::Value ns = o.Get("netns");
  if (!ns.IsNull() && !ns.IsUndefined() && !(netns = UnwrapHandle<const Netns>(ns))) XC_THROW_TYPE(env, "attachTc: netns is not an open handle");
  std::string attach = GetString(o, "attach");
  int prog_fd = obj->Prog(GetString(o, "prog"));
  std::vector<TcPort> ports;
  Napi::Array arr = o.Get("ports").As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object p = arr.Get(i).As<Napi::Object>();
    ports.push_back({(uint32_t)GetInt(p, "ifindex"), GetString(p, "name"), GetString(p, "pin")});
    if (!ports.back().ifindex || (attach == "tcx" && ports.back().pin.empty()))
      XC_THROW_TYPE(env, "attachTc: a port needs ifindex (and pin, for tcx)");
  }
  if (prog_fd < 0 || (attach != "tcx" && attach != "legacy"))
    XC_THROW_TYPE(env, "attachTc({object, prog, netns, attach: 'tcx'|'legacy', ports})");
  return RunJob(env, netns, [obj, netns, ports, prog_fd, attach]() -> Outcome {
    bpf_prog_info pi{};
    uint32_t len = sizeof(pi);
    if (bpf_obj_get_info_by_fd(prog_fd, &pi, &len) < 0) return Fail(errno, std::string("cannot read the wire program's id: ") + strerror(errno));
    uint32_t prog_id = pi.id;
    std::vector<Attached> results(ports.size());
    auto rollback = [&](size_t upto) {
      for (size_t j = 0; j < upto; j++) {
        bool existed;
        if (!results[j].created) continue;
        if (attach == "tcx") DetachPinned(ports[j].pin);
        else DetachLegacyOne(netns, results[j].ifindex, &existed);
      }
    };
    // One port after the other: every attach takes RTNL, and a TCX attach
    // waits for an RCU grace period while holding it, so threads would only
    // queue (docs/engine-policy.md, "attach cost").
    NlBatch batch(NETLINK_ROUTE);
    for (size_t i = 0; i < ports.size(); i++) {
      results[i].ifindex = ports[i].ifindex;
      Outcome out = attach == "tcx" ? AttachTcxOne(netns, ports[i].name, ports[i].ifindex, ports[i].pin, prog_fd, &results[i])
                                    : AttachLegacyOne(netns, ports[i].name, ports[i].ifindex, prog_fd, prog_id, &results[i]);
      if (out.errnum) {
        rollback(i);
        return out;
      }
    }
    return Ok([results](Napi::Env env) { return AttachedToJs(env, results); });
  });
}

// detachTcLegacy(netns, ifindexes[]) -> boolean[] (whether a filter of ours
// was there). TCX links go with detachLinks(pins), like XDP ones.
Napi::Value DetachTcLegacy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  std::vector<uint32_t> ports;
  XC_NETNS_ARG(info, 0, &netns, "detachTcLegacy");
  if (!ArgUint32List(info, 1, &ports)) XC_THROW_TYPE(env, "detachTcLegacy(netns, ifindexes)");
  return RunJob(env, netns, [=]() -> Outcome {
    std::vector<char> existed(ports.size(), 0);
    NlBatch batch(NETLINK_ROUTE);
    for (size_t i = 0; i < ports.size(); i++) {
      bool e = false;
      Outcome out = DetachLegacyOne(netns, ports[i], &e);
      if (out.errnum) return out;
      existed[i] = e;
    }
    return Ok([existed](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, existed.size());
      for (uint32_t i = 0; i < existed.size(); i++) out.Set(i, Napi::Boolean::New(env, existed[i]));
      return out;
    });
  });
}

// tcState(netns, ifindexes[]) -> [{tcx: progId[], filters: [{prio, handle, kind, name, progId, ours}]} | null]
// (null: no such interface).
Napi::Value TcStateJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  std::vector<uint32_t> ifindexes;
  XC_NETNS_ARG(info, 0, &netns, "tcState");
  if (!ArgUint32List(info, 1, &ifindexes)) XC_THROW_TYPE(env, "tcState(netns, ifindexes)");
  return RunJob(env, netns, [=]() -> Outcome {
    std::vector<TcState> states(ifindexes.size());
    std::vector<char> present(ifindexes.size(), 1);
    NlBatch batch(NETLINK_ROUTE);
    std::unordered_set<uint32_t> ingress;
    std::string qack;
    if (int err = IngressQdiscs(&ingress, &qack))
      return Fail(err, "cannot list the qdiscs " + WhereNetns(netns) + ": " + strerror(err) + AckSuffix(qack));
    for (size_t i = 0; i < ifindexes.size(); i++) {
      std::string ack;
      int err = ReadState(ifindexes[i], ingress.count(ifindexes[i]) > 0, &states[i], &ack);
      if (err == ENODEV) present[i] = 0;
      else if (err)
        return Fail(err, "cannot read the tc state of ifindex " + std::to_string(ifindexes[i]) + " " + WhereNetns(netns) + ": " +
                             strerror(err) + AckSuffix(ack));
    }
    return Ok([states, present](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, states.size());
      for (uint32_t i = 0; i < states.size(); i++) {
        if (!present[i]) {
          out.Set(i, env.Null());
          continue;
        }
        const TcState& s = states[i];
        Napi::Object o = Napi::Object::New(env);
        Napi::Array tcx = Napi::Array::New(env, s.tcx.size());
        for (uint32_t k = 0; k < s.tcx.size(); k++) tcx.Set(k, s.tcx[k]);
        o.Set("tcx", tcx);
        Napi::Array fl = Napi::Array::New(env, s.filters.size());
        for (uint32_t k = 0; k < s.filters.size(); k++) {
          const Filter& f = s.filters[k];
          Napi::Object fo = Napi::Object::New(env);
          fo.Set("prio", f.prio);
          fo.Set("handle", f.handle);
          fo.Set("kind", f.kind);
          fo.Set("name", f.name);
          fo.Set("progId", f.prog_id);
          fo.Set("ours", f.ours());
          fl.Set(k, fo);
        }
        o.Set("filters", fl);
        out.Set(i, o);
      }
      return out;
    });
  });
}

// probeTcx() -> boolean: whether this kernel has TCX. Asks for the TCX
// programs of the loopback device: kernels without TCX reject the attach type.
Napi::Value ProbeTcx(const Napi::CallbackInfo& info) {
  return RunJob(info.Env(), nullptr, []() -> Outcome {
    uint32_t cnt = 0, flags = 0;
    int rc = bpf_prog_query(1 /* lo */, (bpf_attach_type)kAttachTcxIngress, 0, &flags, nullptr, &cnt);
    int err = rc < 0 ? errno : 0;
    if (err && err != EINVAL) return Fail(err, std::string("cannot probe for TCX: ") + strerror(err));
    return Ok([err](Napi::Env env) { return Napi::Boolean::New(env, err == 0); });
  });
}


// The root qdisc the tc engine's delay needs on a partner's egress (fq honours
// the departure times the program writes), under a handle of ours so that only
// ours is ever removed.
constexpr uint32_t kFqHandle = 0xc1ab0000u;

int AddRootQdisc(uint32_t ifindex, const std::string& kind, std::string* ack) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = PutTc(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_H_ROOT, kFqHandle, 0);
  mnl_attr_put_strz(nlh, TCA_KIND, kind.c_str());
  return NlTalk(NETLINK_ROUTE, nlh, [](const nlmsghdr*) {}, ack);
}

// probeQdisc(kind) -> boolean: whether this kernel has the qdisc. Tried in a
// network namespace of the job thread's own (unshare), which dies with it:
// nothing anyone can see changes.
Napi::Value ProbeQdisc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string kind;
  if (!ArgString(info, 0, &kind)) XC_THROW_TYPE(env, "probeQdisc(kind)");
  return RunJob(env, nullptr, [kind]() -> Outcome {
    if (unshare(CLONE_NEWNET) < 0) return Fail(errno, std::string("cannot make a scratch netns to probe qdiscs: ") + strerror(errno));
    std::string ack;
    int err = AddRootQdisc(1 /* lo */, kind, &ack);
    // ENOENT: "Specified qdisc kind is unknown". EINVAL: the kind exists but
    // wants options (tbf, say), which is all a probe needs to know.
    if (err && err != ENOENT && err != EOPNOTSUPP && err != EINVAL)
      return Fail(err, "cannot probe for the " + kind + " qdisc: " + strerror(err) + AckSuffix(ack));
    bool present = err == 0 || err == EINVAL;
    return Ok([present](Napi::Env env) { return Napi::Boolean::New(env, present); });
  });
}

// ensureRootFq(netns, ifindexes[]): an fq root qdisc of ours on each device
// (one that is already there is kept; any other root qdisc is refused).
Napi::Value EnsureRootFq(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  std::vector<uint32_t> ports;
  XC_NETNS_ARG(info, 0, &netns, "ensureRootFq");
  if (!ArgUint32List(info, 1, &ports)) XC_THROW_TYPE(env, "ensureRootFq(netns, ifindexes)");
  return RunJob(env, netns, [=]() -> Outcome {
    NlBatch batch(NETLINK_ROUTE);
    for (uint32_t ifindex : ports) {
      std::string ack;
      int err = AddRootQdisc(ifindex, "fq", &ack);
      // EEXIST: a root qdisc with our handle is there (ours, from before).
      if (err && err != EEXIST)
        return Fail(err, "cannot add an fq qdisc to ifindex " + std::to_string(ifindex) + " " + WhereNetns(netns) + ": " +
                             strerror(err) + AckSuffix(ack));
    }
    return Ok();
  });
}

// removeRootFq(netns, ifindexes[]): removes the fq root qdisc of ours, if any.
Napi::Value RemoveRootFq(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  std::vector<uint32_t> ports;
  XC_NETNS_ARG(info, 0, &netns, "removeRootFq");
  if (!ArgUint32List(info, 1, &ports)) XC_THROW_TYPE(env, "removeRootFq(netns, ifindexes)");
  return RunJob(env, netns, [=]() -> Outcome {
    NlBatch batch(NETLINK_ROUTE);
    for (uint32_t ifindex : ports) {
      char buf[MNL_SOCKET_BUFFER_SIZE];
      // The handle in the request: the kernel deletes only a root qdisc that has it.
      nlmsghdr* nlh = PutTc(buf, RTM_DELQDISC, 0, ifindex, TC_H_ROOT, kFqHandle, 0);
      mnl_attr_put_strz(nlh, TCA_KIND, "fq");
      std::string ack;
      int err = NlTalk(NETLINK_ROUTE, nlh, [](const nlmsghdr*) {}, &ack);
      if (err && err != ENOENT && err != EINVAL && err != ENODEV)
        return Fail(err, "cannot remove the fq qdisc of ifindex " + std::to_string(ifindex) + ": " + strerror(err) + AckSuffix(ack));
    }
    return Ok();
  });
}

}  // namespace

void InitTc(Napi::Env env, Napi::Object exports) {
  exports.Set("attachTc", Napi::Function::New(env, AttachTc));
  exports.Set("detachTcLegacy", Napi::Function::New(env, DetachTcLegacy));
  exports.Set("tcState", Napi::Function::New(env, TcStateJs));
  exports.Set("probeTcx", Napi::Function::New(env, ProbeTcx));
  exports.Set("probeQdisc", Napi::Function::New(env, ProbeQdisc));
  exports.Set("ensureRootFq", Napi::Function::New(env, EnsureRootFq));
  exports.Set("removeRootFq", Napi::Function::New(env, RemoveRootFq));
}

}  // namespace xc
