// A netlink round trip over libmnl, shared by the rtnetlink users (links,
// tc) and the generic-netlink one (XDP features): sends one request, hands each
// reply message to a callback, and turns a kernel error into an errno plus the
// kernel's own words (the extended ack), so messages say why, not only what.
#pragma once
#include <libmnl/libmnl.h>

#include <functional>
#include <string>

namespace xc {

// libmnl's iteration macros assign void* (fine in C, not in C++).
#define XC_ATTRS(a, nlh, off)                                                      \
  for (a = (nlattr*)mnl_nlmsg_get_payload_offset(nlh, off);                        \
       mnl_attr_ok(a, (int)((char*)mnl_nlmsg_get_payload_tail(nlh) - (char*)a)); \
       a = mnl_attr_next(a))
#define XC_NESTED(a, nest)                                                                   \
  for (a = (nlattr*)mnl_attr_get_payload(nest);                                              \
       mnl_attr_ok(a, (int)((char*)mnl_attr_get_payload(nest) + mnl_attr_get_payload_len(nest) - (char*)a)); \
       a = mnl_attr_next(a))

// Sends `req` on a socket of `protocol` (the thread's NlBatch socket if one is
// open, else a new one) and reads until the kernel is done (the ack, or the end
// of a dump). Each reply message that is not an error or done goes to
// `on_msg`. Returns 0 or an errno; on a kernel error `*ack` (when given)
// receives the extended ack text, if the kernel sent one.
int NlTalk(int protocol, nlmsghdr* req, const std::function<void(const nlmsghdr*)>& on_msg, std::string* ack = nullptr);

// While it lives, the NlTalk calls of this thread for `protocol` share one
// socket: for a loop of per-port requests, where opening, binding and closing
// a socket per request was most of the cost (the tc state of 2,000 ports:
// 43 -> 18 ms). A socket belongs to the netns it was opened in:
// open the batch inside the job, and change no netns while it is open.
class NlBatch {
 public:
  explicit NlBatch(int protocol);
  ~NlBatch();
  NlBatch(const NlBatch&) = delete;
  NlBatch& operator=(const NlBatch&) = delete;

 private:
  bool owns_ = false;  // false inside an outer batch, whose socket this one uses
};

// A sequence number for a new request.
uint32_t NlSeq();

// Starts a request in `buf`: the netlink header (`type`, NLM_F_REQUEST |
// `flags`, a new sequence number) and a zeroed family header of type H after
// it, returned for the caller to fill.
template <typename H>
H* NlPutRequest(char* buf, uint16_t type, uint16_t flags, nlmsghdr** nlh) {
  *nlh = mnl_nlmsg_put_header(buf);
  (*nlh)->nlmsg_type = type;
  (*nlh)->nlmsg_flags = NLM_F_REQUEST | flags;
  (*nlh)->nlmsg_seq = NlSeq();
  return (H*)mnl_nlmsg_put_extra_header(*nlh, sizeof(H));
}

// ": <ack>" when the kernel said something, else "".
std::string AckSuffix(const std::string& ack);

}  // namespace xc
