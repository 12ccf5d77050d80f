// clab-xconnect native addon: kernel mechanism only (BPF load, XDP and tc attach, maps,
// netlink and ethtool queries, raw frames, run locks), every call a promise run on a
// thread of its own inside the namespace it is handed. Namespaces, BPF objects,
// sockets and locks cross to JavaScript as handles that own their fds
// (handle.h), never as paths or numbers. Policy lives in src/.
#include <napi.h>

namespace xc {
void InitHandle(Napi::Env env, Napi::Object exports);
void InitJob(Napi::Env env, Napi::Object exports);
void InitBpf(Napi::Env env, Napi::Object exports);
void InitNetlink(Napi::Env env, Napi::Object exports);
void InitEthtool(Napi::Env env, Napi::Object exports);
void InitPacket(Napi::Env env, Napi::Object exports);
void InitLock(Napi::Env env, Napi::Object exports);
void InitTc(Napi::Env env, Napi::Object exports);
void InitCapture(Napi::Env env, Napi::Object exports);
void InitMemory(Napi::Env env, Napi::Object exports);
}  // namespace xc

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  xc::InitHandle(env, exports);
  xc::InitJob(env, exports);
  xc::InitBpf(env, exports);
  xc::InitNetlink(env, exports);
  xc::InitEthtool(env, exports);
  xc::InitPacket(env, exports);
  xc::InitLock(env, exports);
  xc::InitTc(env, exports);
  xc::InitCapture(env, exports);
  xc::InitMemory(env, exports);
  return exports;
}

NODE_API_MODULE(xconnect, Init)
