// Raw frames in and out of an interface in any netns (AF_PACKET): for capture
// and for the tests' frame matrix. A socket belongs to the netns it was created
// in, so only opening needs the namespace thread; reads can run anywhere.
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "handle.h"
#include "job.h"

namespace xc {
namespace {

int OpenPacket(const std::string& ifname, const NetnsRef& netns, int* fd_out, std::string* msg) {
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (!ifindex) {
    *msg = "interface " + ifname + " not found " + WhereNetns(netns);
    return ENODEV;
  }
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) {
    *msg = std::string("packet socket: ") + strerror(errno);
    return errno;
  }
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = (int)ifindex;
  if (bind(fd, (sockaddr*)&sll, sizeof(sll)) < 0) {
    int err = errno;
    close(fd);
    *msg = "cannot bind a packet socket to " + ifname + ": " + strerror(err);
    return err;
  }
  *fd_out = fd;
  return 0;
}

// A packet socket bound to one interface; it stays in the netns it was made in.
struct PacketSocket {
  static const napi_type_tag kTag;
  int fd = -1;
  ~PacketSocket() {
    if (fd >= 0) close(fd);
  }
};
const napi_type_tag PacketSocket::kTag = {0x636c61622d786331ULL, 0x7061636b65740003ULL};

// sendFrames(netns, ifname, Buffer[]) -> count sent. Frames go out as written,
// tags and all.
Napi::Value SendFrames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  std::string ifname;
  XC_NETNS_ARG(info, 0, &netns, "sendFrames");
  if (!ArgString(info, 1, &ifname) || info.Length() < 3 || !info[2].IsArray()) XC_THROW_TYPE(env, "sendFrames(netns, ifname, frames)");
  std::vector<std::vector<uint8_t>> frames;
  Napi::Array arr = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    auto b = arr.Get(i).As<Napi::Buffer<uint8_t>>();
    frames.emplace_back(b.Data(), b.Data() + b.Length());
  }
  return RunJob(env, netns, [=]() -> Outcome {
    int fd;
    std::string msg;
    if (int err = OpenPacket(ifname, netns, &fd, &msg)) return Fail(err, msg);
    size_t sent = 0;
    for (const auto& f : frames) {
      if (send(fd, f.data(), f.size(), 0) < 0) {
        int err = errno;
        close(fd);
        return Fail(err, "cannot send a " + std::to_string(f.size()) + "-byte frame on " + ifname + " " +
                             WhereNetns(netns) + ": " + strerror(err));
      }
      sent++;
    }
    close(fd);
    return Ok([sent](Napi::Env env) { return Napi::Number::New(env, (double)sent); });
  });
}

// openCapture(netns, ifname) -> handle. Incoming frames queue on the socket
// until read; closeHandle closes it.
Napi::Value OpenCapture(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetnsRef netns;
  std::string ifname;
  XC_NETNS_ARG(info, 0, &netns, "openCapture");
  if (!ArgString(info, 1, &ifname)) XC_THROW_TYPE(env, "openCapture(netns, ifname)");
  return RunJob(env, netns, [=]() -> Outcome {
    auto sock = std::make_shared<PacketSocket>();
    std::string msg;
    if (int err = OpenPacket(ifname, netns, &sock->fd, &msg)) return Fail(err, msg);
    int one = 1, rcvbuf = 8 << 20;
    setsockopt(sock->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
    setsockopt(sock->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
    return Ok([sock](Napi::Env env) { return WrapHandle(env, sock); });
  });
}

// readCapture(handle, {max, timeoutMs}) -> Buffer[]: incoming frames, with a VLAN
// tag the kernel moved into metadata put back in place (as libpcap does), so a
// frame reads as it was on the wire.
Napi::Value ReadCapture(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o;
  std::shared_ptr<PacketSocket> sock = info.Length() > 0 ? UnwrapHandle<PacketSocket>(info[0]) : nullptr;
  if (!sock || !ArgObject(info, 1, &o)) XC_THROW_TYPE(env, "readCapture(handle, {max, timeoutMs})");
  int64_t max = GetInt(o, "max", 1 << 20), timeout_ms = GetInt(o, "timeoutMs", 1000);
  return RunJob(env, nullptr, [=]() -> Outcome {
    int fd = sock->fd;
    std::vector<std::vector<uint8_t>> frames;
    std::vector<uint8_t> buf(1 << 17);
    timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while ((int64_t)frames.size() < max) {
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      int64_t left = timeout_ms - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
      if (left <= 0) break;
      pollfd p{fd, POLLIN, 0};
      int rc = poll(&p, 1, (int)left);
      if (rc < 0 && errno == EINTR) continue;
      if (rc < 0) return Fail(errno, std::string("capture poll: ") + strerror(errno));
      if (rc == 0) break;
      sockaddr_ll from{};
      char cbuf[CMSG_SPACE(sizeof(tpacket_auxdata))];
      iovec iov{buf.data() + 4, buf.size() - 4};  // room to re-insert a tag
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof(from);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = cbuf;
      msg.msg_controllen = sizeof(cbuf);
      ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n < 0) return Fail(errno, std::string("capture read: ") + strerror(errno));
      if (from.sll_pkttype == PACKET_OUTGOING) continue;
      uint8_t* data = buf.data() + 4;
      size_t len = (size_t)n;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
        auto* aux = (tpacket_auxdata*)CMSG_DATA(c);
        if (!(aux->tp_status & TP_STATUS_VLAN_VALID) || len < 12) continue;
        uint16_t tpid = (aux->tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux->tp_vlan_tpid : ETH_P_8021Q;
        memmove(data - 4, data, 12);
        data -= 4;
        uint16_t be_tpid = htons(tpid), be_tci = htons(aux->tp_vlan_tci);
        memcpy(data + 12, &be_tpid, 2);
        memcpy(data + 14, &be_tci, 2);
        len += 4;
      }
      frames.emplace_back(data, data + len);
    }
    return Ok([frames = std::move(frames)](Napi::Env env) -> Napi::Value {
      Napi::Array a = Napi::Array::New(env, frames.size());
      for (uint32_t i = 0; i < frames.size(); i++) a.Set(i, Napi::Buffer<uint8_t>::Copy(env, frames[i].data(), frames[i].size()));
      return a;
    });
  });
}

}  // namespace

void InitPacket(Napi::Env env, Napi::Object exports) {
  exports.Set("sendFrames", Napi::Function::New(env, SendFrames));
  exports.Set("openCapture", Napi::Function::New(env, OpenCapture));
  exports.Set("readCapture", Napi::Function::New(env, ReadCapture));
}

}  // namespace xc
