use std::env;
use std::process::Command;

fn main() {
  napi_build::setup();
  if packs_relative_relocations() {
    // DT_RELR: the ~10,000 relative relocations of the addon take ~2 KB instead of ~250 KB
    // (the `.node` ≤ 4 MB benchmark target), and the loader reads fewer bytes at load.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs");
  }
}

/// Whether the addon can use packed relative relocations: a native (not cross) build for
/// glibc 2.36 or later, the first glibc whose loader reads them. A `.node` built this way
/// refuses to load on an older glibc ("GLIBC_ABI_DT_RELR not found"), so builds on older
/// systems, which are the ones meant to run there, keep the classic format.
fn packs_relative_relocations() -> bool {
  println!("cargo:rerun-if-env-changed=CALIBRE_NATIVE_NO_RELR");
  let var = |name: &str| env::var(name).unwrap_or_default();
  if env::var_os("CALIBRE_NATIVE_NO_RELR").is_some()
    || var("HOST") != var("TARGET")
    || var("CARGO_CFG_TARGET_OS") != "linux"
    || var("CARGO_CFG_TARGET_ENV") != "gnu"
  {
    return false;
  }
  // "glibc 2.36"
  let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
    return false;
  };
  let text = String::from_utf8_lossy(&out.stdout);
  let mut version = text
    .trim()
    .trim_start_matches("glibc ")
    .split('.')
    .map(|n| n.parse::<u32>().unwrap_or(0));
  let (major, minor) = (version.next().unwrap_or(0), version.next().unwrap_or(0));
  out.status.success() && (major, minor) >= (2, 36)
}
