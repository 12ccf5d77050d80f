// Interface queries over rtnetlink (libmnl), run inside a given netns:
// ifindex, name and altnames, MTU, oper state, kind, veth peer (IFLA_LINK and
// IFLA_LINK_NETNSID) and XDP attachment; and netns ids.
//
// Netlink rather than sysfs: after setns, /sys/class/net still shows the
// namespace sysfs was mounted in.
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "job.h"

// libmnl's iteration macros assign void* (fine in C, not in C++).
#define XC_ATTRS(a, nlh, off)                                                      \
  for (a = (nlattr*)mnl_nlmsg_get_payload_offset(nlh, off);                        \
       mnl_attr_ok(a, (int)((char*)mnl_nlmsg_get_payload_tail(nlh) - (char*)a)); \
       a = mnl_attr_next(a))
#define XC_NESTED(a, nest)                                                                   \
  for (a = (nlattr*)mnl_attr_get_payload(nest);                                              \
       mnl_attr_ok(a, (int)((char*)mnl_attr_get_payload(nest) + mnl_attr_get_payload_len(nest) - (char*)a)); \
       a = mnl_attr_next(a))

namespace xc {
namespace {

struct LinkRec {
  uint32_t ifindex = 0;
  std::string name;
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

// Sends one request and collects replies; for a dump, every RTM_NEWLINK.
int Request(nlmsghdr* req, std::vector<LinkRec>* links, int32_t* nsid_out) {
  mnl_socket* nl = mnl_socket_open(NETLINK_ROUTE);
  if (!nl) return errno;
  int err = 0;
  if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) err = errno;
  // Ask for extended ACKs so the kernel's own message is not lost (best effort).
  int one = 1;
  mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
  unsigned portid = mnl_socket_get_portid(nl);
  uint32_t seq = req->nlmsg_seq;
  if (!err && mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) err = errno;
  std::vector<char> buf(1 << 16);
  struct Ctx { std::vector<LinkRec>* links; int32_t* nsid; } ctx{links, nsid_out};
  while (!err) {
    ssize_t n = mnl_socket_recvfrom(nl, buf.data(), buf.size());
    if (n < 0) { err = errno; break; }
    int rc = mnl_cb_run(buf.data(), n, seq, portid, [](const nlmsghdr* nlh, void* data) -> int {
      auto* c = (Ctx*)data;
      if (nlh->nlmsg_type == RTM_NEWLINK && c->links) {
        LinkRec r;
        ParseLink(nlh, &r);
        c->links->push_back(std::move(r));
      } else if (nlh->nlmsg_type == RTM_NEWNSID && c->nsid) {
        nlattr* a;
        XC_ATTRS(a, nlh, sizeof(rtgenmsg)) if (mnl_attr_get_type(a) == NETNSA_NSID)
            *c->nsid = (int32_t)mnl_attr_get_u32(a);
      }
      return MNL_CB_OK;
    }, &ctx);
    if (rc == MNL_CB_ERROR) { err = errno; break; }
    if (rc == MNL_CB_STOP) break;
    if (!(req->nlmsg_flags & NLM_F_DUMP)) break;
  }
  mnl_socket_close(nl);
  return err;
}

// Starts an RTM_GETLINK request in `buf`: one interface (by index, or by name
// when `name` is set, matching altnames too) or, with NLM_F_DUMP, all of them.
nlmsghdr* PutGetLink(char* buf, uint16_t flags, uint32_t ifindex, const std::string& name) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  nlh->nlmsg_seq = (uint32_t)time(nullptr);
  auto* ifm = (ifinfomsg*)mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = (int)ifindex;
  if (!name.empty()) mnl_attr_put_strz(nlh, IFLA_ALT_IFNAME, name.c_str());
  mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return nlh;
}

Napi::Object LinkToJs(Napi::Env env, const LinkRec& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ifindex", r.ifindex);
  o.Set("name", r.name);
  Napi::Array alt = Napi::Array::New(env, r.altnames.size());
  for (uint32_t i = 0; i < r.altnames.size(); i++) alt.Set(i, r.altnames[i]);
  o.Set("altnames", alt);
  o.Set("mtu", r.mtu);
  o.Set("operState", OperName(r.operstate));
  o.Set("adminUp", (r.flags & IFF_UP) != 0);
  o.Set("kind", r.kind);
  o.Set("peerIfindex", r.peer_ifindex >= 0 ? Napi::Value(Napi::Number::New(env, (double)r.peer_ifindex)) : env.Null());
  o.Set("peerNetnsId", r.peer_nsid >= 0 ? Napi::Value(Napi::Number::New(env, (double)r.peer_nsid)) : env.Null());
  const char* xdp = r.xdp_attached == XDP_ATTACHED_DRV ? "native"
                    : r.xdp_attached == XDP_ATTACHED_SKB ? "generic"
                    : r.xdp_attached == XDP_ATTACHED_NONE ? "none" : "other";
  Napi::Object x = Napi::Object::New(env);
  x.Set("mode", xdp);
  x.Set("progId", r.xdp_prog_id);
  o.Set("xdp", x);
  return o;
}

// getLink(netns, nameOrIndex) -> LinkInfo | null. A name is looked up as a
// name or an altname (IFLA_ALT_IFNAME matches both), so interfaces containerlab
// could only altname are found too.
Napi::Value GetLink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string netns, name;
  uint32_t index = 0;
  if (info.Length() < 2 || !(info[0].IsString() || info[0].IsNull())) XC_THROW_TYPE(env, "getLink(netns, name | ifindex)");
  if (info[0].IsString()) netns = info[0].As<Napi::String>().Utf8Value();
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
    return Ok([r](Napi::Env env) -> Napi::Value { return LinkToJs(env, r); });
  });
}

