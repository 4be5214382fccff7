//! Services, variables, scale, restart, images and events (§2.7–2.11, 2.13–2.17).

use super::not_yet;
use crate::error::ApiError;

macro_rules! pending {
    ($($name:ident),* $(,)?) => {$(
        pub async fn $name() -> ApiError { not_yet(stringify!($name)) }
    )*};
}

pending!(
    add_services,
    add_production_services,
    delete_services,
    delete_production_services,
    update_services,
    update_production_services,
    get_service,
    get_production_service,
    get_variables,
    get_production_variables,
    update_variables,
    update_production_variables,
    scale_workload,
    restart_service,
    restart_production_service,
    update_deployment_image,
    update_statefulset_image,
    update_cronjob_image,
    list_events,
);
