//! The `Calibre` class: a client's config behind an External, and the module's namespaces
//! bound to it (`client.Site.list()`). Which client a call uses is decided by `client_of`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::{Env, JsValue, Property, ValueType};
use napi_derive::napi;
use serde_json::Value;

use crate::auth;
use crate::config::{self, default_client, ClientConfig};
use crate::error::CalibreError;
use crate::js;

/// The namespaces a `Calibre` instance re-exposes, bound to itself.
pub const NAMESPACES: &[&str] = &[
  "Site",
  "Snapshot",
  "Test",
  "PullRequestReview",
  "TestProfile",
  "Agent",
  "Page",
  "Connection",
  "Device",
  "SnapshotMetrics",
  "GraphQL",
  "TimeSeries",
  "Deploy",
  "Integration",
  "MetricBudget",
  "AgentSettings",
  "Crux",
  "Rum",
  "Token",
];

/// The client behind `this`: a bound namespace function (`client.Site.list()`) is called
/// with `this` = an External holding its client's config; anything else is the default client.
pub fn client_of(this: &This<Unknown>) -> Arc<ClientConfig> {
  if this.get_type().ok() == Some(ValueType::External) {
    if let Ok(config) =
      unsafe { ExternalRef::<Arc<ClientConfig>>::from_napi_value(this.value().env, this.raw()) }
    {
      return Arc::clone(&config);
    }
  }
  default_client()
}

thread_local! {
  // The module-level namespace objects of this environment, for binding to clients.
  static NAMESPACE_OBJECTS: RefCell<HashMap<&'static str, ObjectRef<false>>> = RefCell::new(HashMap::new());
}

/// Remembers this environment's module-level namespace objects so clients can bind them.
pub fn register_namespaces(exports: &Object) -> napi::Result<()> {
  for name in NAMESPACES {
    if let Ok(Some(namespace)) = exports.get::<Object>(name) {
      let reference = namespace.create_ref::<false>()?;
      NAMESPACE_OBJECTS.with(|m| m.borrow_mut().insert(name, reference));
    }
  }
  Ok(())
}

/// A client with its own token, host, timeout and throttle, exposing the same namespaces
/// as the module (`client.Site.list()`). Options not given fall back to the environment
/// per call: `CALIBRE_API_TOKEN`, the config file, `CALIBRE_HOST`, `CALIBRE_APP_HOST`.
#[napi]
pub struct Calibre {
  config: Arc<ClientConfig>,
}

#[napi]
impl Calibre {
  /// Creates a client. Throws `CALIBRE_TOKEN_INVALID` for a token with bad characters,
  /// `CALIBRE_TOKEN_MISSING` for a `token` that is present but undefined, null or blank, and
  /// `CALIBRE_INVALID_ARGUMENT` for malformed options; never reads the network.
  #[napi(constructor, ts_args_type = "options?: CalibreOptions")]
  pub fn new(env: Env, options: Option<Unknown>) -> napi::Result<Self> {
    let map = match options.map(|o| js::to_json(&env, o)) {
      None | Some(Ok(None)) | Some(Ok(Some(Value::Null))) => serde_json::Map::new(),
      Some(Ok(Some(Value::Object(map)))) => map,
      Some(Ok(Some(_))) | Some(Err(_)) => {
        return Err(js::throw(
          &env,
          CalibreError::invalid_argument(
            "new Calibre",
            "options must be an object like { token, host }.",
          ),
        ))
      }
    };
    let token_function = token_function(&env, options)?;
    // JSON drops `token: undefined` (`process.env.UNSET_VAR`): present but empty all the same.
    if token_function.is_none()
      && !map.contains_key("token")
      && options.is_some_and(|o| js::has_own(&env, o, "token"))
    {
      return Err(js::throw(
        &env,
        config::prefixed(auth::blank_option("undefined")),
      ));
    }
    let mut config =
      ClientConfig::from_options(&map, &js::capture_env(&env)).map_err(|e| js::throw(&env, e))?;
    if let Some(function) = token_function {
      config.token = config::TokenOption::Function(function);
    }
    // Functions do not survive the JSON conversion: read the callback from the object itself.
    if let Some(options) = options.filter(|o| o.get_type().ok() == Some(ValueType::Object)) {
      let object: Object = unsafe { Object::from_napi_value(env.raw(), options.raw())? };
      if let Some(callback) = object.get::<Unknown>("onTokenRefreshed")? {
        match callback.get_type()? {
          ValueType::Undefined | ValueType::Null => {}
          ValueType::Function => {
            let function: Function<Unknown, Unknown> =
              unsafe { Function::from_napi_value(env.raw(), callback.raw())? };
            config.on_token_refreshed = Some(function.create_ref()?);
          }
          _ => {
            return Err(js::throw(
              &env,
              CalibreError::invalid_argument(
                "new Calibre",
                "`onTokenRefreshed` must be a function.",
              ),
            ))
          }
        }
      }
    }
    Ok(Calibre {
      config: Arc::new(config),
    })
  }