// listLinks(netns) -> LinkInfo[]
Napi::Value ListLinks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string netns;
  if (info.Length() >= 1 && info[0].IsString()) netns = info[0].As<Napi::String>().Utf8Value();
  return RunJob(env, netns, [=]() -> Outcome {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = PutGetLink(buf, NLM_F_DUMP, 0, "");
    std::vector<LinkRec> links;
    int err = Request(nlh, &links, nullptr);
    if (err) return Fail(err, "cannot list interfaces " + WhereNetns(netns) + ": " + strerror(err));
    return Ok([links = std::move(links)](Napi::Env env) -> Napi::Value {
      Napi::Array a = Napi::Array::New(env, links.size());
      for (uint32_t i = 0; i < links.size(); i++) a.Set(i, LinkToJs(env, links[i]));
      return a;
    });
  });
}

// netnsId(netns, target) -> number | null: the id under which `netns` knows
// the namespace at path `target` (what IFLA_LINK_NETNSID refers to).
Napi::Value NetnsId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string netns, target;
  if (info.Length() < 2 || !info[1].IsString()) XC_THROW_TYPE(env, "netnsId(netns, target)");
  if (info[0].IsString()) netns = info[0].As<Napi::String>().Utf8Value();
  target = info[1].As<Napi::String>().Utf8Value();
  return RunJob(env, netns, [=]() -> Outcome {
    int fd = open(target.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Fail(errno, "network namespace " + target + " does not exist");
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETNSID;
    nlh->nlmsg_flags = NLM_F_REQUEST;
    nlh->nlmsg_seq = (uint32_t)time(nullptr);
    auto* g = (rtgenmsg*)mnl_nlmsg_put_extra_header(nlh, sizeof(rtgenmsg));
    g->rtgen_family = AF_UNSPEC;
    mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
    int32_t nsid = -1;
    int err = Request(nlh, nullptr, &nsid);
    close(fd);
    if (err) return Fail(err, "cannot get the netns id of " + target + " " + WhereNetns(netns) + ": " + strerror(err));
    return Ok([nsid](Napi::Env env) -> Napi::Value {
      return nsid >= 0 ? Napi::Value(Napi::Number::New(env, nsid)) : env.Null();
    });
  });
}

}  // namespace

// XDP state of one interface of the calling thread's netns, by a single
// RTM_GETLINK (libbpf's bpf_xdp_query dumps every interface of the netns to
// find one: ~10 ms per call with 2,000 lab ports).
int QueryXdp(uint32_t ifindex, uint8_t* attached, uint32_t* prog_id) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = PutGetLink(buf, 0, ifindex, "");
  std::vector<LinkRec> links;
  int err = Request(nlh, &links, nullptr);
  if (err) return err;
  if (links.empty()) return ENODEV;
  *attached = links[0].xdp_attached;
  *prog_id = links[0].xdp_prog_id;
  return 0;
}

void InitNetlink(Napi::Env env, Napi::Object exports) {
  exports.Set("getLink", Napi::Function::New(env, GetLink));
  exports.Set("listLinks", Napi::Function::New(env, ListLinks));
  exports.Set("netnsId", Napi::Function::New(env, NetnsId));
}

}  // namespace xc
