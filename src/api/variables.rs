//! Global variables of environments (§2.10–2.11).

use super::not_yet;
use crate::error::ApiError;

macro_rules! pending {
    ($($name:ident),* $(,)?) => {$(
        pub async fn $name() -> ApiError { not_yet(stringify!($name)) }
    )*};
}

pending!(get_variables, get_production_variables, update_variables, update_production_variables);
