#include "nl.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <time.h>

#include <atomic>
#include <memory>

namespace xc {

uint32_t NlSeq() {
  static std::atomic<uint32_t> seq{(uint32_t)time(nullptr)};
  return ++seq;
}

std::string AckSuffix(const std::string& ack) { return ack.empty() ? "" : " (kernel: " + ack + ")"; }

namespace {

// The NLMSGERR_ATTR_MSG text of an error message with NLM_F_ACK_TLVS.
std::string ExtAck(const nlmsghdr* nlh) {
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return "";
  auto* e = (const nlmsgerr*)mnl_nlmsg_get_payload(nlh);
  size_t off = sizeof(*e);
  // Without NLM_F_CAPPED the error carries the whole request it answers.
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) off += e->msg.nlmsg_len - sizeof(nlmsghdr);
  nlattr* a;
  XC_ATTRS(a, nlh, off) {
    if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG) return mnl_attr_get_str(a);
  }
  return "";
}

// A socket set up for requests: bound, with extended acks asked for.
mnl_socket* OpenSocket(int protocol) {
  mnl_socket* nl = mnl_socket_open(protocol);
  if (!nl) return nullptr;
  if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    int err = errno;
    mnl_socket_close(nl);
    errno = err;
    return nullptr;
  }
  int one = 1;
  // Extended acks: the kernel then says why it refused (best effort; old kernels lack it).
  mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
  mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
  return nl;
}

// The open NlBatch of this thread, if any.
thread_local mnl_socket* batch_socket = nullptr;
thread_local int batch_protocol = -1;

}  // namespace

NlBatch::NlBatch(int protocol) {
  // Nested batches keep the outer one's socket. A socket that cannot be
  // opened now leaves each request to open its own (and report why).
  if (batch_socket) return;
  batch_socket = OpenSocket(protocol);
  batch_protocol = protocol;
  owns_ = batch_socket != nullptr;
}

NlBatch::~NlBatch() {
  if (!owns_) return;
  mnl_socket_close(batch_socket);
  batch_socket = nullptr;
  batch_protocol = -1;
}

int NlTalk(int protocol, nlmsghdr* req, const std::function<void(const nlmsghdr*)>& on_msg, std::string* ack) {
  bool shared = batch_socket && batch_protocol == protocol;
  mnl_socket* nl = shared ? batch_socket : OpenSocket(protocol);
  if (!nl) return errno;
  int err = 0;
  unsigned portid = mnl_socket_get_portid(nl);
  // NLM_F_DUMP shares its bits with NLM_F_REPLACE|NLM_F_EXCL of "new" requests:
  // in rtnetlink only the GET types (type % 4 == 2) can be dumps.
  bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP && (protocol != NETLINK_ROUTE || (req->nlmsg_type & 3) == 2);
  // Ask for an ack on plain requests so that success is confirmed too.
  if (!dump) req->nlmsg_flags |= NLM_F_ACK;
  uint32_t seq = req->nlmsg_seq;
  if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) err = errno;
  // Not zero-filled: the kernel writes what is read.
  std::unique_ptr<char[]> buf(new char[1 << 16]);
  bool done = false;
  while (!err && !done) {
    ssize_t n = mnl_socket_recvfrom(nl, buf.get(), 1 << 16);
    if (n < 0) {
      err = errno;
      break;
    }
    int len = (int)n;
    // Replies to an earlier request on a shared socket (one that failed
    // part-way) have another sequence number and are skipped.
    for (auto* nlh = (nlmsghdr*)buf.get(); mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid) continue;
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        auto* e = (const nlmsgerr*)mnl_nlmsg_get_payload(nlh);
        if (e->error) {
          err = -e->error;
          if (ack) *ack = ExtAck(nlh);
        }
        done = true;  // an error, or the ack of a plain request
        break;
      }
      if (nlh->nlmsg_type == NLMSG_DONE) {
        // A dump that failed part-way says so in the payload of its DONE.
        if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
          int rc = *(const int*)mnl_nlmsg_get_payload(nlh);
          if (rc < 0) err = -rc;
        }
        done = true;
        break;
      }
      on_msg(nlh);
    }
  }
  if (!shared) mnl_socket_close(nl);
  return err;
}

}  // namespace xc
