// Interface queries over rtnetlink (libmnl), run inside a given netns:
// ifindex, name and altnames, MAC, MTU, oper state, kind, veth peer (IFLA_LINK
// and IFLA_LINK_NETNSID) and XDP attachment; netns ids; and the XDP features a
// driver offers (generic netlink, family "netdev").
//
// Netlink rather than sysfs: after setns, /sys/class/net still shows the
// namespace sysfs was mounted in.
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "handle.h"
#include "job.h"
#include "nl.h"

namespace xc {
namespace {

struct LinkRec {
  uint32_t ifindex = 0;
  std::string name;
  std::string mac;
  std::vector<std::string> altnames;
  uint32_t mtu = 0;
  uint8_t operstate = 0;
  uint32_t flags = 0;
  std::string kind;
  int64_t peer_ifindex = -1;  // IFLA_LINK
  int64_t peer_nsid = -1;     // IFLA_LINK_NETNSID (absent: same netns)
  uint8_t xdp_attached = 0;
  uint32_t xdp_prog_id = 0;
};

const char* OperName(uint8_t s) {
  static const char* names[] = {"unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"};
  return s < 7 ? names[s] : "unknown";
}

int ParseNested(const nlattr* nest, int max, const nlattr** tb) {
  memset(tb, 0, sizeof(nlattr*) * (max + 1));
  nlattr* a;
  XC_NESTED(a, nest) {
    int t = mnl_attr_get_type(a);
    if (t <= max) tb[t] = a;
  }
  return 0;
}

void ParseLink(const nlmsghdr* nlh, LinkRec* r) {
  auto* ifm = (const ifinfomsg*)mnl_nlmsg_get_payload(nlh);
  r->ifindex = ifm->ifi_index;
  r->flags = ifm->ifi_flags;
  nlattr* a;
  XC_ATTRS(a, nlh, sizeof(*ifm)) {
    switch (mnl_attr_get_type(a)) {
      case IFLA_IFNAME: r->name = mnl_attr_get_str(a); break;
      case IFLA_ADDRESS: {
        auto* b = (const uint8_t*)mnl_attr_get_payload(a);
        uint16_t n = mnl_attr_get_payload_len(a);
        r->mac.clear();
        for (uint16_t i = 0; i < n && i < 32; i++) {
          char hex[4];
          snprintf(hex, sizeof(hex), i ? ":%02x" : "%02x", b[i]);
          r->mac += hex;
        }
        break;
      }
      case IFLA_MTU: r->mtu = mnl_attr_get_u32(a); break;
      case IFLA_OPERSTATE: r->operstate = mnl_attr_get_u8(a); break;
      case IFLA_LINK: r->peer_ifindex = mnl_attr_get_u32(a); break;
      case IFLA_LINK_NETNSID: r->peer_nsid = (int32_t)mnl_attr_get_u32(a); break;
      case IFLA_LINKINFO: {
        const nlattr* tb[IFLA_INFO_MAX + 1];
        ParseNested(a, IFLA_INFO_MAX, tb);
        if (tb[IFLA_INFO_KIND]) r->kind = mnl_attr_get_str(tb[IFLA_INFO_KIND]);
        break;
      }
      case IFLA_PROP_LIST: {
        nlattr* p;
        XC_NESTED(p, a) if (mnl_attr_get_type(p) == IFLA_ALT_IFNAME)
            r->altnames.push_back(mnl_attr_get_str(p));
        break;
      }
      case IFLA_XDP: {
        const nlattr* tb[IFLA_XDP_MAX + 1];
        ParseNested(a, IFLA_XDP_MAX, tb);
        if (tb[IFLA_XDP_ATTACHED]) r->xdp_attached = mnl_attr_get_u8(tb[IFLA_XDP_ATTACHED]);
        if (tb[IFLA_XDP_PROG_ID]) r->xdp_prog_id = mnl_attr_get_u32(tb[IFLA_XDP_PROG_ID]);
        break;
      }
    }
  }
}

// Sends one request and collects replies: every RTM_NEWLINK (one, or a dump)
// and an RTM_NEWNSID answer. `ack` receives the kernel's words on failure.
int Request(nlmsghdr* req, std::vector<LinkRec>* links, int32_t* nsid_out, std::string* ack = nullptr) {
  return NlTalk(NETLINK_ROUTE, req, [&](const nlmsghdr* nlh) {
    if (nlh->nlmsg_type == RTM_NEWLINK && links) {
      LinkRec r;
      ParseLink(nlh, &r);
      links->push_back(std::move(r));
    } else if (nlh->nlmsg_type == RTM_NEWNSID && nsid_out) {
      nlattr* a;
      XC_ATTRS(a, nlh, sizeof(rtgenmsg)) if (mnl_attr_get_type(a) == NETNSA_NSID)
          *nsid_out = (int32_t)mnl_attr_get_u32(a);
    }
  }, ack);
}

// Starts an RTM_GETLINK request in `buf`: one interface (by index, or by name
// when `name` is set, matching altnames too) or, with NLM_F_DUMP, all of them.
nlmsghdr* PutGetLink(char* buf, uint16_t flags, uint32_t ifindex, const std::string& name) {
  nlmsghdr* nlh;
  auto* ifm = NlPutRequest<ifinfomsg>(buf, RTM_GETLINK, flags, &nlh);
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = (int)ifindex;
  if (!name.empty()) mnl_attr_put_strz(nlh, IFLA_ALT_IFNAME, name.c_str());
  mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return nlh;
}

// Makes LinkInfo objects. The property names are made once per answer and
// each object gets its properties in one napi_define_properties call: a
// named Set per property made its key string anew each time, ~35 N-API
// calls and 4.4 us of the main thread per link (9 ms for the host's 2,000).
class LinkObjects {
 public:
  explicit LinkObjects(Napi::Env env) : env_(env) {
    for (size_t i = 0; i < kCount; i++) keys_[i] = Napi::String::New(env, kNames[i]);
    for (size_t i = 0; i < 4; i++) modes_[i] = Napi::String::New(env, kModes[i]);
    for (size_t i = 0; i < 7; i++) opers_[i] = Napi::String::New(env, OperName((uint8_t)i));
  }

