//! Environment configurations (§2.12).

use super::not_yet;
use crate::error::ApiError;

macro_rules! pending {
    ($($name:ident),* $(,)?) => {$(
        pub async fn $name() -> ApiError { not_yet(stringify!($name)) }
    )*};
}

pending!(
    create_envcfg,
    list_envcfgs,
    list_production_envcfgs,
    get_envcfg,
    get_production_envcfg,
    update_envcfg,
    update_production_envcfg,
    delete_envcfg,
    delete_production_envcfg,
);
