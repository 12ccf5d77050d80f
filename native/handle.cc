#include "handle.h"

namespace xc {
namespace {

// closeHandle(handle): drops the handle's reference (see handle.h). Closing
// twice is harmless; a later use of the handle is refused.
Napi::Value CloseHandle(const Napi::CallbackInfo& info) {
  if (info.Length() >= 1 && info[0].IsExternal()) info[0].As<Napi::External<HandleSlot>>().Data()->ref.reset();
  return info.Env().Undefined();
}

}  // namespace

void InitHandle(Napi::Env env, Napi::Object exports) {
  exports.Set("closeHandle", Napi::Function::New(env, CloseHandle));
}

}  // namespace xc