  Napi::Object Make(const LinkRec& r) {
    Napi::Env env = env_;
    Napi::Array alt = Napi::Array::New(env, r.altnames.size());
    for (uint32_t i = 0; i < r.altnames.size(); i++) alt.Set(i, r.altnames[i]);
    uint8_t mode = r.xdp_attached == XDP_ATTACHED_DRV ? 1 : r.xdp_attached == XDP_ATTACHED_SKB ? 2 : r.xdp_attached == XDP_ATTACHED_NONE ? 0 : 3;
    napi_value xdp_vals[2] = {modes_[mode], Napi::Number::New(env, r.xdp_prog_id)};
    Napi::Object x = Object(&keys_[kXdpMode], xdp_vals, 2);
    napi_value vals[kFields] = {
        Napi::Number::New(env, r.ifindex),
        Napi::String::New(env, r.name),
        Napi::String::New(env, r.mac),
        alt,
        Napi::Number::New(env, r.mtu),
        r.operstate < 7 ? opers_[r.operstate] : opers_[0],
        Napi::Boolean::New(env, (r.flags & IFF_UP) != 0),
        Napi::String::New(env, r.kind),
        r.peer_ifindex >= 0 ? Napi::Value(Napi::Number::New(env, (double)r.peer_ifindex)) : env.Null(),
        r.peer_nsid >= 0 ? Napi::Value(Napi::Number::New(env, (double)r.peer_nsid)) : env.Null(),
        x,
    };
    return Object(keys_, vals, kFields);
  }

 private:
  // LinkInfo's fields in order, then those of its `xdp` object.
  static constexpr const char* kNames[] = {"ifindex", "name", "mac", "altnames", "mtu", "operState",
                                           "adminUp", "kind", "peerIfindex", "peerNetnsId", "xdp", "mode", "progId"};
  static constexpr size_t kCount = sizeof(kNames) / sizeof(kNames[0]);
  static constexpr size_t kFields = 11;
  static constexpr size_t kXdpMode = 11;
  static constexpr const char* kModes[] = {"none", "native", "generic", "other"};

