#include "job.h"

#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <thread>

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

int EnterNetns(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int rc = setns(fd, CLONE_NEWNET);
  int err = rc < 0 ? errno : 0;
  close(fd);
  return err;
}

std::string WhereNetns(const std::string& netns) {
  return netns.empty() ? "in the host netns" : "in netns " + netns;
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

Napi::Promise RunJob(Napi::Env env, std::string netns, std::function<Outcome()> work) {
  auto* st = new JobState{Napi::Promise::Deferred::New(env), {}, {}};
  Napi::Promise promise = st->deferred.Promise();
  st->tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}),
                                           "clab-xconnect-job", 0, 1);
  std::thread([st, netns = std::move(netns), work = std::move(work)]() {
    int err = netns.empty() ? 0 : EnterNetns(netns);
    if (err == ENOENT)
      st->outcome = Fail(err, "network namespace " + netns + " does not exist");
    else if (err)
      st->outcome = Fail(err, "cannot enter network namespace " + netns + ": " + strerror(err));
    else
      st->outcome = work();
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
