// Kernel objects (fds) handed to JavaScript as opaque handles, never as
// numbers: a handle is a type-tagged External holding a shared reference to
// the object. Every job that uses an object takes a reference of its own, so
// closeHandle() only drops the handle's: the fd is closed when the last job in
// flight is done, never under a running job, and a closed or foreign handle is
// refused instead of reaching the kernel as some other fd.
#pragma once
#include <napi.h>

#include <memory>

namespace xc {

// What a handle holds: a reference of any type (the deleter comes with it).
struct HandleSlot {
  std::shared_ptr<void> ref;
};

// Each handle type T declares `static const napi_type_tag kTag;`. Every
// External this addon makes holds a HandleSlot (closeHandle relies on it).
template <typename T>
Napi::Value WrapHandle(Napi::Env env, std::shared_ptr<T> obj) {
  auto* slot = new HandleSlot{std::const_pointer_cast<void>(std::static_pointer_cast<const void>(std::move(obj)))};
  auto ext = Napi::External<HandleSlot>::New(env, slot, [](Napi::Env, HandleSlot* s) { delete s; });
  ext.TypeTag(&T::kTag);
  return ext;
}

// The object behind `v`: null when `v` is not an open handle of type T.
template <typename T>
std::shared_ptr<T> UnwrapHandle(const Napi::Value& v) {
  if (!v.IsExternal()) return nullptr;
  auto ext = v.As<Napi::External<HandleSlot>>();
  if (!ext.CheckTypeTag(&T::kTag)) return nullptr;
  return std::static_pointer_cast<T>(ext.Data()->ref);
}

void InitHandle(Napi::Env env, Napi::Object exports);

}  // namespace xc