  Napi::Object Object(const Napi::String* keys, const napi_value* vals, size_t n) {
    napi_value o;
    napi_create_object(env_, &o);
    napi_property_descriptor d[kFields];
    for (size_t i = 0; i < n; i++) d[i] = {nullptr, keys[i], nullptr, nullptr, nullptr, vals[i], napi_default_jsproperty, nullptr};
    NAPI_THROW_IF_FAILED(env_, napi_define_properties(env_, o, n, d), Napi::Object());
    return Napi::Object(env_, o);
  }

  Napi::Env env_;
  Napi::String keys_[kCount];
  Napi::String modes_[4];
  Napi::String opers_[7];
};

// getLink(netns, nameOrIndex) -> LinkInfo | null. A name is looked up as a
// name or an altname (IFLA_ALT_IFNAME matches both), so interfaces containerlab
// could only altname are found too.
Napi::Value GetLink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  std::string name;
  uint32_t index = 0;
  XC_NETNS_ARG(info, 0, &netns, "getLink");
  if (info.Length() < 2) XC_THROW_TYPE(env, "getLink(netns, name | ifindex)");
  if (info[1].IsString()) name = info[1].As<Napi::String>().Utf8Value();
  else if (info[1].IsNumber()) index = info[1].As<Napi::Number>().Uint32Value();
  else XC_THROW_TYPE(env, "getLink(netns, name | ifindex)");
  return RunJob(env, netns, [=]() -> Outcome {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = PutGetLink(buf, 0, index, name);
    std::vector<LinkRec> links;
    int err = Request(nlh, &links, nullptr);
    if (err == ENODEV || (err == 0 && links.empty()))
      return Ok([](Napi::Env env) { return env.Null(); });
    std::string what = name.empty() ? "ifindex " + std::to_string(index) : name;
    if (err) return Fail(err, "cannot query interface " + what + " " + WhereNetns(netns) + ": " + strerror(err));
    LinkRec r = links[0];
    return Ok([r](Napi::Env env) -> Napi::Value { return LinkObjects(env).Make(r); });
  });
}

// listLinks(netns) -> LinkInfo[]
Napi::Value ListLinks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  XC_NETNS_ARG(info, 0, &netns, "listLinks");
  return RunJob(env, netns, [=]() -> Outcome {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = PutGetLink(buf, NLM_F_DUMP, 0, "");
    std::vector<LinkRec> links;
    int err = Request(nlh, &links, nullptr);
    if (err) return Fail(err, "cannot list interfaces " + WhereNetns(netns) + ": " + strerror(err));
    return Ok([links = std::move(links)](Napi::Env env) -> Napi::Value {
      Napi::Array a = Napi::Array::New(env, links.size());
      LinkObjects objects(env);
      for (uint32_t i = 0; i < links.size(); i++) a.Set(i, objects.Make(links[i]));
      return a;
    });
  });
}

// listLinksIn(netnses[]) -> LinkInfo[][]: the links of several namespaces in
// one job, whose threads enter them in turn. A job per namespace starts a
// thread and a thread-safe function each; for a lab of 40 nodes that cost the
// main thread more than the dumps.
Napi::Value ListLinksIn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<NetnsRef> nss;
  if (!ArgNetnsList(info, 0, &nss))
    XC_THROW_TYPE(env, "listLinksIn(netns handles[]): not an open netns handle (closed, or not one)");
  return RunJob(env, nullptr, [nss = std::move(nss)]() -> Outcome {
    std::vector<std::vector<LinkRec>> all(nss.size());
    // FanOut's threads, the job's own among them, are all thrown away after
    // the job: each may enter namespace after namespace.
    std::vector<Outcome> outs = FanOut(nss.size(), [&](size_t i) -> Outcome {
      if (setns(nss[i]->fd, CLONE_NEWNET) < 0) {
        int e = errno;
        return Fail(e, "cannot enter network namespace " + nss[i]->path + ": " + strerror(e));
      }
      char buf[MNL_SOCKET_BUFFER_SIZE];
      int err = Request(PutGetLink(buf, NLM_F_DUMP, 0, ""), &all[i], nullptr);
      if (err) return Fail(err, "cannot list interfaces " + WhereNetns(nss[i]) + ": " + strerror(err));
      return Ok();
    });
    for (Outcome& o : outs)
      if (o.errnum) return o;
    return Ok([all = std::move(all)](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, all.size());
      LinkObjects objects(env);
      for (uint32_t i = 0; i < all.size(); i++) {
        Napi::Array a = Napi::Array::New(env, all[i].size());
        for (uint32_t k = 0; k < all[i].size(); k++) a.Set(k, objects.Make(all[i][k]));
        out.Set(i, a);
      }
      return out;
    });
  });
}

