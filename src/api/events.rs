//! Kubernetes events of an environment (§2.17).

use super::not_yet;
use crate::error::ApiError;

macro_rules! pending {
    ($($name:ident),* $(,)?) => {$(
        pub async fn $name() -> ApiError { not_yet(stringify!($name)) }
    )*};
}

pending!(list_events);
