// Offload features by name (as `ethtool -k/-K` shows them), through the
// SIOCETHTOOL ioctl inside a given netns: GSSET_INFO/GSTRINGS for the names,
// GFEATURES/SFEATURES for the bits.
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "job.h"

namespace xc {
namespace {

struct Feature {
  bool active, changeable, requested;
};

struct Ethtool {
  int fd = -1;
  std::string ifname;
  ~Ethtool() { if (fd >= 0) close(fd); }
  int Ioctl(void* data) {
    ifreq ifr{};
    strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    ifr.ifr_data = (char*)data;
    return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? errno : 0;
  }
};

// Reads all feature names and states of `ifname`.
int ReadFeatures(Ethtool& et, std::vector<std::string>* names, std::vector<Feature>* feats) {
  alignas(8) uint8_t ssbuf[sizeof(ethtool_sset_info) + sizeof(uint32_t)] = {};
  auto* ssi = (ethtool_sset_info*)ssbuf;
  ssi->cmd = ETHTOOL_GSSET_INFO;
  ssi->sset_mask = 1ULL << ETH_SS_FEATURES;
  if (int err = et.Ioctl(ssi)) return err;
  uint32_t n = ssi->sset_mask ? ssi->data[0] : 0;
  std::unique_ptr<uint8_t[]> sbuf(new uint8_t[sizeof(ethtool_gstrings) + n * ETH_GSTRING_LEN]());
  auto* gs = (ethtool_gstrings*)sbuf.get();
  gs->cmd = ETHTOOL_GSTRINGS;
  gs->string_set = ETH_SS_FEATURES;
  gs->len = n;
  if (int err = et.Ioctl(gs)) return err;
  uint32_t blocks = (n + 31) / 32;
  std::unique_ptr<uint8_t[]> fbuf(new uint8_t[sizeof(ethtool_gfeatures) + blocks * sizeof(ethtool_get_features_block)]());
  auto* gf = (ethtool_gfeatures*)fbuf.get();
  gf->cmd = ETHTOOL_GFEATURES;
  gf->size = blocks;
  if (int err = et.Ioctl(gf)) return err;
  for (uint32_t i = 0; i < n; i++) {
    std::string name((char*)gs->data + i * ETH_GSTRING_LEN, strnlen((char*)gs->data + i * ETH_GSTRING_LEN, ETH_GSTRING_LEN));
    const auto& b = gf->features[i / 32];
    uint32_t bit = 1u << (i % 32);
    names->push_back(name);
    feats->push_back({(b.active & bit) != 0, (b.available & bit) != 0 && !(b.never_changed & bit),
                      (b.requested & bit) != 0});
  }
  return 0;
}

// The ioctl addresses a device by name: take the name the ifindex has now, on
// the thread that makes the call.
Outcome Open(Ethtool& et, uint32_t ifindex, const NetnsRef& netns) {
  char name[IF_NAMESIZE] = {0};
  if (!if_indextoname(ifindex, name))
    return Fail(ENODEV, "interface with ifindex " + std::to_string(ifindex) + " not found " + WhereNetns(netns));
  et.ifname = name;
  et.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (et.fd < 0) return Fail(errno, std::string("socket: ") + strerror(errno));
  return Ok();
}

Napi::Object FeaturesToJs(Napi::Env env, const std::vector<std::string>& names, const std::vector<Feature>& f) {
  Napi::Object o = Napi::Object::New(env);
  for (size_t i = 0; i < names.size(); i++) {
    if (names[i].empty()) continue;
    Napi::Object e = Napi::Object::New(env);
    e.Set("active", f[i].active);
    e.Set("changeable", f[i].changeable);
    o.Set(names[i], e);
  }
  return o;
}

using FeatureTable = std::pair<std::vector<std::string>, std::vector<Feature>>;

Outcome ReadOne(const NetnsRef& netns, uint32_t ifindex, FeatureTable* out) {
  Ethtool et;
  Outcome o = Open(et, ifindex, netns);
  if (o.errnum) return o;
  const std::string& ifname = et.ifname;
  if (int err = ReadFeatures(et, &out->first, &out->second))
    return Fail(err, "cannot read offloads of " + ifname + " " + WhereNetns(netns) + ": " + strerror(err));
  return Ok();
}

// Sets `want` on `ifname` and reads the result back into `out`. Fails
// (EOPNOTSUPP) naming the feature when one cannot be set as asked.
Outcome SetOne(const NetnsRef& netns, uint32_t ifindex, const std::map<std::string, bool>& want, FeatureTable* out) {
  Ethtool et;
  Outcome o = Open(et, ifindex, netns);
  if (o.errnum) return o;
  const std::string& ifname = et.ifname;
  std::vector<std::string> names;
  std::vector<Feature> feats;
  if (int err = ReadFeatures(et, &names, &feats))
    return Fail(err, "cannot read offloads of " + ifname + " " + WhereNetns(netns) + ": " + strerror(err));
  uint32_t blocks = (names.size() + 31) / 32;
  std::unique_ptr<uint8_t[]> buf(new uint8_t[sizeof(ethtool_sfeatures) + blocks * sizeof(ethtool_set_features_block)]());
  auto* sf = (ethtool_sfeatures*)buf.get();
  sf->cmd = ETHTOOL_SFEATURES;
  sf->size = blocks;
  for (const auto& [name, on] : want) {
    size_t i = 0;
    while (i < names.size() && names[i] != name) i++;
    if (i == names.size()) return Fail(EINVAL, "unknown offload feature '" + name + "' on " + ifname);
    if (feats[i].active == on) continue;
    if (!feats[i].changeable)
      return Fail(EOPNOTSUPP, "offload " + name + " of " + ifname + " " + WhereNetns(netns) + " is fixed " +
                                  (feats[i].active ? "on" : "off"));
    sf->features[i / 32].valid |= 1u << (i % 32);
    if (on) sf->features[i / 32].requested |= 1u << (i % 32);
  }
  if (int err = et.Ioctl(sf))
    return Fail(err, "cannot set offloads of " + ifname + " " + WhereNetns(netns) + ": " + strerror(err));
  if (int err = ReadFeatures(et, &out->first, &out->second))
    return Fail(err, "cannot read offloads of " + ifname + " " + WhereNetns(netns) + ": " + strerror(err));
  for (const auto& [name, on] : want)
    for (size_t i = 0; i < out->first.size(); i++)
      if (out->first[i] == name && out->second[i].active != on)
        return Fail(EOPNOTSUPP, "offload " + name + " of " + ifname + " " + WhereNetns(netns) + " stayed " +
                                    (out->second[i].active ? "on" : "off") + " (it depends on another feature)");
  return Ok();
}

Napi::Value TablesToJs(Napi::Env env, const std::vector<FeatureTable>& tables) {
  Napi::Array out = Napi::Array::New(env, tables.size());
  for (uint32_t i = 0; i < tables.size(); i++) out.Set(i, FeaturesToJs(env, tables[i].first, tables[i].second));
  return out;
}

// getFeatures(netns, ifindexes[]) -> [{ [name]: {active, changeable} }]
Napi::Value GetFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  std::vector<uint32_t> ifindexes;
  XC_NETNS_ARG(info, 0, &netns, "getFeatures");
  if (!ArgUint32List(info, 1, &ifindexes)) XC_THROW_TYPE(env, "getFeatures(netns, ifindexes[])");
  return RunJob(env, netns, [=]() -> Outcome {
    std::vector<FeatureTable> tables(ifindexes.size());
    for (size_t i = 0; i < ifindexes.size(); i++) {
      Outcome o = ReadOne(netns, ifindexes[i], &tables[i]);
      if (o.errnum) return o;
    }
    return Ok([tables](Napi::Env env) { return TablesToJs(env, tables); });
  });
}

// setFeatures(netns, [{ifindex, want: {name: bool}}]) -> [{ [name]: {active, changeable} }] after the change.
Napi::Value SetFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  XC_NETNS_ARG(info, 0, &netns, "setFeatures");
  if (info.Length() < 2 || !info[1].IsArray()) XC_THROW_TYPE(env, "setFeatures(netns, [{ifindex, want}])");
  std::vector<std::pair<uint32_t, std::map<std::string, bool>>> items;
  Napi::Array a = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Object it = a.Get(i).As<Napi::Object>();
    if (!it.Get("want").IsObject() || !it.Get("ifindex").IsNumber()) XC_THROW_TYPE(env, "setFeatures: item needs ifindex and want");
    std::map<std::string, bool> want;
    Napi::Object w = it.Get("want").As<Napi::Object>();
    Napi::Array keys = w.GetPropertyNames();
    for (uint32_t k = 0; k < keys.Length(); k++) {
      std::string key = keys.Get(k).As<Napi::String>().Utf8Value();
      want[key] = w.Get(key).ToBoolean().Value();
    }
    items.emplace_back((uint32_t)GetInt(it, "ifindex"), std::move(want));
  }
  return RunJob(env, netns, [=]() -> Outcome {
    std::vector<FeatureTable> tables(items.size());
    for (size_t i = 0; i < items.size(); i++) {
      Outcome o = SetOne(netns, items[i].first, items[i].second, &tables[i]);
      if (o.errnum) return o;
    }
    return Ok([tables](Napi::Env env) { return TablesToJs(env, tables); });
  });
}

}  // namespace

void InitEthtool(Napi::Env env, Napi::Object exports) {
  exports.Set("getFeatures", Napi::Function::New(env, GetFeatures));
  exports.Set("setFeatures", Napi::Function::New(env, SetFeatures));
}

}  // namespace xc