// netnsIds(netns, targets[]) -> (number | null)[]: the id under which `netns`
// knows each namespace of `targets` (what IFLA_LINK_NETNSID refers to), one
// job and one socket for all.
Napi::Value NetnsIds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  std::vector<NetnsRef> targets;
  XC_NETNS_ARG(info, 0, &netns, "netnsIds");
  if (!ArgNetnsList(info, 1, &targets))
    XC_THROW_TYPE(env, "netnsIds(netns, targets: handle[]): not an open netns handle (closed, or not one)");
  return RunJob(env, netns, [netns, targets = std::move(targets)]() -> Outcome {
    NlBatch batch(NETLINK_ROUTE);
    std::vector<int32_t> ids;
    for (const NetnsRef& target : targets) {
      char buf[MNL_SOCKET_BUFFER_SIZE];
      nlmsghdr* nlh;
      auto* g = NlPutRequest<rtgenmsg>(buf, RTM_GETNSID, 0, &nlh);
      g->rtgen_family = AF_UNSPEC;
      mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)target->fd);
      int32_t nsid = -1;
      int err = Request(nlh, nullptr, &nsid);
      if (err) return Fail(err, "cannot get the netns id of " + target->path + " " + WhereNetns(netns) + ": " + strerror(err));
      ids.push_back(nsid);
    }
    return Ok([ids = std::move(ids)](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, ids.size());
      for (uint32_t i = 0; i < ids.size(); i++) out.Set(i, ids[i] >= 0 ? Napi::Value(Napi::Number::New(env, ids[i])) : env.Null());
      return out;
    });
  });
}

// The generic netlink family "netdev" (kernel 6.3+) reports the XDP actions a
// driver implements. Constants from its uapi (absent from the 6.1 headers).
constexpr uint8_t kNetdevCmdDevGet = 1;
constexpr uint16_t kNetdevAttrIfindex = 1, kNetdevAttrXdpFeatures = 3;

// The family id of "netdev", or 0 when the kernel has no such family.
int NetdevFamily(uint16_t* id) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh;
  auto* g = NlPutRequest<genlmsghdr>(buf, GENL_ID_CTRL, 0, &nlh);
  g->cmd = CTRL_CMD_GETFAMILY;
  g->version = 1;
  mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "netdev");
  *id = 0;
  int err = NlTalk(NETLINK_GENERIC, nlh, [&](const nlmsghdr* m) {
    nlattr* a;
    XC_ATTRS(a, m, sizeof(genlmsghdr)) if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID) *id = mnl_attr_get_u16(a);
  });
  return err == ENOENT ? 0 : err;
}

// XDP features of `ifindex` (NETDEV_XDP_ACT_* bits); -1 when unknown.
int XdpFeatures(uint16_t family, uint32_t ifindex, int64_t* out) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh;
  auto* g = NlPutRequest<genlmsghdr>(buf, family, 0, &nlh);
  g->cmd = kNetdevCmdDevGet;
  g->version = 1;
  mnl_attr_put_u32(nlh, kNetdevAttrIfindex, ifindex);
  *out = -1;
  return NlTalk(NETLINK_GENERIC, nlh, [&](const nlmsghdr* m) {
    nlattr* a;
    XC_ATTRS(a, m, sizeof(genlmsghdr)) if (mnl_attr_get_type(a) == kNetdevAttrXdpFeatures) *out = (int64_t)mnl_attr_get_u64(a);
  });
}

