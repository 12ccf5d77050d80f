#include "pins.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

namespace xc {

int MkdirP(const std::string& path) {
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    cur = path.substr(0, pos);
    if (cur.empty()) continue;
    if (mkdir(cur.c_str(), 0700) < 0 && errno != EEXIST) return errno;
  }
  return 0;
}

int ReadPinnedLink(const std::string& pin, LinkState* st) {
  int fd = bpf_obj_get(pin.c_str());
  if (fd < 0) return errno == ENOENT ? 0 : errno;
  st->exists = true;
  uint32_t len = sizeof(st->info);
  int rc = bpf_obj_get_info_by_fd(fd, &st->info, &len);
  int err = rc < 0 ? errno : 0;
  close(fd);
  return err;
}

int DetachPinned(const std::string& pin) {
  int fd = bpf_obj_get(pin.c_str());
  if (fd < 0) return errno == ENOENT ? 0 : errno;
  // A link whose device is gone is already detached: nothing to undo but the pin.
  bpf_link_detach(fd);
  close(fd);
  if (unlink(pin.c_str()) < 0 && errno != ENOENT) return errno;
  return 0;
}

int PinLink(int link_fd, const std::string& pin, bpf_link_info* info) {
  uint32_t len = sizeof(*info);
  int err = 0;
  if (bpf_obj_get_info_by_fd(link_fd, info, &len) < 0) err = errno;
  size_t slash = pin.rfind('/');
  if (!err && slash != std::string::npos) err = MkdirP(pin.substr(0, slash));
  if (!err && bpf_obj_pin(link_fd, pin.c_str()) < 0) err = errno;
  close(link_fd);  // pinned: the pin holds it; not pinned: closing detaches it
  return err;
}

}  // namespace xc
