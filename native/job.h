// Runs kernel work off the Node main thread, on a thread made for the job.
//
// setns(CLONE_NEWNET) switches only the calling thread. A job thread enters the
// namespace it was given, does its work and ends, so a namespace switch can never
// leak into the main thread or into libuv's shared pool.
#pragma once
#include <napi.h>

#include <functional>
#include <string>

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

// Enters the network namespace at `path` (/proc/PID/ns/net, /run/netns/NAME)
// on the calling thread. Returns 0 or an errno.
int EnterNetns(const std::string& path);

// Runs `work` on a new thread inside `netns` (empty: the process's own netns).
Napi::Promise RunJob(Napi::Env env, std::string netns, std::function<Outcome()> work);

// An Error whose `errno` and `code` ("ENODEV") properties carry the cause.
Napi::Error MakeError(Napi::Env env, int errnum, const std::string& message);

// "in netns /run/netns/x" or "in the host netns", for messages.
std::string WhereNetns(const std::string& netns);

// Argument helpers (validation and defaults live in TypeScript; these only
// guard against misuse of the native API).
bool ArgString(const Napi::CallbackInfo& info, size_t i, std::string* out);
bool ArgObject(const Napi::CallbackInfo& info, size_t i, Napi::Object* out);
std::string GetString(Napi::Object o, const char* key, const std::string& dflt = "");
int64_t GetInt(Napi::Object o, const char* key, int64_t dflt = 0);

}  // namespace xc

#define XC_THROW_TYPE(env, msg)                           \
  do {                                                    \
    Napi::TypeError::New(env, msg).ThrowAsJavaScriptException(); \
    return env.Undefined();                               \
  } while (0)
