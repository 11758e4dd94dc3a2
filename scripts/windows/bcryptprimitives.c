/* Wine 8 has no bcryptprimitives.dll, whose ProcessPrng Rust's std (1.78 on) imports for random
   bytes on Windows 10 and later. This stand-in, put in the Wine prefix's system32 by
   scripts/test-windows.sh, forwards to RtlGenRandom (advapi32's SystemFunction036), which Wine
   has. Windows itself ships the real DLL: this file is for the Wine test run only. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
