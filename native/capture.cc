// The reader of the wire's capture perf buffer (xc_capture): frames the
// programs copied, each after a struct xc_cap_hdr, with a VLAN tag the kernel
// held in metadata put back (as libpcap does), and a pcap-filter expression
// compiled by libpcap applied in user space. Mechanism only: which ports
// capture and the pcapng output are decided in TypeScript (src/capture/).
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <vector>

#include "filter.h"
#include "handle.h"
#include "job.h"
#include "object.h"
#include "xconnect.h"

namespace xc {
namespace {

struct Frame {
  xc_cap_hdr hdr;
  std::vector<uint8_t> data;
};

struct Reader {
  static const napi_type_tag kTag;
  ObjectRef object;                 // the perf map's fd: perf_buffer__free still uses it
  perf_buffer* pb = nullptr;
  PcapFilter* filter = nullptr;     // compiled by libpcap; nullptr: every frame
  uint64_t rejected = 0;           // frames the filter dropped
  int64_t realtime_offset_ns = 0;  // CLOCK_REALTIME - CLOCK_MONOTONIC at open
  uint64_t lost = 0;               // samples the kernel could not write (per-CPU rings full)
  std::vector<Frame> batch;        // filled by the callback during one read
  std::mutex mu;                   // one poll at a time
  ~Reader() {
    if (pb) perf_buffer__free(pb);
    PcapFilterFree(filter);
  }
};
const napi_type_tag Reader::kTag = {0x636c61622d786331ULL, 0x7065726672640004ULL};

void OnSample(Reader* r, void* data, uint32_t size) {
  if (size < sizeof(xc_cap_hdr)) return;
  Frame f;
  memcpy(&f.hdr, data, sizeof(f.hdr));
  uint32_t len = f.hdr.cap_len;
  if (len > size - sizeof(xc_cap_hdr)) len = size - sizeof(xc_cap_hdr);
  auto* p = (const uint8_t*)data + sizeof(xc_cap_hdr);
  if ((f.hdr.flags & XC_CAP_VLAN) && len >= 12) {
    uint16_t tag[2] = {f.hdr.vlan_proto, htons(f.hdr.vlan_tci)};
    f.data.reserve(len + 4);
    f.data.assign(p, p + 12);
    f.data.insert(f.data.end(), (const uint8_t*)tag, (const uint8_t*)tag + 4);
    f.data.insert(f.data.end(), p + 12, p + len);
  } else {
    f.data.assign(p, p + len);
  }
  if (r->filter && !PcapFilterMatch(r->filter, f.data.data(), (uint32_t)f.data.size(), f.hdr.orig_len)) {
    r->rejected++;
    return;
  }
  r->batch.push_back(std::move(f));
}

// The records of the ring: samples (a u32 size, then what the program
// wrote) and the kernel's count of samples it had no room for.
enum bpf_perf_event_ret OnEvent(void* ctx, int cpu, perf_event_header* e) {
  auto* r = (Reader*)ctx;
  if (e->type == PERF_RECORD_SAMPLE) {
    auto* s = (uint8_t*)(e + 1);
    uint32_t size;
    memcpy(&size, s, sizeof(size));
    OnSample(r, s + sizeof(size), size);
  } else if (e->type == PERF_RECORD_LOST) {
    struct Lost { perf_event_header h; uint64_t id, lost; };
    r->lost += ((Lost*)e)->lost;
  }
  return LIBBPF_PERF_EVENT_CONT;
}

int64_t ClockNs(clockid_t c) {
  timespec ts;
  clock_gettime(c, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// compileFilter(expr, snaplen) -> null | error text: checks a pcap-filter
// expression the way the reader will compile it.
Napi::Value CompileFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string expr;
  if (!ArgString(info, 0, &expr) || info.Length() < 2 || !info[1].IsNumber()) XC_THROW_TYPE(env, "compileFilter(expr, snaplen)");
  std::string err;
  PcapFilter* f = PcapFilterCompile(expr, info[1].As<Napi::Number>().Int32Value(), &err);
  if (!f) return Napi::String::New(env, err);
  PcapFilterFree(f);
  return env.Null();
}

// openPerfReader(object, map, pagesPerCpu, filter?, snaplen?) -> handle.
// Takes over the perf map's per-CPU entries; closeHandle gives them back.
Napi::Value OpenPerfReader(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto r = std::make_shared<Reader>();
  std::string map;
  if (!ArgBpfObject(info, 0, &r->object) || !ArgString(info, 1, &map) || !r->object->Map(map) || info.Length() < 3 ||
      !info[2].IsNumber())
    XC_THROW_TYPE(env, "openPerfReader(object, map, pagesPerCpu, filter?, snaplen?)");
  int fd = r->object->Map(map)->fd;
  size_t pages = info[2].As<Napi::Number>().Uint32Value();
  std::string expr;
  if (ArgString(info, 3, &expr) && !expr.empty()) {
    int snaplen = info.Length() > 4 && info[4].IsNumber() ? info[4].As<Napi::Number>().Int32Value() : XC_CAP_MAX;
    std::string err;
    r->filter = PcapFilterCompile(expr, snaplen, &err);
    if (!r->filter) {
      MakeError(env, EINVAL, "bad capture filter: " + err).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  // libbpf's perf_buffer__new wakes the reader for every sample: an
  // irq_work (a self-IPI) per copied frame, which cost the sender two thirds
  // of its rate in the benchmark. Wake at a quarter full instead; the reader
  // polls with a timeout and then empties every ring, so latency stays bounded.
  perf_event_attr attr{};
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_BPF_OUTPUT;
  attr.sample_type = PERF_SAMPLE_RAW;
  attr.sample_period = 1;
  attr.watermark = 1;
  attr.wakeup_watermark = (uint32_t)(pages * (size_t)sysconf(_SC_PAGESIZE) / 4);
  r->pb = perf_buffer__new_raw(fd, pages, &attr, OnEvent, r.get(), nullptr);
  if (!r->pb) {
    int err = errno;
    MakeError(env, err, std::string("cannot open the capture buffer: ") + strerror(err) +
                            (err == EINVAL ? " (pages per CPU must be a power of 2)" : ""))
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  r->realtime_offset_ns = ClockNs(CLOCK_REALTIME) - ClockNs(CLOCK_MONOTONIC);
  return WrapHandle(env, r);
}

// readPerf(handle, {timeoutMs}) -> {frames: [{tsNs: bigint (realtime), ifindex,
// origLen, data}], lost, rejected}. `lost` (samples the per-CPU rings had no
// room for) and `rejected` (by the filter) count since open.
Napi::Value ReadPerf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<Reader> r = info.Length() > 0 ? UnwrapHandle<Reader>(info[0]) : nullptr;
  Napi::Object o;
  if (!r || !ArgObject(info, 1, &o)) XC_THROW_TYPE(env, "readPerf(handle, {timeoutMs})");
  int timeout = (int)GetInt(o, "timeoutMs", 100);
  return RunJob(env, nullptr, [r, timeout]() -> Outcome {
    std::lock_guard<std::mutex> g(r->mu);
    r->batch.clear();
    int rc = perf_buffer__poll(r->pb, timeout);
    if (rc < 0 && rc != -EINTR) return Fail(-rc, std::string("capture poll: ") + strerror(-rc));
    // Below the watermark nothing wakes the poll: take what is there anyway.
    rc = perf_buffer__consume(r->pb);
    if (rc < 0) return Fail(-rc, std::string("capture read: ") + strerror(-rc));
    std::vector<Frame> frames = std::move(r->batch);
    r->batch.clear();
    int64_t offset = r->realtime_offset_ns;
    uint64_t lost = r->lost, rejected = r->rejected;
    return Ok([frames = std::move(frames), offset, lost, rejected](Napi::Env env) -> Napi::Value {
      Napi::Array a = Napi::Array::New(env, frames.size());
      for (uint32_t i = 0; i < frames.size(); i++) {
        const Frame& f = frames[i];
        Napi::Object x = Napi::Object::New(env);
        x.Set("tsNs", Napi::BigInt::New(env, (int64_t)f.hdr.ts_ns + offset));
        x.Set("ifindex", f.hdr.ifindex);
        x.Set("origLen", f.hdr.orig_len);
        x.Set("data", Napi::Buffer<uint8_t>::Copy(env, f.data.data(), f.data.size()));
        a.Set(i, x);
      }
      Napi::Object out = Napi::Object::New(env);
      out.Set("frames", a);
      out.Set("lost", (double)lost);
      out.Set("rejected", (double)rejected);
      return out;
    });
  });
}

}  // namespace

void InitCapture(Napi::Env env, Napi::Object exports) {
  exports.Set("compileFilter", Napi::Function::New(env, CompileFilter));
  exports.Set("openPerfReader", Napi::Function::New(env, OpenPerfReader));
  exports.Set("readPerf", Napi::Function::New(env, ReadPerf));
}

}  // namespace xc
