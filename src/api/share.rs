//! Sub-environment sharing (§2.18).

use super::not_yet;
use crate::error::ApiError;

macro_rules! pending {
    ($($name:ident),* $(,)?) => {$(
        pub async fn $name() -> ApiError { not_yet(stringify!($name)) }
    )*};
}

pending!(
    check_workloads_k8s_services,
    enable_share,
    disable_share,
    check_share_ready,
    get_portal_service,
    set_portal_service
);
