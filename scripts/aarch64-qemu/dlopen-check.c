// Built with napi's aarch64 cross toolchain and run under qemu-aarch64 on its glibc 2.17 sysroot
// (scripts/test-aarch64-qemu.sh): glibc 2.17's own loader loads the addon with every symbol bound
// (RTLD_NOW). No Node runs on glibc 2.17 (Node 20 needs 2.28), so this is the load check there.
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <stdio.h>
int main(int argc, char **argv) {
  void *addon = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!addon) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
  void *init = dlsym(addon, "napi_register_module_v1");
  printf("glibc %s: dlopen(RTLD_NOW) ok, napi_register_module_v1 %s\n", gnu_get_libc_version(), init ? "found" : "missing");
  return init ? 0 : 1;
}
