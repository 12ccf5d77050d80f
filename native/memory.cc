// The C heap of a long-running process (watch): glibc gives each thread that
// allocates its own arena (up to 8 per CPU), and every job runs on a thread of
// its own, so freed job memory sits in many arenas that are never given back.
// Policy (when to limit, when to trim) is in src/watch/memory.ts.
#include <malloc.h>

#include "job.h"

namespace xc {
namespace {

// limitMallocArenas(n): threads that allocate from now on share at most n arenas.
Napi::Value LimitMallocArenas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) XC_THROW_TYPE(env, "limitMallocArenas(n)");
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1 || mallopt(M_ARENA_MAX, n) != 1) XC_THROW_TYPE(env, "limitMallocArenas: n must be a positive number");
  return env.Undefined();
}

// trimMalloc(): gives the free pages of every arena back to the kernel.
Napi::Value TrimMalloc(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), malloc_trim(0) != 0);
}

}  // namespace

void InitMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("limitMallocArenas", Napi::Function::New(env, LimitMallocArenas));
  exports.Set("trimMalloc", Napi::Function::New(env, TrimMalloc));
}

}  // namespace xc
