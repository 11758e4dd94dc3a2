/* An LD_PRELOAD probe for env-threads.spec.mjs: reports every getenv/secure_getenv that runs
 * off the main thread with the addon (a `.node` file) on its stack. Node's setenv on the main
 * thread may move the C environment under such a call, so the addon reads variables only on
 * the JS thread, from process.env. Node's own reads are excluded: they hold Node's env lock.
 * Each report is one line on fd 2: "getenv-probe: NAME" (and "getenv-probe: loaded" at start). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char *(*real_getenv)(const char *);
static __thread int busy;

static int called_from_addon(void) {
  void *frames[64];
  int n = backtrace(frames, 64);
  for (int i = 1; i < n; i++) {
    Dl_info info;
    if (dladdr(frames[i], &info) && info.dli_fname) {
      size_t len = strlen(info.dli_fname);
      if (len > 5 && strcmp(info.dli_fname + len - 5, ".node") == 0) return 1;
    }
  }
  return 0;
}

char *getenv(const char *name) {
  if (!real_getenv) real_getenv = (char *(*)(const char *))dlsym(RTLD_NEXT, "getenv");
  if (!busy && syscall(SYS_gettid) != getpid()) {
    busy = 1; /* backtrace() may load libgcc_s, which may read the environment */
    if (called_from_addon()) {
      char line[300] = "getenv-probe: ";
      strncat(line, name, sizeof line - strlen(line) - 2);
      strcat(line, "\n");
      (void)!write(2, line, strlen(line));
    }
    busy = 0;
  }
  return real_getenv(name);
}

char *secure_getenv(const char *name) { return getenv(name); }

/* Proof for the test that the probe is in place. */
__attribute__((constructor)) static void loaded(void) {
  (void)!write(2, "getenv-probe: loaded\n", 21);
}
