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

// Sends `req` on a new socket of `protocol` and reads until the kernel is done
// (the ack, or the end of a dump). Each reply message that is not an error or
// done goes to `on_msg`. Returns 0 or an errno; on a kernel error `*ack` (when
// given) receives the extended ack text, if the kernel sent one.
int NlTalk(int protocol, nlmsghdr* req, const std::function<void(const nlmsghdr*)>& on_msg, std::string* ack = nullptr);

// A sequence number for a new request.
uint32_t NlSeq();

// ": <ack>" when the kernel said something, else "".
std::string AckSuffix(const std::string& ack);

}  // namespace xc