  fn bind<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
    name: &'static str,
  ) -> napi::Result<Object<'env>> {
    let namespace = NAMESPACE_OBJECTS
      .with(|m| m.borrow().get(name).map(|r| r.get_value(env)))
      .ok_or_else(|| napi::Error::from_reason(format!("namespace {name} is not registered")))??;
    // `this` of every bound function: an External that keeps this client's config alive.
    let carrier = External::new(Arc::clone(&self.config));
    let carrier = unsafe {
      Unknown::from_raw_unchecked(env.raw(), External::to_napi_value(env.raw(), carrier)?)
    };
    let mut bound = Object::new(env)?;
    for key in Object::keys(&namespace)? {
      let function: Function<Unknown, Unknown> = namespace.get_named_property(&key)?;
      bound.set(&key, function.bind(carrier)?)?;
    }
    // Cache on the instance: later reads hit this own property, not the getter.
    let mut target = *this;
    target.define_properties(&[Property::new().with_utf8_name(name)?.with_value(&bound)])?;
    Ok(bound)
  }

  /// `Site` functions bound to this client.
  #[napi(getter, js_name = "Site", ts_return_type = "typeof Site")]
  pub fn site<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Site")
  }

  /// `Snapshot` functions bound to this client.
  #[napi(getter, js_name = "Snapshot", ts_return_type = "typeof Snapshot")]
  pub fn snapshot<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Snapshot")
  }

  /// `Test` functions bound to this client.
  #[napi(getter, js_name = "Test", ts_return_type = "typeof Test")]
  pub fn test<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Test")
  }

  /// `PullRequestReview` functions bound to this client.
  #[napi(
    getter,
    js_name = "PullRequestReview",
    ts_return_type = "typeof PullRequestReview"
  )]
  pub fn pull_request_review<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "PullRequestReview")
  }

  /// `TestProfile` functions bound to this client.
  #[napi(getter, js_name = "TestProfile", ts_return_type = "typeof TestProfile")]
  pub fn test_profile<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "TestProfile")
  }

  /// `Agent` functions bound to this client.
  #[napi(getter, js_name = "Agent", ts_return_type = "typeof Agent")]
  pub fn agent<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Agent")
  }

  /// `Page` functions bound to this client.
  #[napi(getter, js_name = "Page", ts_return_type = "typeof Page")]
  pub fn page<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Page")
  }

  /// `Connection` functions bound to this client.
  #[napi(getter, js_name = "Connection", ts_return_type = "typeof Connection")]
  pub fn connection<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Connection")
  }

  /// `Device` functions bound to this client.
  #[napi(getter, js_name = "Device", ts_return_type = "typeof Device")]
  pub fn device<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Device")
  }

  /// `SnapshotMetrics` functions bound to this client.
  #[napi(
    getter,
    js_name = "SnapshotMetrics",
    ts_return_type = "typeof SnapshotMetrics"
  )]
  pub fn snapshot_metrics<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "SnapshotMetrics")
  }

  /// `GraphQL` functions bound to this client.
  #[napi(getter, js_name = "GraphQL", ts_return_type = "typeof GraphQL")]
  pub fn graphql<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "GraphQL")
  }

  /// `TimeSeries` functions bound to this client.
  #[napi(getter, js_name = "TimeSeries", ts_return_type = "typeof TimeSeries")]
  pub fn time_series<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "TimeSeries")
  }

  /// `Deploy` functions bound to this client.
  #[napi(getter, js_name = "Deploy", ts_return_type = "typeof Deploy")]
  pub fn deploy<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Deploy")
  }

  /// `Integration` functions bound to this client.
  #[napi(getter, js_name = "Integration", ts_return_type = "typeof Integration")]
  pub fn integration<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Integration")
  }

  /// `MetricBudget` functions bound to this client.
  #[napi(
    getter,
    js_name = "MetricBudget",
    ts_return_type = "typeof MetricBudget"
  )]
  pub fn metric_budget<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "MetricBudget")
  }

  /// `AgentSettings` functions bound to this client.
  #[napi(
    getter,
    js_name = "AgentSettings",
    ts_return_type = "typeof AgentSettings"
  )]
  pub fn agent_settings<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "AgentSettings")
  }

  /// `Crux` functions bound to this client.
  #[napi(getter, js_name = "Crux", ts_return_type = "typeof Crux")]
  pub fn crux<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Crux")
  }

  /// `Rum` functions bound to this client.
  #[napi(getter, js_name = "Rum", ts_return_type = "typeof Rum")]
  pub fn rum<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Rum")
  }

  /// `Token` functions bound to this client.
  #[napi(getter, js_name = "Token", ts_return_type = "typeof Token")]
  pub fn token<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Token")
  }
}

/// `options.token` when it is a function (functions do not survive the JSON conversion).
fn token_function(
  env: &Env,
  options: Option<Unknown>,
) -> napi::Result<Option<FunctionRef<(), Unknown<'static>>>> {
  let Some(options) = options.filter(|o| o.get_type().ok() == Some(ValueType::Object)) else {
    return Ok(None);
  };
  let object: Object = unsafe { Object::from_napi_value(env.raw(), options.raw())? };
  match object.get::<Unknown>("token")? {
    Some(value) if value.get_type()? == ValueType::Function => {
      let function: Function<(), Unknown> =
        unsafe { Function::from_napi_value(env.raw(), value.raw())? };
      Ok(Some(function.create_ref()?))
    }
    _ => Ok(None),
  }
}
