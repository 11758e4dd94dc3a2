/* Adds a PEM certificate to the current user's trusted root store ("Root"), for the Wine test
   run (scripts/test-windows.sh), so the suites can check that the addon trusts the Windows
   certificate store. Usage: add-root-ca.exe CA.pem */
#include <windows.h>
#include <wincrypt.h>
#include <stdio.h>

int main(int argc, char **argv) {
  static char pem[65536];
  static BYTE der[65536];
  DWORD size = sizeof der;
  FILE *file;
  size_t length;
  HCERTSTORE store;

  if (argc != 2 || !(file = fopen(argv[1], "rb"))) {
    fprintf(stderr, "usage: add-root-ca CA.pem\n");
    return 2;
  }
  length = fread(pem, 1, sizeof pem - 1, file);
  fclose(file);
  pem[length] = 0;
  if (!CryptStringToBinaryA(pem, 0, CRYPT_STRING_BASE64HEADER, der, &size, NULL, NULL)) {
    fprintf(stderr, "not a PEM certificate: error %lu\n", GetLastError());
    return 1;
  }
  store = CertOpenStore(CERT_STORE_PROV_SYSTEM_A, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, "Root");
  if (!store || !CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING, der, size,
                                                  CERT_STORE_ADD_REPLACE_EXISTING, NULL)) {
    fprintf(stderr, "cannot add it to the Root store: error %lu\n", GetLastError());
    return 1;
  }
  CertCloseStore(store, 0);
  return 0;
}
