#include "job.h"

#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <system_error>
#include <thread>

#include "handle.h"

namespace xc {

Outcome Fail(int errnum, std::string message) {
  Outcome o;
  o.errnum = errnum ? errnum : EIO;
  o.message = std::move(message);
  return o;
}

Outcome Ok(std::function<Napi::Value(Napi::Env)> value) {
  Outcome o;
  o.value = std::move(value);
  return o;
}

const napi_type_tag Netns::kTag = {0x636c61622d786331ULL, 0x6e65746e73000001ULL};

Netns::~Netns() {
  if (fd >= 0) close(fd);
}

std::string WhereNetns(const NetnsRef& netns) {
  return netns ? "in netns " + netns->path : "in the host netns";
}

Napi::Error MakeError(Napi::Env env, int errnum, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("errno", Napi::Number::New(env, errnum));
  const char* name = strerrorname_np(errnum);
  e.Set("code", Napi::String::New(env, name ? name : "EIO"));
  return e;
}

namespace {
struct JobState {
  Napi::Promise::Deferred deferred;
  Napi::ThreadSafeFunction tsfn;
  Outcome outcome;
};
}  // namespace

Napi::Promise RunJob(Napi::Env env, NetnsRef netns, std::function<Outcome()> work) {
  auto* st = new JobState{Napi::Promise::Deferred::New(env), {}, {}};
  Napi::Promise promise = st->deferred.Promise();
  st->tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}),
                                           "clab-xconnect-job", 0, 1);
  std::thread([st, netns = std::move(netns), work = std::move(work)]() mutable {
    int err = netns && setns(netns->fd, CLONE_NEWNET) < 0 ? errno : 0;
    if (err)
      st->outcome = Fail(err, "cannot enter network namespace " + netns->path + ": " + strerror(err));
    else
      st->outcome = work();
    netns.reset();  // before the result reaches JavaScript: a close() there finds no job holding it
    // The callback frees st: keep our own handle to release afterwards.
    Napi::ThreadSafeFunction tsfn = st->tsfn;
    tsfn.BlockingCall([st](Napi::Env env, Napi::Function) {
      if (st->outcome.errnum)
        st->deferred.Reject(MakeError(env, st->outcome.errnum, st->outcome.message).Value());
      else
        st->deferred.Resolve(st->outcome.value ? st->outcome.value(env) : env.Undefined());
      delete st;
    });
    tsfn.Release();
  }).detach();
  return promise;
}

bool ArgString(const Napi::CallbackInfo& info, size_t i, std::string* out) {
  if (info.Length() <= i || !info[i].IsString()) return false;
  *out = info[i].As<Napi::String>().Utf8Value();
  return true;
}

bool ArgObject(const Napi::CallbackInfo& info, size_t i, Napi::Object* out) {
  if (info.Length() <= i || !info[i].IsObject()) return false;
  *out = info[i].As<Napi::Object>();
  return true;
}

std::string GetString(Napi::Object o, const char* key, const std::string& dflt) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : dflt;
}

int64_t GetInt(Napi::Object o, const char* key, int64_t dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : dflt;
}

}  // namespace xc

namespace xc {

std::vector<Outcome> FanOut(size_t n, const std::function<Outcome(size_t)>& fn) {
  std::vector<Outcome> out(n);
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    for (size_t i; (i = next++) < n;) out[i] = fn(i);
  };
  std::vector<std::thread> threads;
  size_t width = n < kFanOut ? n : kFanOut;
  for (size_t t = 1; t < width; t++) {
    try {
      threads.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones started and this one do it all
    }
  }
  worker();
  for (auto& t : threads) t.join();
  return out;
}

bool ArgNetns(const Napi::CallbackInfo& info, size_t i, NetnsRef* out) {
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) {
    out->reset();
    return true;
  }
  *out = UnwrapHandle<const Netns>(info[i]);
  return *out != nullptr;
}

bool ArgUint32List(const Napi::CallbackInfo& info, size_t i, std::vector<uint32_t>* out) {
  if (info.Length() <= i || !info[i].IsArray()) return false;
  Napi::Array a = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) return false;
    out->push_back(v.As<Napi::Number>().Uint32Value());
  }
  return true;
}

bool ArgNetnsList(const Napi::CallbackInfo& info, size_t i, std::vector<NetnsRef>* out) {
  if (info.Length() <= i || !info[i].IsArray()) return false;
  Napi::Array a = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < a.Length(); k++) {
    NetnsRef r = UnwrapHandle<const Netns>(a.Get(k));
    if (!r) return false;
    out->push_back(std::move(r));
  }
  return true;
}

bool ArgStringList(const Napi::CallbackInfo& info, size_t i, std::vector<std::string>* out) {
  if (info.Length() <= i || !info[i].IsArray()) return false;
  Napi::Array a = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsString()) return false;
    out->push_back(v.As<Napi::String>().Utf8Value());
  }
  return true;
}

namespace {

// openNetns(path) -> {handle, dev, ino}: the namespace at `path`
// (/proc/PID/ns/net, /run/netns/NAME) held open. dev and ino are its identity
// (what stat(2) of any path naming it reports), for the caller to check that a
// path still names the namespace it opened.
Napi::Value OpenNetns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!ArgString(info, 0, &path)) XC_THROW_TYPE(env, "openNetns(path: string)");
  return RunJob(env, nullptr, [path]() -> Outcome {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return Fail(ENOENT, "network namespace " + path + " does not exist");
    if (fd < 0) return Fail(errno, "cannot open network namespace " + path + ": " + strerror(errno));
    auto ns = std::make_shared<Netns>();
    ns->fd = fd;
    ns->path = path;
    struct stat st;
    if (fstat(fd, &st) < 0) return Fail(errno, "cannot stat network namespace " + path + ": " + strerror(errno));
    // setns with CLONE_NEWNET refuses an fd that is not a network namespace:
    // probe it now, on this throwaway thread, so a wrong path fails here.
    if (setns(fd, CLONE_NEWNET) < 0)
      return Fail(errno, path + " is not a network namespace (" + std::string(strerror(errno)) + ")");
    return Ok([ns, st](Napi::Env env) -> Napi::Value {
      Napi::Object o = Napi::Object::New(env);
      o.Set("handle", WrapHandle<const Netns>(env, ns));
      o.Set("dev", Napi::BigInt::New(env, (uint64_t)st.st_dev));
      o.Set("ino", Napi::BigInt::New(env, (uint64_t)st.st_ino));
      return o;
    });
  });
}

}  // namespace

void InitJob(Napi::Env env, Napi::Object exports) {
  exports.Set("openNetns", Napi::Function::New(env, OpenNetns));
}

}  // namespace xc
