// Run locks: flock(2) on a file, so the kernel releases a lock the moment
// its process dies. No stale lock can outlive a crash.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <string>

#include "handle.h"
#include "job.h"

namespace xc {
namespace {

// A held lock: the open file it is taken on. closeHandle releases it.
struct FileLock {
  static const napi_type_tag kTag;
  int fd = -1;
  ~FileLock() {
    if (fd >= 0) close(fd);
  }
};
const napi_type_tag FileLock::kTag = {0x636c61622d786331ULL, 0x6c6f636b00000005ULL};

// lockFile(path, timeoutMs) -> handle. Waits up to timeoutMs for the lock; writes
// our pid into the file once held (for the message of whoever waits next).
Napi::Value LockFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!ArgString(info, 0, &path) || info.Length() < 2 || !info[1].IsNumber()) XC_THROW_TYPE(env, "lockFile(path, timeoutMs)");
  int64_t timeout_ms = info[1].As<Napi::Number>().Int64Value();
  return RunJob(env, nullptr, [=]() -> Outcome {
    timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
  reopen:
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Fail(errno, "cannot open lock file " + path + ": " + strerror(errno));
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        int err = errno;
        close(fd);
        return Fail(err, "cannot lock " + path + ": " + strerror(err));
      }
      clock_gettime(CLOCK_MONOTONIC, &now);
      if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > timeout_ms) {
        char buf[32] = {0};
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        close(fd);
        std::string owner = n > 0 ? std::string(buf, strnlen(buf, (size_t)n)) : "unknown";
        return Fail(EBUSY, "locked by another clab-xconnect run (pid " + owner + ")");
      }
      usleep(20000);
    }
    // The holder we waited for may have removed the file (destroy does): our
    // lock is then on an orphaned inode, so take the lock of the file now there.
    struct stat held, current;
    if (fstat(fd, &held) == 0 && (stat(path.c_str(), &current) != 0 || held.st_ino != current.st_ino ||
                                  held.st_dev != current.st_dev)) {
      close(fd);
      goto reopen;
    }
    std::string pid = std::to_string(getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid.data(), pid.size(), 0) < 0) { /* the pid is informational */ }
    auto lock = std::make_shared<FileLock>();
    lock->fd = fd;
    return Ok([lock](Napi::Env env) { return WrapHandle(env, lock); });
  });
}

}  // namespace

void InitLock(Napi::Env env, Napi::Object exports) {
  exports.Set("lockFile", Napi::Function::New(env, LockFile));
}

}  // namespace xc
