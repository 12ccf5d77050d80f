// Runs kernel work off the Node main thread, on a thread made for the job.
//
// setns(CLONE_NEWNET) switches only the calling thread. A job thread enters the
// namespace it was given, does its work and ends, so a namespace switch can never
// leak into the main thread or into libuv's shared pool.
#pragma once
#include <napi.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace xc {

// What a job produced. errnum != 0 is a failure whose message names the
// operation, the interface and the namespace; otherwise `value` builds the
// result on the main thread (where JS values may be made).
struct Outcome {
  int errnum = 0;
  std::string message;
  std::function<Napi::Value(Napi::Env)> value;
};

Outcome Fail(int errnum, std::string message);
Outcome Ok(std::function<Napi::Value(Napi::Env)> value = nullptr);

// A network namespace held open. The fd pins the namespace itself: work done
// through it lands in the namespace that was opened, whatever becomes of the
// process (and pid) whose path named it. `path` is for messages only.
struct Netns {
  static const napi_type_tag kTag;
  int fd = -1;
  std::string path;
  ~Netns();
};
// null: the process's own netns.
using NetnsRef = std::shared_ptr<const Netns>;

// Runs `work` on a new thread inside `netns`.
Napi::Promise RunJob(Napi::Env env, NetnsRef netns, std::function<Outcome()> work);

// Inside a job: runs fn(i) for every i in [0, n) on up to kFanOut threads
// started from the calling thread, so they share its network namespace.
// Returns the outcome of each call, by index. For work that does not take
// RTNL (reading pins): whatever takes RTNL is serialized by it anyway.
constexpr size_t kFanOut = 8;
std::vector<Outcome> FanOut(size_t n, const std::function<Outcome(size_t)>& fn);

// An Error whose `errno` and `code` ("ENODEV") properties carry the cause.
Napi::Error MakeError(Napi::Env env, int errnum, const std::string& message);

// "in netns /run/netns/x" or "in the host netns", for messages.
std::string WhereNetns(const NetnsRef& netns);

// Argument helpers (validation and defaults live in TypeScript; these only
// guard against misuse of the native API).
bool ArgString(const Napi::CallbackInfo& info, size_t i, std::string* out);
bool ArgObject(const Napi::CallbackInfo& info, size_t i, Napi::Object* out);
std::string GetString(Napi::Object o, const char* key, const std::string& dflt = "");
int64_t GetInt(Napi::Object o, const char* key, int64_t dflt = 0);
// Argument i as a netns: null/undefined (the process's own) or an open handle.
bool ArgNetns(const Napi::CallbackInfo& info, size_t i, NetnsRef* out);
// Argument i as an array of numbers / strings.
bool ArgUint32List(const Napi::CallbackInfo& info, size_t i, std::vector<uint32_t>* out);
bool ArgStringList(const Napi::CallbackInfo& info, size_t i, std::vector<std::string>* out);
// An array of open netns handles (none null, closed or foreign).
bool ArgNetnsList(const Napi::CallbackInfo& info, size_t i, std::vector<NetnsRef>* out);

void InitJob(Napi::Env env, Napi::Object exports);

}  // namespace xc

// Argument i as a netns, or a TypeError naming the function.
#define XC_NETNS_ARG(info, i, out, fn)                                                                  \
  do {                                                                                                \
    if (!ArgNetns(info, i, out)) {                                                                    \
      Napi::TypeError::New(info.Env(), std::string(fn) + "(netns): not an open netns handle (closed, or not one)") \
          .ThrowAsJavaScriptException();                                                              \
      return info.Env().Undefined();                                                                  \
    }                                                                                                 \
  } while (0)

#define XC_THROW_TYPE(env, msg)                           \
  do {                                                    \
    Napi::TypeError::New(env, msg).ThrowAsJavaScriptException(); \
    return env.Undefined();                               \
  } while (0)