// xdpFeatures(netns, ifindexes[]) -> ({basic, redirect, ndoXmit, rxSg, ndoXmitSg} | null)[]
// null: the kernel cannot tell (no "netdev" family) or the device is gone.
Napi::Value XdpFeaturesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  std::vector<uint32_t> ifindexes;
  XC_NETNS_ARG(info, 0, &netns, "xdpFeatures");
  if (!ArgUint32List(info, 1, &ifindexes)) XC_THROW_TYPE(env, "xdpFeatures(netns, ifindexes)");
  return RunJob(env, netns, [=]() -> Outcome {
    NlBatch batch(NETLINK_GENERIC);
    uint16_t family = 0;
    int err = NetdevFamily(&family);
    if (err) return Fail(err, std::string("cannot look up the netdev netlink family: ") + strerror(err));
    std::vector<int64_t> feats(ifindexes.size(), -1);
    for (size_t i = 0; family && i < ifindexes.size(); i++) {
      err = XdpFeatures(family, ifindexes[i], &feats[i]);
      if (err && err != ENODEV)
        return Fail(err, "cannot read the XDP features of ifindex " + std::to_string(ifindexes[i]) + " " +
                             WhereNetns(netns) + ": " + strerror(err));
    }
    return Ok([feats](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, feats.size());
      for (uint32_t i = 0; i < feats.size(); i++) {
        if (feats[i] < 0) {
          out.Set(i, env.Null());
          continue;
        }
        Napi::Object o = Napi::Object::New(env);
        uint64_t f = (uint64_t)feats[i];
        o.Set("basic", (f & 1) != 0);
        o.Set("redirect", (f & 2) != 0);
        o.Set("ndoXmit", (f & 4) != 0);
        o.Set("rxSg", (f & 32) != 0);
        o.Set("ndoXmitSg", (f & 64) != 0);
        out.Set(i, o);
      }
      return out;
    });
  });
}


// setLinkUp(netns, [{ifindex, up}]): administrative state (ip link set up|down).
Napi::Value SetLinkUp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  XC_NETNS_ARG(info, 0, &netns, "setLinkUp");
  if (info.Length() < 2 || !info[1].IsArray()) XC_THROW_TYPE(env, "setLinkUp(netns, [{ifindex, up}])");
  std::vector<std::pair<uint32_t, bool>> items;
  Napi::Array arr = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object p = arr.Get(i).As<Napi::Object>();
    items.emplace_back((uint32_t)GetInt(p, "ifindex"), p.Get("up").ToBoolean().Value());
  }
  return RunJob(env, netns, [=]() -> Outcome {
    NlBatch batch(NETLINK_ROUTE);
    for (const auto& [ifindex, up] : items) {
      char buf[MNL_SOCKET_BUFFER_SIZE];
      nlmsghdr* nlh;
      auto* ifm = NlPutRequest<ifinfomsg>(buf, RTM_NEWLINK, 0, &nlh);
      ifm->ifi_family = AF_UNSPEC;
      ifm->ifi_index = (int)ifindex;
      ifm->ifi_change = IFF_UP;
      ifm->ifi_flags = up ? IFF_UP : 0;
      std::string ack;
      int err = NlTalk(NETLINK_ROUTE, nlh, [](const nlmsghdr*) {}, &ack);
      if (err)
        return Fail(err, "cannot set ifindex " + std::to_string(ifindex) + (up ? " up " : " down ") + WhereNetns(netns) + ": " +
                             strerror(err) + AckSuffix(ack));
    }
    return Ok();
  });
}

}  // namespace

void InitNetlink(Napi::Env env, Napi::Object exports) {
  exports.Set("getLink", Napi::Function::New(env, GetLink));
  exports.Set("listLinks", Napi::Function::New(env, ListLinks));
  exports.Set("listLinksIn", Napi::Function::New(env, ListLinksIn));
  exports.Set("netnsIds", Napi::Function::New(env, NetnsIds));
  exports.Set("xdpFeatures", Napi::Function::New(env, XdpFeaturesJs));
  exports.Set("setLinkUp", Napi::Function::New(env, SetLinkUp));
}

}  // namespace xc
