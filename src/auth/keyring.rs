//! TEMPORARY stand-in with the interface of the keyring backend being written on its own
//! branch; replaced when that lands.

use crate::env::Env;
use crate::error::{CalibreError, ErrorCode};

pub const SERVICE: &str = "calibre-native";

#[derive(Clone)]
pub struct KeyringEnv {
  bus: Option<String>,
}

impl KeyringEnv {
  pub fn from_env(env: &dyn Env) -> KeyringEnv {
    KeyringEnv {
      bus: env.var("DBUS_SESSION_BUS_ADDRESS"),
    }
  }
}

fn unavailable(env: &KeyringEnv) -> CalibreError {
  CalibreError::new(
    ErrorCode::KeyringUnavailable,
    format!("no keyring backend yet ({:?})", env.bus.is_some()),
  )
}

pub fn read(env: &KeyringEnv, _account: &str) -> Result<Option<String>, CalibreError> {
  Err(unavailable(env))
}

pub fn write(env: &KeyringEnv, _account: &str, _token: &str) -> Result<(), CalibreError> {
  Err(unavailable(env))
}

pub fn delete(env: &KeyringEnv, _account: &str) -> Result<bool, CalibreError> {
  Err(unavailable(env))
}
