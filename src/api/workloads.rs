//! Scale, restart and image updates of workloads (§2.13–2.15).

use super::not_yet;
use crate::error::ApiError;

macro_rules! pending {
    ($($name:ident),* $(,)?) => {$(
        pub async fn $name() -> ApiError { not_yet(stringify!($name)) }
    )*};
}

pending!(
    scale_workload,
    restart_service,
    restart_production_service,
    update_deployment_image,
    update_statefulset_image,
    update_cronjob_image
);
